package import SalurCore

/// A bank statement (rekening koran) as the store keeps it: what the file said, plus the hash that
/// identifies its content whatever format it came in.
package struct StatementRecord: Sendable {
    /// The account the statement is for.
    package var accountNo: String
    /// The bank's statement reference (MT940 `:20:`, camt `Stmt/Id`).
    package var statementId: String
    /// Statement and page number; empty when the file gives none.
    package var sequence: String
    /// SHA-256 of the statement's balances and booked entries (see `StatementFingerprint`).
    package var contentHash: String
    /// `mt940`, `camt053` or `csv`.
    package var format: String
    package var currency: String
    package var openingBalance: Rupiah
    package var closingBalance: Rupiah
    package var openingDate: CalendarDate
    package var closingDate: CalendarDate
    /// The file it was read from, and where in it the statement starts.
    package var sourceFile: String
    package var sourceLine: Int
    /// SHA-256 of the whole file.
    package var fileSHA256: String
    /// The bookings, in file order.
    package var lines: [StatementLine]

    package init(accountNo: String, statementId: String, sequence: String, contentHash: String, format: String, currency: String,
                 openingBalance: Rupiah, closingBalance: Rupiah, openingDate: CalendarDate, closingDate: CalendarDate,
                 sourceFile: String, sourceLine: Int, fileSHA256: String, lines: [StatementLine]) {
        self.accountNo = accountNo
        self.statementId = statementId
        self.sequence = sequence
        self.contentHash = contentHash
        self.format = format
        self.currency = currency
        self.openingBalance = openingBalance
        self.closingBalance = closingBalance
        self.openingDate = openingDate
        self.closingDate = closingDate
        self.sourceFile = sourceFile
        self.sourceLine = sourceLine
        self.fileSHA256 = fileSHA256
        self.lines = lines
    }
}

/// One booking of a statement (mutasi), as stored.
package struct StatementLine: Sendable {
    package var valueDate: CalendarDate
    package var bookingDate: CalendarDate?
    /// Money left the account (debet); otherwise it came in (kredit).
    package var isDebit: Bool
    /// Whole rupiah, never negative.
    package var amount: Rupiah
    /// The booking undoes an earlier one (MT940 `RD`/`RC`, camt `RvslInd`).
    package var isReversal: Bool
    /// Only booked lines move the balance and are reconciled; pending ones are kept for the record.
    package var isBooked: Bool
    package var bankReference: String
    package var customerReference: String
    package var counterpartyAccount: String?
    package var counterpartyName: String?
    package var description: String
    /// Where the entry starts in its file.
    package var line: Int

    package init(valueDate: CalendarDate, bookingDate: CalendarDate?, isDebit: Bool, amount: Rupiah, isReversal: Bool, isBooked: Bool,
                 bankReference: String, customerReference: String, counterpartyAccount: String?, counterpartyName: String?,
                 description: String, line: Int) {
        self.valueDate = valueDate
        self.bookingDate = bookingDate
        self.isDebit = isDebit
        self.amount = amount
        self.isReversal = isReversal
        self.isBooked = isBooked
        self.bankReference = bankReference
        self.customerReference = customerReference
        self.counterpartyAccount = counterpartyAccount
        self.counterpartyName = counterpartyName
        self.description = description
        self.line = line
    }
}
