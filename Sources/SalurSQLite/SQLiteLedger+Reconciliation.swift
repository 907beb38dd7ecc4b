import Foundation
import GRDB
package import SalurCore
package import SalurStore

/// Reconciliation: statements stored once, matched to transfers, exceptions kept with their resolution.
extension SQLiteLedger {
    /// Stores `statements` (each once: one already stored with the same content changes nothing),
    /// then matches every booked entry of every stored statement against every transfer with
    /// `match`, and records the outcome — all in one transaction with its audit rows.
    ///
    /// Matching is recomputed over everything each time, so the order statements arrive in, and a
    /// transfer that settles after its debit was seen, do not matter. A statement whose account,
    /// id, sequence and dates are those of a stored one but whose content differs is refused.
    package func reconcile(statements: [StatementRecord], file: SourceFile?, actor: String, today: CalendarDate,
                           missingAfterDays: Int, utcOffsetHours: Int,
                           match: (ReconciliationInput) throws -> ReconciliationOutcome) throws -> ReconciliationRun {
        try reconcile(statements: statements, alreadyStored: 0, file: file, actor: actor, today: today,
                      missingAfterDays: missingAfterDays, utcOffsetHours: utcOffsetHours, matching: nil, match: match)
    }

    /// `reconcile` of `statements`, with `alreadyStored` statements of `file` known to be stored and
    /// `matching` naming the rules of `match` (see `ReconciliationLedger.reconcile`).
    package func reconcile(statements: [StatementRecord], alreadyStored: Int, file: SourceFile?, actor: String, today: CalendarDate,
                           missingAfterDays: Int, utcOffsetHours: Int, matching: String?,
                           match: (ReconciliationInput) throws -> ReconciliationOutcome) throws -> ReconciliationRun {
        try write("reconciling") { db in
            var run = ReconciliationRun()
            run.statementsUnchanged = alreadyStored
            let now = self.timestamp()

            // 1. Which statements are new.
            var fresh: [(record: StatementRecord, rowID: Int64)] = []
            var nextStatement = (try Int64.fetchOne(db, sql: StoreSQL.lastStatementID) ?? 0) + 1
            var seenInFile: Set<String> = []
            for record in statements {
                let identity = [record.accountNo, record.statementId, record.sequence, record.contentHash].joined(separator: "\u{1F}")
                if try seenInFile.contains(identity) || SQLiteLedger.statementExists(db, record) {
                    run.statementsUnchanged += 1
                    seenInFile.insert(identity)
                    continue
                }
                if let other = try Row.fetchOne(db, sql: """
                    SELECT source_file, imported_at, imported_by FROM statement
                    WHERE account_no = ? AND statement_id = ? AND sequence = ? AND opening_date = ? AND closing_date = ?
                    """, arguments: [record.accountNo, record.statementId, record.sequence,
                                     record.openingDate.description, record.closingDate.description]) {
                    throw StatementRefusal.otherVersionStored(record, file: other["source_file"], by: other["imported_by"],
                                                              at: other["imported_at"])
                }
                if let twin = fresh.first(where: { $0.record.isOtherVersion(of: record) }) {
                    throw StatementRefusal.otherVersionInFile(record, alsoAt: twin.record.sourceLine)
                }
                seenInFile.insert(identity)
                fresh.append((record, nextStatement))
                nextStatement += 1
            }

            if let key = ReconciliationBasis.storedFileKey(statements, file: file) {
                try db.execute(sql: "INSERT INTO statement_file (sha256, statements, accounts, stored_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                               arguments: [key, statements.count, ReconciliationBasis.accounts(statements), now])
            }
            // Nothing new, and nothing matching reads changed since the last run: its figures stand.
            let basisCounts = { () throws -> (key: String, lastEntry: Int64, transfers: Int64) in
                let counts = try Row.fetchOne(db, sql: ReconciliationBasis.countsSQL)
                let (lastEntry, transfers): (Int64, Int64) = (counts?[1] ?? 0, counts?[2] ?? 0)
                return (ReconciliationBasis.key(matching: matching ?? "", today: today, missingAfterDays: missingAfterDays,
                                                utcOffsetHours: utcOffsetHours, lastStatement: counts?[0] ?? 0,
                                                lastEntry: lastEntry, transfers: transfers), lastEntry, transfers)
            }
            if matching != nil, fresh.isEmpty {
                let recorded = try Row.fetchOne(db, sql: ReconciliationBasis.readSQL)
                if let recorded, ReconciliationBasis.unchanged(matching: matching, fresh: fresh.count,
                                                               recorded: (recorded[0], recorded[2]), key: try basisCounts().key),
                   let figures = ReconciliationBasis.Figures.from(json: recorded[1]) {
                    return figures.run(alreadyStored: run.statementsUnchanged, openExceptions: try SQLiteLedger.openExceptions(db))
                }
            }

            let stored = try SQLiteLedger.storedTotal(db, of: "statement_entry", what: "the statement entries already stored")
            try StatementRefusal.checkLedgerTotal(stored: stored, adding: fresh.map(\.record))

            // 2. What matching needs: stored booked entries, then the new ones with ids they will get.
            var references: [Int64: StatementReference] = [:]
            for row in try Row.fetchAll(db, sql: StoreSQL.statementReferences) {
                references[row["id"]] = StatementReference(statementId: row["statement_id"], sequence: row["sequence"], sourceFile: row["source_file"])
            }
            var entries: [ReconciliationEntry] = []
            var previous: [EntryMatch?] = []
            var previousItems: [BankItemKind?] = []
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT id, statement_row, value_date, booking_date, direction, amount, is_reversal, bank_reference,
                       customer_reference, counterparty_account, description, line, transfer_id, match_kind,
                       amount_sen_part, transaction_code, bank_item
                FROM statement_entry WHERE status = 'booked' ORDER BY id
                """)
            while let row = try cursor.next() {
                guard let valueDate = CalendarDate(row[2] as String), let amount = Sen(whole: row[5], senPart: row[14]) else { continue }
                entries.append(ReconciliationEntry(
                    id: row[0], statement: row[1], valueDate: valueDate, bookingDate: (row[3] as String?).flatMap(CalendarDate.init),
                    isDebit: (row[4] as String) == "debit", isReversal: row[6] as Bool, amountSen: amount, transactionCode: row[15],
                    bankReference: row[7], customerReference: row[8], counterpartyAccount: row[9], description: row[10], line: row[11]))
                let transfer: Int64? = row[12]
                let kind = (row[13] as String?).flatMap(MatchKind.init(rawValue:))
                previous.append(transfer.flatMap { id in kind.map { EntryMatch(transferID: id, kind: $0) } })
                previousItems.append((row[16] as String?).flatMap(BankItemKind.init(rawValue:)))
            }
            let storedCount = entries.count
            let firstEntry = (try Int64.fetchOne(db, sql: StoreSQL.lastStatementEntryID) ?? 0) + 1
            var all = ReconciliationEntries(entries)
            entries = []
            let firstIDs = all.addNew(fresh, firstID: firstEntry, references: &references)
            let transfers = try SQLiteLedger.reconciliationTransfers(db, utcOffsetHours: utcOffsetHours, sharing: all.bankReferences())
            let input = ReconciliationInput(entries: all, transfers: transfers, statements: references, today: today,
                                            missingAfterDays: missingAfterDays)
            let outcome = try input.matched(by: match)
            // New booked entries follow the stored ones in `input.entries`, in file order.
            var nextNewMatch = storedCount

            // 3. Store the new statements with their entries' matches.
            for ((record, rowID), firstID) in zip(fresh, firstIDs) {
                let (debits, credits) = try record.bookedTotals()
                try db.execute(sql: """
                    INSERT INTO statement (id, account_no, statement_id, sequence, content_hash, format, currency, opening_balance,
                        closing_balance, opening_date, closing_date, entry_count, debit_count, debit_total, credit_count, credit_total,
                        source_file, source_line, file_sha256, imported_by, imported_at, opening_balance_sen_part,
                        closing_balance_sen_part, debit_total_sen_part, credit_total_sen_part, opening_derived_from)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [rowID, record.accountNo, record.statementId, record.sequence, record.contentHash, record.format,
                                     record.currency, record.openingBalanceSen.columns.whole, record.closingBalanceSen.columns.whole,
                                     record.openingDate.description, record.closingDate.description, record.lines.count,
                                     debits.count, debits.total.columns.whole, credits.count, credits.total.columns.whole, record.sourceFile,
                                     record.sourceLine, record.fileSHA256, actor, now, record.openingBalanceSen.columns.senPart,
                                     record.closingBalanceSen.columns.senPart, debits.total.columns.senPart,
                                     credits.total.columns.senPart, record.openingDerivedFrom])
                // Each booked line's match and bank item: the next ones of the outcome, in file order.
                var matched: [(match: EntryMatch?, item: BankItemKind?)] = []
                matched.reserveCapacity(record.lines.count)
                for line in record.lines {
                    guard line.isBooked else { matched.append((nil, nil)); continue }
                    matched.append((outcome.matches[nextNewMatch], outcome.bankItem(nextNewMatch)))
                    nextNewMatch += 1
                }
                run.matchesChanged += matched.count { $0.match != nil }
                _ = try BulkStatement.insert(db, """
                    INSERT INTO statement_entry (id, statement_row, position, value_date, booking_date, direction, amount, is_reversal,
                        status, bank_reference, customer_reference, counterparty_account, counterparty_name, description, line,
                        transfer_id, match_kind, amount_sen_part, transaction_code, bank_item) VALUES
                    """, row: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", width: 20,
                    count: record.lines.count, perStatement: 40) { statement, column, position in
                    let line = record.lines[position]
                    let (found, item) = matched[position]
                    statement.bind(column + 1, firstID + Int64(position))
                    statement.bind(column + 2, rowID)
                    statement.bind(column + 3, Int64(position + 1))
                    statement.bind(column + 4, line.valueDate.description)
                    statement.bind(column + 5, line.bookingDate?.description)
                    statement.bind(column + 6, line.isDebit ? "debit" : "credit")
                    statement.bind(column + 7, line.amountSen.columns.whole)
                    statement.bind(column + 8, line.isReversal ? 1 : 0)
                    statement.bind(column + 9, line.isBooked ? "booked" : "pending")
                    statement.bind(column + 10, line.bankReference)
                    statement.bind(column + 11, line.customerReference)
                    statement.bind(column + 12, line.counterpartyAccount)
                    statement.bind(column + 13, line.counterpartyName)
                    statement.bind(column + 14, line.description)
                    statement.bind(column + 15, Int64(line.line))
                    if let found { statement.bind(column + 16, found.transferID) } else { statement.bind(column + 16, nil as String?) }
                    statement.bind(column + 17, found?.kind.rawValue)
                    statement.bind(column + 18, line.amountSen.columns.senPart)
                    statement.bind(column + 19, line.transactionCode)
                    statement.bind(column + 20, item?.rawValue)
                }
                run.statementsStored += 1
                run.entriesStored += record.lines.count
                if let file {
                    try SQLiteLedger.audit(db, actor: actor, action: "reconcile.statement", subject: file.path,
                                           details: record.auditDetails(file: file))
                }
            }

            // 4. Stored entries whose match changed (a transfer settled since, a statement arrived before another, …).
            let updateEntry = try db.makeStatement(sql: "UPDATE statement_entry SET transfer_id = ?, match_kind = ? WHERE id = ?")
            for index in 0..<storedCount where outcome.matches[index] != previous[index] {
                let found = outcome.matches[index]
                try updateEntry.execute(arguments: [found?.transferID, found?.kind.rawValue, input.entries[index].id])
                run.matchesChanged += 1
            }
            // 4b. Stored entries a changed `[reconciliation.bank_items]` rule classifies anew, audited.
            let reclassified = BankItemChanges.changed(previous: previousItems, outcome)
            if !reclassified.isEmpty {
                let updateItem = try db.makeStatement(sql: "UPDATE statement_entry SET bank_item = ? WHERE id = ?")
                for index in reclassified {
                    try updateItem.execute(arguments: [outcome.bankItem(index)?.rawValue, input.entries[index].id])
                }
                run.bankItemsReclassified = reclassified.count
                try SQLiteLedger.audit(db, actor: actor, action: "reconcile.bank_items", subject: ReconciliationRun.auditSubject(file),
                                       details: BankItemChanges.auditDetails(reclassified, previous: previousItems, outcome,
                                                                             entries: input.entries))
            }
            run.totalBankItems(input.entries, outcome, months: BankItemChanges.months(of: fresh.map(\.record)))

            // 5. Money that came back.
            for id in Set(outcome.returnedTransfers).sorted() {
                // Returned only when what came back covers the payment as often as it was paid: a
                // partial refund, or the bank reversing its own duplicate debit, is not a return.
                let sums = try Row.fetchOne(db, sql: """
                    SELECT coalesce(sum(CASE WHEN e.direction = 'credit' THEN e.amount * 100 + e.amount_sen_part END), 0) AS credited,
                           count(CASE WHEN e.direction = 'credit' THEN 1 END) AS credits,
                           count(CASE WHEN e.direction = 'debit' THEN 1 END) AS debits, t.amount * 100 AS amount
                    FROM transfer t LEFT JOIN statement_entry e ON e.transfer_id = t.id WHERE t.id = ? GROUP BY t.id
                    """, arguments: [id])
                guard let sums, (sums["credited"] as Int64) >= (sums["amount"] as Int64),
                      (sums["credits"] as Int) >= max(1, sums["debits"] as Int) else { continue }
                try db.execute(sql: "UPDATE transfer SET state = 'returned', updated_at = ? WHERE id = ? AND state = 'settled'",
                               arguments: [now, id])
                guard db.changesCount == 1 else { continue }
                run.transfersReturned += 1
                let reference = try String.fetchOne(db, sql: "SELECT partner_reference_no FROM transfer WHERE id = ?", arguments: [id]) ?? ""
                try SQLiteLedger.audit(db, actor: actor, action: "transfer.returned", subject: reference, details: [
                    "transfer_id": String(id), "from": "settled", "to": "returned",
                ])
            }

            // 6. Exceptions: new ones opened, gone ones cleared, resolutions kept.
            var existing: [String: (id: Int64, state: String, evidence: String)] = [:]
            for row in try Row.fetchAll(db, sql: StoreSQL.exceptionsByKey) {
                existing[row["key"]] = (row["id"], row["state"], row["evidence"])
            }
            var found: Set<String> = []
            for finding in outcome.findings where found.insert(finding.key).inserted {
                if let known = existing[finding.key] {
                    if known.state == "cleared" {
                        try db.execute(sql: """
                            UPDATE reconciliation_exception SET state = 'open', cleared_at = NULL, evidence = ?, amount = ?, day = ?,
                                transfer_id = ?, entry_id = ?, other_entry_id = ?, updated_at = ? WHERE id = ?
                            """, arguments: [finding.evidence, finding.amount.value, finding.day.description, finding.transferID,
                                             finding.entryID, finding.otherEntryID, now, known.id])
                        run.exceptionsOpened += 1
                    } else if known.evidence != finding.evidence {
                        try db.execute(sql: """
                            UPDATE reconciliation_exception SET evidence = ?, amount = ?, day = ?, transfer_id = ?, entry_id = ?,
                                other_entry_id = ?, updated_at = ? WHERE id = ?
                            """, arguments: [finding.evidence, finding.amount.value, finding.day.description, finding.transferID,
                                             finding.entryID, finding.otherEntryID, now, known.id])
                    }
                    continue
                }
                try db.execute(sql: """
                    INSERT INTO reconciliation_exception (key, kind, state, transfer_id, entry_id, other_entry_id, amount, day, evidence,
                        detected_at, detected_by, updated_at)
                    VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [finding.key, finding.kind.rawValue, finding.transferID, finding.entryID, finding.otherEntryID,
                                     finding.amount.value, finding.day.description, finding.evidence, now, actor, now])
                run.exceptionsOpened += 1
            }
            for (key, known) in existing where known.state == "open" && !found.contains(key) {
                try db.execute(sql: "UPDATE reconciliation_exception SET state = 'cleared', cleared_at = ?, updated_at = ? WHERE id = ?",
                               arguments: [now, now, known.id])
                run.exceptionsCleared += 1
            }

            // 7. The figures after this run, and one audit row when anything changed.
            run.openExceptions = try SQLiteLedger.openExceptions(db)
            run.count(outcome.matches)
            if run.changedAnything {
                try SQLiteLedger.audit(db, actor: actor, action: "reconcile.run", subject: ReconciliationRun.auditSubject(file),
                                       details: run.auditDetails(today: today, missingAfterDays: missingAfterDays))
            }
            // 8. The basis of this run (a run that returned transfers leaves it marked: they changed).
            let basis = try basisCounts()
            let figures = ReconciliationBasis.Figures(run, input: input, outcome: outcome, utcOffsetHours: utcOffsetHours,
                                                      lastEntry: basis.lastEntry, transfers: basis.transfers)
            try db.execute(sql: ReconciliationMarks.recordSQL("?, ?, ?"), arguments: [basis.key, figures.json, run.transfersReturned > 0 ? 1 : 0])
            if run.transfersReturned == 0 { try db.execute(sql: ReconciliationMarks.clearSQL) }
            return run
        }
    }

    /// The statement file with this SHA-256, when a run stored it whole.
    package func storedStatementFile(sha256: String) throws -> StoredStatementFile? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT statements, accounts FROM statement_file WHERE sha256 = ?", arguments: [sha256])
                .map { StoredStatementFile(statements: $0[0], accounts: $0[1]) }
        }
    }

    /// Open exceptions by kind.
    static func openExceptions(_ db: Database) throws -> [String: Int] {
        var open: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT kind, count(*) AS n FROM reconciliation_exception WHERE state = 'open' GROUP BY kind") {
            open[row["kind"]] = row["n"]
        }
        return open
    }

    static func statementExists(_ db: Database, _ record: StatementRecord) throws -> Bool {
        try Bool.fetchOne(db, sql: """
            SELECT 1 FROM statement WHERE account_no = ? AND statement_id = ? AND sequence = ? AND content_hash = ?
            """, arguments: [record.accountNo, record.statementId, record.sequence, record.contentHash]) ?? false
    }

    /// Every transfer, with its settlement day in the bank's time zone, and its bank reference
    /// sharing the storage of an equal one in `shared`.
    static func reconciliationTransfers(_ db: Database, utcOffsetHours: Int, sharing shared: SharedText) throws -> [ReconciliationTransfer] {
        var transfers: [ReconciliationTransfer] = []
        // Sized once: a million transfers grown by doubling would hold one and a half copies at the end.
        transfers.reserveCapacity(try Int.fetchOne(db, sql: "SELECT count(*) FROM transfer") ?? 0)
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT id, partner_reference_no, bank_reference_no, beneficiary_account, amount, state, date(settled_at, ?)
            FROM transfer ORDER BY id
            """, arguments: [shift(utcOffsetHours)])
        while let row = try cursor.next() {
            guard let state = TransferState(rawValue: row[5]) else { continue }
            transfers.append(ReconciliationTransfer(
                id: row[0], partnerReferenceNo: row[1], bankReferenceNo: (row[2] as String?).map(shared.shared), accountNo: row[3],
                amount: Rupiah(row[4] as Int64),
                state: state, settledDay: (row[6] as String?).flatMap(CalendarDate.init)))
        }
        return transfers
    }

    /// The SQLite date modifier from UTC to the bank's time zone: `+7 hours`.
    static func shift(_ hours: Int) -> String { "\(hours >= 0 ? "+" : "")\(hours) hours" }
}
