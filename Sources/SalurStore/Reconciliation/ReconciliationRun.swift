package import SalurCore

/// What one `salurctl reconcile` did.
package struct ReconciliationRun: Sendable, Codable, Equatable {
    /// Statements stored by this run.
    package var statementsStored = 0
    /// Statements already stored with the same content: nothing changed for them.
    package var statementsUnchanged = 0
    /// Entries stored by this run (pending ones included).
    package var entriesStored = 0
    /// Entries whose match changed in this run (new entries included).
    package var matchesChanged = 0
    /// Settled transfers tied to a statement debit, by reference and weakly, after this run.
    package var matchedByReference = 0
    package var matchedWeakly = 0
    /// Exceptions found for the first time (or found again after they had cleared).
    package var exceptionsOpened = 0
    /// Open exceptions whose condition is gone (e.g. the missing transfer is on a later statement).
    package var exceptionsCleared = 0
    /// Transfers that became `returned`.
    package var transfersReturned = 0
    /// Open exceptions after this run, by kind.
    package var openExceptions: [String: Int] = [:]
    /// Stored entries whose bank item kind changed in this run (a `[reconciliation.bank_items]`
    /// rule added, changed or removed): re-classified, and audited.
    package var bankItemsReclassified = 0
    /// The bank's own items (interest, tax, fees) of the months this run's statements cover (all
    /// months when it stored none), by month (`YYYY-MM`, value date) and kind.
    package var bankItems: [String: [String: BankItemTotal]] = [:]

    package init() {}

    enum CodingKeys: String, CodingKey {
        case statementsStored = "statements_stored", statementsUnchanged = "statements_unchanged", entriesStored = "entries_stored"
        case matchesChanged = "matches_changed", matchedByReference = "matched_reference", matchedWeakly = "matched_weak"
        case exceptionsOpened = "exceptions_opened", exceptionsCleared = "exceptions_cleared"
        case transfersReturned = "transfers_returned", openExceptions = "open_exceptions"
        case bankItemsReclassified = "bank_items_reclassified", bankItems = "bank_items"
    }
}

/// How many bank items of one kind, and their total in sen.
package struct BankItemTotal: Sendable, Codable, Equatable {
    package var count = 0
    package var amountSen: Int64 = 0

    package init(count: Int = 0, amountSen: Int64 = 0) {
        self.count = count
        self.amountSen = amountSen
    }

    /// Adds one item; a total past 64-bit sen stays at its limit rather than wrap (the ledger limit keeps it far off).
    package mutating func add(_ amount: Sen) {
        count += 1
        let (sum, overflow) = amountSen.addingReportingOverflow(amount.value)
        amountSen = overflow ? Int64.max : sum
    }

    enum CodingKeys: String, CodingKey {
        case count, amountSen = "amount_sen"
    }
}

/// A statement was refused: `FILE:LINE: reason`. Nothing was stored.
package struct StatementRefusal: Error, Sendable, CustomStringConvertible {
    package let file: String
    package let line: Int
    package let reason: String

    package init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    package var description: String { "\(file):\(line): \(reason)" }
}

extension ReconciliationRun {
    /// The audit subject of a run: the statement file read, or the stored statements alone.
    package static func auditSubject(_ file: SourceFile?) -> String { file?.path ?? "(stored statements)" }

    /// The audit details of a run that changed anything.
    package func auditDetails(today: CalendarDate, missingAfterDays: Int) -> [String: String] {
        var details = ["statements_stored": String(statementsStored), "statements_unchanged": String(statementsUnchanged),
         "entries_stored": String(entriesStored), "matches_changed": String(matchesChanged),
         "matched_reference": String(matchedByReference), "matched_weak": String(matchedWeakly),
         "exceptions_opened": String(exceptionsOpened), "exceptions_cleared": String(exceptionsCleared),
         "transfers_returned": String(transfersReturned), "today": today.description,
         "missing_after_days": String(missingAfterDays)]
        if bankItemsReclassified > 0 { details["bank_items_reclassified"] = String(bankItemsReclassified) }
        return details
    }
}

extension ReconciliationRun {
    /// Counts the matches of `outcome` by kind (by reference, weak).
    package mutating func count(_ matches: [EntryMatch?]) {
        for match in matches {
            switch match?.kind {
            case .reference?: matchedByReference += 1
            case .weak?: matchedWeakly += 1
            default: break
            }
        }
    }

    /// Whether the run changed anything (and so is audited).
    package var changedAnything: Bool {
        statementsStored + matchesChanged + exceptionsOpened + exceptionsCleared + transfersReturned + bankItemsReclassified > 0
    }

    /// Totals the bank items of `entries` (aligned with `outcome`) by month and kind: only the
    /// months in `months`, or every month when `months` is empty.
    package mutating func totalBankItems(_ entries: ReconciliationEntries, _ outcome: ReconciliationOutcome, months: Set<String>) {
        bankItems = months.isEmpty ? Self.bankItems(entries, outcome)
            : Self.bankItems(entries, outcome).filter { months.contains($0.key) }
    }

    /// The bank items of `entries` (aligned with `outcome`) by month and kind.
    package static func bankItems(_ entries: ReconciliationEntries, _ outcome: ReconciliationOutcome) -> [String: [String: BankItemTotal]] {
        var bankItems: [String: [String: BankItemTotal]] = [:]
        for index in outcome.bankItems.indices {
            guard let kind = outcome.bankItem(index) else { continue }
            let entry = entries[index]
            bankItems[entry.valueDate.period.description, default: [:]][kind.rawValue, default: BankItemTotal()].add(entry.amountSen)
        }
        return bankItems
    }
}
