public import SalurCore

/// One booking on a bank statement (mutasi rekening): an MT940 `:61:` with its `:86:`, a camt.053
/// `Ntry`, or one row of a bank's CSV export.
public struct StatementEntry: Sendable, Hashable, Codable {
    /// Which way the money moved on the statement's account.
    public enum Direction: String, Sendable, Hashable, Codable {
        /// Money left the account (debet).
        case debit
        /// Money came in (kredit).
        case credit
    }

    /// Whether the bank has booked the entry; only booked entries move the balance.
    public enum Status: String, Sendable, Hashable, Codable {
        /// camt `BOOK`; every MT940 and CSV entry.
        case booked
        /// camt `PDNG` (and `INFO`): announced, not yet on the balance.
        case pending
    }

    /// The day the money counts from (tanggal valuta).
    public var valueDate: CalendarDate
    /// The day the bank booked it, when the file says.
    public var bookingDate: CalendarDate?
    /// The entry's effect on the balance; for a reversal, the direction of the reversing booking
    /// (MT940 `RD` is a credit, `RC` a debit).
    public var direction: Direction
    /// Whole rupiah, never negative.
    public var amount: Rupiah
    /// The entry undoes an earlier one (MT940 `RD`/`RC`, camt `RvslInd`).
    public var isReversal: Bool
    /// Booked or pending.
    public var status: Status
    /// The bank's own reference (MT940 after `//` in `:61:`, camt `AcctSvcrRef`); empty when none.
    public var bankReference: String
    /// The account owner's reference (MT940 `:61:` reference, camt `EndToEndId`); empty for `NONREF`.
    public var customerReference: String
    /// The other side's account, when the file names it.
    public var counterpartyAccount: String?
    /// The other side's name, when the file names it.
    public var counterpartyName: String?
    /// Free text (keterangan): MT940 `:86:`, camt `RmtInf/Ustrd`, joined into one line.
    public var description: String
    /// 1-based line where the entry starts in its file (camt: the `<Ntry>` start tag).
    public var line: Int

    /// An entry; `line` is 0 when it was not read from a file.
    public init(valueDate: CalendarDate, bookingDate: CalendarDate? = nil, direction: Direction, amount: Rupiah,
                isReversal: Bool = false, status: Status = .booked, bankReference: String = "",
                customerReference: String = "", counterpartyAccount: String? = nil, counterpartyName: String? = nil,
                description: String = "", line: Int = 0) {
        self.valueDate = valueDate
        self.bookingDate = bookingDate
        self.direction = direction
        self.amount = amount
        self.isReversal = isReversal
        self.status = status
        self.bankReference = bankReference
        self.customerReference = customerReference
        self.counterpartyAccount = counterpartyAccount
        self.counterpartyName = counterpartyName
        self.description = description
        self.line = line
    }
}
