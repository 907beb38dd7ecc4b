package import SalurCore

/// What matching decided: the transfer behind each entry, and what does not add up.
package struct ReconciliationOutcome: Sendable {
    /// Aligned with `ReconciliationInput.entries`: the entry's transfer and how it was found.
    package var matches: [EntryMatch?]
    /// Every exception the data shows now (open ones already recorded are kept, not repeated).
    package var findings: [ReconciliationFinding]
    /// Settled transfers a statement shows credited back: they become `returned`.
    package var returnedTransfers: [Int64]
    /// Aligned with `ReconciliationInput.entries` (or empty: none): the bank's own item each entry
    /// is (interest, tax, fees), which is matched to no transfer and opens no exception.
    package var bankItems: [BankItemKind?]

    package init(matches: [EntryMatch?], findings: [ReconciliationFinding], returnedTransfers: [Int64],
                 bankItems: [BankItemKind?] = []) {
        self.matches = matches
        self.findings = findings
        self.returnedTransfers = returnedTransfers
        self.bankItems = bankItems
    }

    /// The bank item of entry `index` (nil when none, or when matching classified nothing).
    package func bankItem(_ index: Int) -> BankItemKind? {
        index < bankItems.count ? bankItems[index] : nil
    }
}

/// The transfer an entry belongs to.
package struct EntryMatch: Sendable, Equatable {
    package var transferID: Int64
    package var kind: MatchKind

    package init(transferID: Int64, kind: MatchKind) {
        self.transferID = transferID
        self.kind = kind
    }
}

/// How an entry was tied to a transfer.
package enum MatchKind: String, Sendable, Codable, CaseIterable {
    /// The bank's or Salur's reference is in the entry.
    case reference
    /// No reference, but the amount, the beneficiary account and the day agree: weaker evidence.
    case weak
    /// A second debit for a transfer already matched: a duplicate payment.
    case duplicate
    /// A credit that gives a transfer's money back (reversal or return).
    case `return`

    /// The kinds that tie a debit to the transfer it paid (by reference, or weakly): the transfer is
    /// on a statement.
    package static let paid: [MatchKind] = [.reference, .weak]
}

/// What does not add up between the statements and the transfers.
package enum ExceptionKind: String, Sendable, Codable, CaseIterable, Comparable {
    /// Settled in Salur, not on any statement `missing_after_days` after settling.
    case missingFromStatement = "missing_from_statement"
    /// Money left the account and no transfer explains it.
    case unknownDebit = "unknown_debit"
    /// A transfer was debited more than once.
    case duplicatePayment = "duplicate_payment"
    /// The debit's amount is not the transfer's.
    case amountDiffers = "amount_differs"
    /// The money came back (reversal or return); the recipient needs the operator.
    case returned
    /// Salur has the transfer failed (or cancelled), yet the bank debited it.
    case failedButDebited = "failed_but_debited"
    /// The bank debited a transfer Salur has not seen settle yet (in doubt, retrying, …).
    case debitedNotSettled = "debited_not_settled"

    package static func < (lhs: ExceptionKind, rhs: ExceptionKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One exception, with its evidence.
package struct ReconciliationFinding: Sendable, Equatable {
    package var kind: ExceptionKind
    /// Stable across runs, so a finding seen again is the same exception (and keeps its resolution).
    package var key: String
    package var transferID: Int64?
    package var entryID: Int64?
    /// The other entry involved (the first debit of a duplicate payment).
    package var otherEntryID: Int64?
    package var amount: Rupiah
    /// The day the money moved: the entry's value date, or the transfer's settlement day.
    package var day: CalendarDate
    /// What was found, in words an operator and an auditor can check against the files.
    package var evidence: String

    package init(kind: ExceptionKind, key: String, transferID: Int64?, entryID: Int64?, otherEntryID: Int64? = nil,
                 amount: Rupiah, day: CalendarDate, evidence: String) {
        self.kind = kind
        self.key = key
        self.transferID = transferID
        self.entryID = entryID
        self.otherEntryID = otherEntryID
        self.amount = amount
        self.day = day
        self.evidence = evidence
    }
}
