import Foundation
package import SalurCore

/// What a reconciliation run matched on, kept so that a run which would read the same again — and so
/// change nothing — answers without matching (`salurctl reconcile` of a file already stored, or
/// alone, when no transfer moved since).
///
/// A run's matching reads every booked entry (entries are only ever added, by runs; a run changes
/// only their match and bank item), every statement's reference, every transfer, the day, the
/// settings (`missing_after_days`, the time zone) and the bank-item rules. The key names all but the
/// transfers: the caller's matching key (the rules), the day, the settings, and the last statement
/// and entry ids. Transfers: their count (none is ever deleted, and a deletion marks the basis
/// anyway), and `transfers_changed`, which the store's triggers set as soon as any transfer's state,
/// settlement time, references, account or amount changes. A run that found the same key and
/// `transfers_changed` 0 would match exactly as the run that recorded them, find every match and
/// exception already recorded, and change nothing; it returns that run's figures.
package enum ReconciliationBasis {
    /// The key of a run's basis.
    package static func key(matching: String, today: CalendarDate, missingAfterDays: Int, utcOffsetHours: Int,
                            lastStatement: Int64, lastEntry: Int64, transfers: Int64) -> String {
        [matching, today.description, String(missingAfterDays), String(utcOffsetHours), String(lastStatement), String(lastEntry),
         String(transfers)].joined(separator: "\u{1F}")
    }

    /// What a run's key is made of besides the caller's: the last statement and entry ids, and the
    /// number of transfers.
    package static let countsSQL = """
        SELECT (SELECT coalesce(max(id), 0) FROM statement), (SELECT coalesce(max(id), 0) FROM statement_entry),
               (SELECT count(*) FROM transfer)
        """
    /// What `reconcile status` checks the kept figures against: the recorded figures, whether a
    /// transfer changed since, the last entry id and the number of transfers.
    package static let statusSQL = """
        SELECT (SELECT figures FROM reconciliation_basis WHERE id = 1), (SELECT transfers_changed FROM reconciliation_basis WHERE id = 1),
               (SELECT coalesce(max(id), 0) FROM statement_entry), (SELECT count(*) FROM transfer)
        """
    /// The recorded basis: key, figures, whether a transfer changed since.
    package static let readSQL = "SELECT key, figures, transfers_changed FROM reconciliation_basis WHERE id = 1"

    /// The figures a run with nothing to change returns besides the open exceptions (read anew):
    /// the matches by kind, and the bank items of every month.
    package struct Figures: Codable, Sendable, Equatable {
        package var matchedReference: Int
        package var matchedWeak: Int
        package var bankItems: [String: [String: BankItemTotal]]
        /// `reconcile status` as the run left it, for its time zone: by month (`YYYY-MM`) and for
        /// all time (key `""`); with the entry and transfer counts it holds for.
        package var utcOffsetHours: Int
        package var lastEntry: Int64
        package var transfers: Int64
        package var status: [String: StatusFigures]

        /// The figures after a run that matched `input` to `outcome` (and recorded it).
        package init(_ run: ReconciliationRun, input: ReconciliationInput, outcome: ReconciliationOutcome, utcOffsetHours: Int,
                     lastEntry: Int64, transfers: Int64) {
            matchedReference = run.matchedByReference
            matchedWeak = run.matchedWeakly
            bankItems = ReconciliationRun.bankItems(input.entries, outcome)
            self.utcOffsetHours = utcOffsetHours
            self.lastEntry = lastEntry
            self.transfers = transfers
            status = StatusFigures.of(input, outcome)
        }

        package var json: String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
        }

        package static func from(json: String) -> Figures? {
            try? JSONDecoder().decode(Figures.self, from: Data(json.utf8))
        }

        /// The run that changes nothing: these figures, the open exceptions, and the statements of the
        /// file that are already stored.
        package func run(alreadyStored: Int, openExceptions: [String: Int]) -> ReconciliationRun {
            var run = ReconciliationRun()
            run.statementsUnchanged = alreadyStored
            run.matchedByReference = matchedReference
            run.matchedWeakly = matchedWeak
            run.bankItems = bankItems
            run.openExceptions = openExceptions
            return run
        }
    }

    /// What `reconcile status` counts of one month (or all time), kept by a run.
    package struct StatusFigures: Codable, Sendable, Equatable {
        package var matched = 0
        package var matchedAmount: Int64 = 0
        package var matchedWeak = 0
        package var unmatched = 0
        package var unmatchedAmount: Int64 = 0
        package var debits = 0
        package var debitAmount: Int64 = 0

        package init() {}

        /// The figures of `status` for the run's input and outcome, as the status queries count them:
        /// settled or returned transfers by the month they settled (bank time), matched when a debit
        /// pays them (weak when only weak ones do); booked debits by their value date's month.
        static func of(_ input: ReconciliationInput, _ outcome: ReconciliationOutcome) -> [String: StatusFigures] {
            // Per transfer (aligned with `input.transfers`): 0 no debit pays it, 1 only weak ones do, 2 one by reference.
            var paidBy = [UInt8](repeating: 0, count: input.transfers.count)
            for match in outcome.matches {
                guard let match, MatchKind.paid.contains(match.kind), let index = input.transferIndex(of: match.transferID) else { continue }
                paidBy[index] = match.kind == .weak ? max(paidBy[index], 1) : 2
            }
            // By year × 100 + month while counting (0: all time), named `YYYY-MM` at the end.
            var figures: [Int: StatusFigures] = [0: StatusFigures()]
            var names: [Int: String] = [0: ""]
            func add(_ day: CalendarDate?, _ body: (inout StatusFigures) -> Void) {
                body(&figures[0]!)
                guard let day else { return }
                let month = day.year * 100 + day.month
                if names[month] == nil { names[month] = String(day.description.prefix(7)) }
                body(&figures[month, default: StatusFigures()])
            }
            for (index, transfer) in input.transfers.enumerated() where transfer.state == .settled || transfer.state == .returned {
                let amount = transfer.amount.value
                if paidBy[index] > 0 {
                    let weak = paidBy[index] == 1
                    add(transfer.settledDay) { $0.matched += 1; $0.matchedAmount += amount; $0.matchedWeak += weak ? 1 : 0 }
                } else {
                    add(transfer.settledDay) { $0.unmatched += 1; $0.unmatchedAmount += amount }
                }
            }
            for entry in input.entries where entry.isDebit {
                add(entry.valueDate) { $0.debits += 1; $0.debitAmount += entry.amount.value }
            }
            return Dictionary(uniqueKeysWithValues: figures.map { (names[$0.key]!, $0.value) })
        }
    }

    /// The kept figures for `status`, when they hold: no transfer changed since the run that kept
    /// them, as many transfers and entries as then, and the same time zone.
    package static func statusFigures(_ recorded: String?, transfersChanged: Int64?, utcOffsetHours: Int,
                                      lastEntry: Int64, transfers: Int64) -> Figures? {
        guard let recorded, transfersChanged == 0, let figures = Figures.from(json: recorded),
              figures.utcOffsetHours == utcOffsetHours, figures.lastEntry == lastEntry, figures.transfers == transfers else { return nil }
        return figures
    }

    /// Whether the recorded basis lets this run answer without matching: the caller named its
    /// matching, no statement is new, the keys agree, and no transfer changed since.
    package static func unchanged(matching: String?, fresh: Int, recorded: (key: String, transfersChanged: Int64)?,
                                  key: String) -> Bool {
        matching != nil && fresh == 0 && recorded?.key == key && recorded?.transfersChanged == 0
    }

    /// Schema step v14, the statements both dialects share: the statement files stored whole (by
    /// SHA-256: how many statements, and their accounts), and the one-row basis of the last run.
    package static let tablesSQL = """
        CREATE TABLE statement_file (
            sha256 TEXT PRIMARY KEY,
            statements INTEGER NOT NULL,
            accounts TEXT NOT NULL,
            stored_at TEXT NOT NULL
        );
        CREATE TABLE reconciliation_basis (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            key TEXT NOT NULL,
            figures TEXT NOT NULL,
            transfers_changed INTEGER NOT NULL
        );
        """
    /// The transfer columns matching reads (besides the id).
    package static let transferColumns = ["state", "settled_at", "bank_reference_no", "beneficiary_account", "amount",
                                          "partner_reference_no"]
    /// Marks the basis: a transfer changed.
    package static let markSQL = "UPDATE reconciliation_basis SET transfers_changed = 1 WHERE transfers_changed = 0"

    /// The accounts of a file's statements as `statement_file.accounts` keeps them.
    package static func accounts(_ records: [StatementRecord]) -> String {
        records.map(\.accountNo).joined(separator: "\u{1F}")
    }

    /// The key `records` from `file` are kept under as a whole file (`statement_file.sha256`), when
    /// every statement's content comes from the file and the way it was read alone: the file's
    /// SHA-256 for MT940 and camt.053; for a CSV export, whose mapping and balances come from the
    /// configuration and flags, the key of that reading (`StatementRecord.csvReadingKey`). Nil —
    /// not kept — with no file, no statement, or an opening balance taken from a stored statement.
    package static func storedFileKey(_ records: [StatementRecord], file: SourceFile?) -> String? {
        guard let file, !records.isEmpty, records.allSatisfy({ $0.openingDerivedFrom == nil }) else { return nil }
        let keys = Set(records.map { $0.format == "csv" ? $0.csvReadingKey : file.sha256 })
        guard keys.count == 1 else { return nil }
        return keys.first ?? nil
    }
}

/// A statement file stored whole before (`ReconciliationLedger.storedStatementFile`).
package struct StoredStatementFile: Sendable, Equatable {
    /// How many statements the file holds.
    package var statements: Int
    /// Their accounts, in file order.
    package var accounts: [String]

    package init(statements: Int, accounts: String) {
        self.statements = statements
        self.accounts = accounts.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
    }
}
