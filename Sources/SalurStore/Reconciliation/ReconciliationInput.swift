package import SalurCore

/// Everything matching needs, read in the same transaction that will record the outcome.
package struct ReconciliationInput: Sendable {
    /// Every booked entry of every stored statement, in import order (entry id), new ones last.
    package var entries: ReconciliationEntries
    /// Every transfer Salur has made or tried to make, in id order.
    package var transfers: [ReconciliationTransfer]
    /// The stored statements the entries belong to, by row id: for evidence.
    package var statements: [Int64: StatementReference]
    /// The day reconciliation runs, in the bank's time zone.
    package var today: CalendarDate
    /// A settled transfer not on any statement this many days after settling is an exception.
    package var missingAfterDays: Int

    package init(entries: [ReconciliationEntry], transfers: [ReconciliationTransfer], statements: [Int64: StatementReference],
                 today: CalendarDate, missingAfterDays: Int) {
        self.init(entries: ReconciliationEntries(entries), transfers: transfers, statements: statements, today: today,
                  missingAfterDays: missingAfterDays)
    }

    package init(entries: ReconciliationEntries, transfers: [ReconciliationTransfer], statements: [Int64: StatementReference],
                 today: CalendarDate, missingAfterDays: Int) {
        self.entries = entries
        self.transfers = transfers
        self.statements = statements
        self.today = today
        self.missingAfterDays = missingAfterDays
    }
}

/// One booked statement entry, as matching sees it.
package struct ReconciliationEntry: Sendable {
    /// `statement_entry.id`.
    package var id: Int64
    /// `statement.id` of its statement.
    package var statement: Int64
    package var valueDate: CalendarDate
    package var bookingDate: CalendarDate?
    package var isDebit: Bool
    package var isReversal: Bool
    /// The amount exactly, in sen: a transfer of whole rupiah matches only a debit of exactly that `,00`.
    package var amountSen: Sen
    /// The whole rupiah of the amount (sen dropped).
    package var amount: Rupiah { amountSen.rupiahPart }
    /// The bank's code for the booking (MT940 `:61:` type, camt.053 `BkTxCd`); empty when none.
    package var transactionCode: String
    package var bankReference: String
    package var customerReference: String
    package var counterpartyAccount: String?
    package var description: String
    /// Line in its file.
    package var line: Int

    package init(id: Int64, statement: Int64, valueDate: CalendarDate, bookingDate: CalendarDate?, isDebit: Bool, isReversal: Bool,
                 amountSen: Sen, transactionCode: String, bankReference: String, customerReference: String,
                 counterpartyAccount: String?, description: String, line: Int) {
        self.id = id
        self.statement = statement
        self.valueDate = valueDate
        self.bookingDate = bookingDate
        self.isDebit = isDebit
        self.isReversal = isReversal
        self.amountSen = amountSen
        self.transactionCode = transactionCode
        self.bankReference = bankReference
        self.customerReference = customerReference
        self.counterpartyAccount = counterpartyAccount
        self.description = description
        self.line = line
    }
}

/// One transfer, as matching sees it (the day and state first, so that they share one word).
package struct ReconciliationTransfer: Sendable {
    /// The day it settled, in the bank's time zone.
    package var settledDay: CalendarDate?
    package var state: TransferState
    package var id: Int64
    package var partnerReferenceNo: String
    /// The bank's `referenceNo`, once it answered with one.
    package var bankReferenceNo: String?
    package var accountNo: String
    package var amount: Rupiah

    package init(id: Int64, partnerReferenceNo: String, bankReferenceNo: String?, accountNo: String, amount: Rupiah,
                 state: TransferState, settledDay: CalendarDate?) {
        self.id = id
        self.partnerReferenceNo = partnerReferenceNo
        self.bankReferenceNo = bankReferenceNo
        self.accountNo = accountNo
        self.amount = amount
        self.state = state
        self.settledDay = settledDay
    }
}

/// Which statement an entry came from, for evidence: `statement 123 (file f.sta)`.
package struct StatementReference: Sendable, Equatable {
    package var statementId: String
    package var sequence: String
    package var sourceFile: String

    package init(statementId: String, sequence: String, sourceFile: String) {
        self.statementId = statementId
        self.sequence = sequence
        self.sourceFile = sourceFile
    }
}

extension ReconciliationInput {
    /// The index in `transfers` of the transfer with this id (`transfers` is in id order).
    package func transferIndex(of id: Int64) -> Int? {
        var low = 0, high = transfers.count
        while low < high {
            let middle = (low + high) / 2
            if transfers[middle].id < id { low = middle + 1 } else { high = middle }
        }
        return low < transfers.count && transfers[low].id == id ? low : nil
    }

    /// What `match` decides for this input, which must give one match (or none) per entry.
    package func matched(by match: (ReconciliationInput) throws -> ReconciliationOutcome) rethrows -> ReconciliationOutcome {
        let outcome = try match(self)
        precondition(outcome.matches.count == entries.count, "one match (or none) per entry")
        precondition(outcome.bankItems.isEmpty || outcome.bankItems.count == entries.count, "one bank item (or none) per entry")
        return outcome
    }
}
