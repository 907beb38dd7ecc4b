public import SalurCore

/// One account statement (rekening koran) for one account and one period, as the bank sent it.
///
/// A file may hold several statements (MT940 messages, camt.053 `Stmt` elements). Amounts are exact
/// in sen; balances are signed, a debit (overdrawn) balance being negative.
public struct Statement: Sendable, Hashable, Codable {
    /// The account the statement is for (MT940 `:25:`, camt `Acct/Id`).
    public var accountNo: String
    /// The bank's reference for the statement (MT940 `:20:`, camt `Stmt/Id`).
    public var statementId: String
    /// Statement and page number (MT940 `:28C:` such as `00001/001`, camt `ElctrncSeqNb`), when given.
    public var sequence: String?
    /// ISO 4217 code; always `IDR`, the only currency the parsers accept.
    public var currency: String
    /// Balance at the start of the period (MT940 `:60F:`/`:60M:`, camt `OPBD`/`PRCD`), in sen.
    public var openingBalanceSen: Sen
    /// Balance at the end of the period (MT940 `:62F:`/`:62M:`, camt `CLBD`), in sen.
    public var closingBalanceSen: Sen
    /// Closing available balance (MT940 `:64:`, camt `CLAV`), in sen, when given.
    public var closingAvailableBalanceSen: Sen?
    /// Whether the file states the opening balance. A camt.053 statement without `OPBD`/`PRCD` has
    /// none: `openingBalanceSen` is then zero until it is derived from the previous statement's
    /// closing balance (see `StatementFile`), and the balance check cannot run before.
    public var hasOpeningBalance = true
    /// The whole rupiah of the opening balance (sen dropped).
    public var openingBalance: Rupiah {
        get { openingBalanceSen.rupiahPart }
        set { openingBalanceSen = Sen(exactly: newValue) ?? Sen(newValue.value) }
    }
    /// The whole rupiah of the closing balance (sen dropped).
    public var closingBalance: Rupiah {
        get { closingBalanceSen.rupiahPart }
        set { closingBalanceSen = Sen(exactly: newValue) ?? Sen(newValue.value) }
    }
    /// The whole rupiah of the closing available balance (sen dropped).
    public var closingAvailableBalance: Rupiah? { closingAvailableBalanceSen?.rupiahPart }
    /// Date of the opening balance.
    public var openingDate: CalendarDate
    /// Date of the closing balance.
    public var closingDate: CalendarDate
    /// The bookings, in file order.
    public var entries: [StatementEntry]
    /// The kind of file it was read from.
    public var format: StatementFormat
    /// The file name it was read from, for messages.
    public var sourceFile: String
    /// 1-based line where the statement starts (MT940 `:20:`, camt `<Stmt>`, CSV the header).
    public var sourceLine: Int

    /// A statement of whole-rupiah balances; the parsers fill `sourceFile` and `sourceLine`, a caller
    /// building one may leave them.
    public init(accountNo: String, statementId: String, sequence: String? = nil, currency: String = "IDR",
                openingBalance: Rupiah, closingBalance: Rupiah, closingAvailableBalance: Rupiah? = nil,
                openingDate: CalendarDate, closingDate: CalendarDate, entries: [StatementEntry],
                format: StatementFormat, sourceFile: String = "", sourceLine: Int = 0) {
        self.init(accountNo: accountNo, statementId: statementId, sequence: sequence, currency: currency,
                  openingBalanceSen: Sen(exactly: openingBalance) ?? Sen(openingBalance.value),
                  closingBalanceSen: Sen(exactly: closingBalance) ?? Sen(closingBalance.value),
                  closingAvailableBalanceSen: closingAvailableBalance.map { Sen(exactly: $0) ?? Sen($0.value) },
                  openingDate: openingDate, closingDate: closingDate, entries: entries, format: format,
                  sourceFile: sourceFile, sourceLine: sourceLine)
    }

    /// A statement with balances in sen.
    public init(accountNo: String, statementId: String, sequence: String? = nil, currency: String = "IDR",
                openingBalanceSen: Sen, closingBalanceSen: Sen, closingAvailableBalanceSen: Sen? = nil,
                openingDate: CalendarDate, closingDate: CalendarDate, entries: [StatementEntry],
                format: StatementFormat, sourceFile: String = "", sourceLine: Int = 0) {
        self.accountNo = accountNo
        self.statementId = statementId
        self.sequence = sequence
        self.currency = currency
        self.openingBalanceSen = openingBalanceSen
        self.closingBalanceSen = closingBalanceSen
        self.closingAvailableBalanceSen = closingAvailableBalanceSen
        self.openingDate = openingDate
        self.closingDate = closingDate
        self.entries = entries
        self.format = format
        self.sourceFile = sourceFile
        self.sourceLine = sourceLine
    }
}
