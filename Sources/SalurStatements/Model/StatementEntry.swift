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
    /// The amount exactly, in sen, never negative: a statement carries sen (interest, tax on it).
    public var amountSen: Sen
    /// The whole rupiah of `amountSen` (sen dropped); kept for callers that build whole-rupiah entries.
    public var amount: Rupiah {
        get { amountSen.rupiahPart }
        set { amountSen = Sen(exactly: newValue) ?? Sen(newValue.value) }
    }
    /// The bank's own code for the kind of booking: the MT940 `:61:` transaction type (`NTRF`,
    /// `NINT`, `NTAX`, `NCHG`, …) or the camt.053 `BkTxCd` (`PMNT/ICDT/ESCT`, `ACMT/MDOP/INTR`, or
    /// its proprietary code); empty when the file has none (CSV).
    public var transactionCode: String
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

    /// An entry of whole rupiah, an ordinary transfer (`NTRF`) unless `transactionCode` says
    /// otherwise; `line` is 0 when it was not read from a file.
    public init(valueDate: CalendarDate, bookingDate: CalendarDate? = nil, direction: Direction, amount: Rupiah,
                isReversal: Bool = false, status: Status = .booked, bankReference: String = "",
                customerReference: String = "", counterpartyAccount: String? = nil, counterpartyName: String? = nil,
                description: String = "", transactionCode: String = "NTRF", line: Int = 0) {
        self.init(valueDate: valueDate, bookingDate: bookingDate, direction: direction, amountSen: Sen(exactly: amount) ?? Sen(amount.value),
                  isReversal: isReversal, status: status, bankReference: bankReference, customerReference: customerReference,
                  counterpartyAccount: counterpartyAccount, counterpartyName: counterpartyName, description: description,
                  transactionCode: transactionCode, line: line)
    }

    /// An entry in sen; `line` is 0 when it was not read from a file.
    public init(valueDate: CalendarDate, bookingDate: CalendarDate? = nil, direction: Direction, amountSen: Sen,
                isReversal: Bool = false, status: Status = .booked, bankReference: String = "",
                customerReference: String = "", counterpartyAccount: String? = nil, counterpartyName: String? = nil,
                description: String = "", transactionCode: String = "", line: Int = 0) {
        self.valueDate = valueDate
        self.bookingDate = bookingDate
        self.direction = direction
        self.amountSen = amountSen
        self.transactionCode = transactionCode
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
