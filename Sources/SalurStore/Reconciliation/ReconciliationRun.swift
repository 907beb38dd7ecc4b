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

    package init() {}

    enum CodingKeys: String, CodingKey {
        case statementsStored = "statements_stored", statementsUnchanged = "statements_unchanged", entriesStored = "entries_stored"
        case matchesChanged = "matches_changed", matchedByReference = "matched_reference", matchedWeakly = "matched_weak"
        case exceptionsOpened = "exceptions_opened", exceptionsCleared = "exceptions_cleared"
        case transfersReturned = "transfers_returned", openExceptions = "open_exceptions"
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
        ["statements_stored": String(statementsStored), "statements_unchanged": String(statementsUnchanged),
         "entries_stored": String(entriesStored), "matches_changed": String(matchesChanged),
         "matched_reference": String(matchedByReference), "matched_weak": String(matchedWeakly),
         "exceptions_opened": String(exceptionsOpened), "exceptions_cleared": String(exceptionsCleared),
         "transfers_returned": String(transfersReturned), "today": today.description,
         "missing_after_days": String(missingAfterDays)]
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
        statementsStored + matchesChanged + exceptionsOpened + exceptionsCleared + transfersReturned > 0
    }
}
