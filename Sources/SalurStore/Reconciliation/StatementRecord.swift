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
    /// Balances exactly, in sen.
    package var openingBalanceSen: Sen
    package var closingBalanceSen: Sen
    /// The whole rupiah of the balances (sen dropped), as the `opening_balance` and
    /// `closing_balance` columns keep them.
    package var openingBalance: Rupiah { openingBalanceSen.rupiahPart }
    package var closingBalance: Rupiah { closingBalanceSen.rupiahPart }
    /// Where the opening balance came from when the file gave none (camt.053 without `OPBD`): the
    /// previous statement whose closing balance it is. Nil when the file states it.
    package var openingDerivedFrom: String?
    package var openingDate: CalendarDate
    package var closingDate: CalendarDate
    /// The file it was read from, and where in it the statement starts.
    package var sourceFile: String
    package var sourceLine: Int
    /// SHA-256 of the whole file.
    package var fileSHA256: String
    /// For a statement read from a CSV export: the key of that reading (`statement_file.sha256`),
    /// the SHA-256 of the file's with the mapping and file name it was read with
    /// (`StatementFile.csvReadingKey`). Nil for MT940 and camt.053, whose file alone makes them.
    package var csvReadingKey: String?
    /// The bookings, in file order.
    package var lines: [StatementLine]

    package init(accountNo: String, statementId: String, sequence: String, contentHash: String, format: String, currency: String,
                 openingBalanceSen: Sen, closingBalanceSen: Sen, openingDate: CalendarDate, closingDate: CalendarDate,
                 sourceFile: String, sourceLine: Int, fileSHA256: String, lines: [StatementLine]) {
        self.accountNo = accountNo
        self.statementId = statementId
        self.sequence = sequence
        self.contentHash = contentHash
        self.format = format
        self.currency = currency
        self.openingBalanceSen = openingBalanceSen
        self.closingBalanceSen = closingBalanceSen
        self.openingDate = openingDate
        self.closingDate = closingDate
        self.sourceFile = sourceFile
        self.sourceLine = sourceLine
        self.fileSHA256 = fileSHA256
        self.lines = lines
    }
}

/// One booking of a statement (mutasi), as stored.
///
/// The dates and flags come first, so that they share one word: a statement of a million lines is
/// held as a million of these while it is matched.
package struct StatementLine: Sendable {
    package var valueDate: CalendarDate
    package var bookingDate: CalendarDate?
    /// Money left the account (debet); otherwise it came in (kredit).
    package var isDebit: Bool
    /// The booking undoes an earlier one (MT940 `RD`/`RC`, camt `RvslInd`).
    package var isReversal: Bool
    /// Only booked lines move the balance and are reconciled; pending ones are kept for the record.
    package var isBooked: Bool
    /// The amount exactly, in sen, never negative.
    package var amountSen: Sen
    /// The whole rupiah of the amount (sen dropped), as the `amount` column keeps it.
    package var amount: Rupiah { amountSen.rupiahPart }
    /// The bank's code for the booking (MT940 `:61:` type, camt.053 `BkTxCd`); empty when none.
    package var transactionCode: String
    package var bankReference: String
    package var customerReference: String
    package var counterpartyAccount: String?
    package var counterpartyName: String?
    package var description: String
    /// Where the entry starts in its file.
    package var line: Int

    package init(valueDate: CalendarDate, bookingDate: CalendarDate?, isDebit: Bool, amountSen: Sen, isReversal: Bool, isBooked: Bool,
                 bankReference: String, customerReference: String, counterpartyAccount: String?, counterpartyName: String?,
                 description: String, transactionCode: String = "", line: Int) {
        self.valueDate = valueDate
        self.bookingDate = bookingDate
        self.isDebit = isDebit
        self.amountSen = amountSen
        self.transactionCode = transactionCode
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
