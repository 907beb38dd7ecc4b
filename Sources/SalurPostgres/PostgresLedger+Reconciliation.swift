import Foundation
import PostgresNIO
package import SalurCore
package import SalurStore

/// Reconciliation on PostgreSQL: a port of `SQLiteLedger.reconcile`, with the same results, ids,
/// exceptions, evidence and audit rows.
///
/// Concurrency: a run holds the advisory lock `LockKey.reconcile` for its whole transaction (two
/// runs, or a run and `resolveReconciliationException`, never interleave), and locks the `transfer`
/// table in EXCLUSIVE mode, which lets plain reads through but makes engines' claims and every
/// transfer write wait until the run commits. Matching thus sees the transfers as they are when it
/// records its outcome, as on SQLite where the run is one write transaction; and an engine that
/// claims a transfer after the run reads the statement entries the run stored (it never resends a
/// transfer the bank debited). The price: engines pause while a run lasts.
///
/// Statement, entry and exception ids are allocated as max(id) + 1 under that lock, as SQLite does,
/// so both stores number them alike. Entries, changed matches and exceptions are written in bulk
/// (arrays bound as parameters, `PostgresLedger.chunk` rows per statement).
extension PostgresLedger {
    package func reconcile(statements: [StatementRecord], alreadyStored: Int, file: SourceFile?, actor: String, today: CalendarDate,
                           missingAfterDays: Int, utcOffsetHours: Int, matching: String?,
                           match: (ReconciliationInput) throws -> ReconciliationOutcome) async throws -> ReconciliationRun {
        try await transaction("reconciling") { connection in
            try await self.execute(connection, "SELECT pg_advisory_xact_lock(\(LockKey.reconcile.rawValue))")
            try await self.execute(connection, "LOCK TABLE transfer IN EXCLUSIVE MODE")
            var run = ReconciliationRun()
            run.statementsUnchanged = alreadyStored
            var audits: [AuditRecord] = []
            let now = Timestamp.iso8601(clock.now)

            // 1. Which statements are new.
            var fresh: [(record: StatementRecord, rowID: Int64)] = []
            var nextStatement = try await self.scalar(connection, PostgresQuery(unsafeSQL: StoreSQL.lastStatementID)) + 1
            var seenInFile: Set<String> = []
            for record in statements {
                let identity = [record.accountNo, record.statementId, record.sequence, record.contentHash].joined(separator: "\u{1F}")
                if seenInFile.contains(identity) {
                    run.statementsUnchanged += 1
                    continue
                }
                let exists = try await self.execute(connection, """
                    SELECT 1 FROM statement WHERE account_no = \(record.accountNo) AND statement_id = \(record.statementId)
                      AND sequence = \(record.sequence) AND content_hash = \(record.contentHash)
                    """) > 0
                if exists {
                    run.statementsUnchanged += 1
                    seenInFile.insert(identity)
                    continue
                }
                if let other = try await connection.statement("""
                    SELECT source_file, imported_at, imported_by FROM statement
                    WHERE account_no = \(record.accountNo) AND statement_id = \(record.statementId) AND sequence = \(record.sequence)
                      AND opening_date = \(record.openingDate.description) AND closing_date = \(record.closingDate.description)
                    ORDER BY id LIMIT 1
                    """, logger: self.logger).first?.decode((String, String, String).self) {
                    throw StatementRefusal.otherVersionStored(record, file: other.0, by: other.2, at: other.1)
                }
                if let twin = fresh.first(where: { $0.record.isOtherVersion(of: record) }) {
                    throw StatementRefusal.otherVersionInFile(record, alsoAt: twin.record.sourceLine)
                }
                seenInFile.insert(identity)
                fresh.append((record, nextStatement))
                nextStatement += 1
            }
            if let key = ReconciliationBasis.storedFileKey(statements, file: file) {
                try await self.execute(connection, """
                    INSERT INTO statement_file (sha256, statements, accounts, stored_at)
                    VALUES (\(key), \(statements.count), \(ReconciliationBasis.accounts(statements)), \(now)) ON CONFLICT DO NOTHING
                    """)
            }
            // Nothing new, and nothing matching reads changed since the last run: its figures stand.
            let basisCounts = { () async throws -> (key: String, lastEntry: Int64, transfers: Int64) in
                let row = try await connection.statement(PostgresQuery(unsafeSQL: ReconciliationBasis.countsSQL), logger: self.logger)
                    .first
                var counts: (Int64, Int64, Int64) = (0, 0, 0)
                if let row { counts = try row.decode((Int64, Int64, Int64).self) }
                return (ReconciliationBasis.key(matching: matching ?? "", today: today, missingAfterDays: missingAfterDays,
                                                utcOffsetHours: utcOffsetHours, lastStatement: counts.0, lastEntry: counts.1,
                                                transfers: counts.2), counts.1, counts.2)
            }
            if matching != nil, fresh.isEmpty,
               let recorded = try await connection.statement(PostgresQuery(unsafeSQL: ReconciliationBasis.readSQL), logger: self.logger)
                   .first?.decode((String, String, Int64).self),
               ReconciliationBasis.unchanged(matching: matching, fresh: fresh.count, recorded: (recorded.0, recorded.2),
                                             key: try await basisCounts().key),
               let figures = ReconciliationBasis.Figures.from(json: recorded.1) {
                return figures.run(alreadyStored: run.statementsUnchanged, openExceptions: try await self.openExceptions(connection))
            }
            let storedTotal = try await self.scalar(connection, "SELECT coalesce(sum(amount), 0)::bigint FROM statement_entry")
            try StatementRefusal.checkLedgerTotal(stored: Rupiah(storedTotal), adding: fresh.map(\.record))

            // 2. What matching needs: stored booked entries, then the new ones with ids they will get.
            var references: [Int64: StatementReference] = [:]
            for try await (id, statementID, sequence, sourceFile) in try await connection.streamedStatement(
                PostgresQuery(unsafeSQL: StoreSQL.statementReferences), logger: self.logger
            ).decode((Int64, String, String, String).self) {
                references[id] = StatementReference(statementId: statementID, sequence: sequence, sourceFile: sourceFile)
            }
            var entries: [ReconciliationEntry] = []
            var previous: [EntryMatch?] = []
            var previousItems: [BankItemKind?] = []
            for try await (id, statement, value, booking, direction, amount, reversal, bankReference, customerReference, counterparty,
                           description, line, transfer, kind, senPart, code, item) in try await connection.streamedStatement("""
                SELECT id, statement_row, value_date, booking_date, direction, amount, is_reversal, bank_reference,
                       customer_reference, counterparty_account, description, line, transfer_id, match_kind,
                       amount_sen_part, transaction_code, bank_item
                FROM statement_entry WHERE status = 'booked' ORDER BY id
                """, logger: self.logger).decode((Int64, Int64, String, String?, String, Int64, Int64, String, String, String?, String,
                                                  Int, Int64?, String?, Int64, String, String?).self) {
                guard let valueDate = CalendarDate(value), let exact = Sen(whole: amount, senPart: senPart) else { continue }
                entries.append(ReconciliationEntry(
                    id: id, statement: statement, valueDate: valueDate, bookingDate: booking.flatMap(CalendarDate.init),
                    isDebit: direction == "debit", isReversal: reversal != 0, amountSen: exact, transactionCode: code,
                    bankReference: bankReference, customerReference: customerReference, counterpartyAccount: counterparty,
                    description: description, line: line))
                let matchKind = kind.flatMap(MatchKind.init(rawValue:))
                previous.append(transfer.flatMap { id in matchKind.map { EntryMatch(transferID: id, kind: $0) } })
                previousItems.append(item.flatMap(BankItemKind.init(rawValue:)))
            }
            let storedCount = entries.count
            let firstEntry = try await self.scalar(connection, PostgresQuery(unsafeSQL: StoreSQL.lastStatementEntryID)) + 1
            var all = ReconciliationEntries(entries)
            entries = []
            let firstIDs = all.addNew(fresh, firstID: firstEntry, references: &references)
            let transfers = try await self.reconciliationTransfers(connection, utcOffsetHours: utcOffsetHours,
                                                                   sharing: all.bankReferences())
            let input = ReconciliationInput(entries: all, transfers: transfers, statements: references, today: today,
                                            missingAfterDays: missingAfterDays)
            let outcome = try input.matched(by: match)
            // New booked entries follow the stored ones in `input.entries`, in file order.
            var nextNewMatch = storedCount

            // 3. Store the new statements with their entries' matches.
            for ((record, rowID), firstID) in zip(fresh, firstIDs) {
                let (debits, credits) = try record.bookedTotals()
                try await self.execute(connection, """
                    INSERT INTO statement (id, account_no, statement_id, sequence, content_hash, format, currency, opening_balance,
                        closing_balance, opening_date, closing_date, entry_count, debit_count, debit_total, credit_count, credit_total,
                        source_file, source_line, file_sha256, imported_by, imported_at, opening_balance_sen_part,
                        closing_balance_sen_part, debit_total_sen_part, credit_total_sen_part, opening_derived_from)
                    VALUES (\(rowID), \(record.accountNo), \(record.statementId), \(record.sequence), \(record.contentHash),
                        \(record.format), \(record.currency), \(record.openingBalanceSen.columns.whole),
                        \(record.closingBalanceSen.columns.whole),
                        \(record.openingDate.description), \(record.closingDate.description), \(record.lines.count),
                        \(debits.count), \(debits.total.columns.whole), \(credits.count), \(credits.total.columns.whole),
                        \(record.sourceFile), \(record.sourceLine), \(record.fileSHA256), \(actor), \(now),
                        \(record.openingBalanceSen.columns.senPart), \(record.closingBalanceSen.columns.senPart),
                        \(debits.total.columns.senPart), \(credits.total.columns.senPart), \(record.openingDerivedFrom))
                    """)
                var matches: [EntryMatch?] = []
                var items: [BankItemKind?] = []
                matches.reserveCapacity(record.lines.count)
                for line in record.lines {
                    var found: EntryMatch?
                    var item: BankItemKind?
                    if line.isBooked {
                        found = outcome.matches[nextNewMatch]
                        item = outcome.bankItem(nextNewMatch)
                        nextNewMatch += 1
                    }
                    matches.append(found)
                    items.append(item)
                    if found != nil { run.matchesChanged += 1 }
                }
                try await self.insertEntries(connection, record.lines, matches: matches, items: items, statement: rowID, firstID: firstID)
                run.statementsStored += 1
                run.entriesStored += record.lines.count
                if let file {
                    audits.append(AuditRecord(actor: actor, action: "reconcile.statement", subject: file.path,
                                              details: record.auditDetails(file: file)))
                }
            }

            // 4. Stored entries whose match changed (a transfer settled since, a statement arrived before another, …).
            var changed: [(id: Int64, match: EntryMatch?)] = []
            for index in 0..<storedCount where outcome.matches[index] != previous[index] {
                changed.append((input.entries[index].id, outcome.matches[index]))
            }
            run.matchesChanged += changed.count
            for start in stride(from: 0, to: changed.count, by: Self.chunk) {
                let chunk = changed[start..<min(start + Self.chunk, changed.count)]
                try await self.execute(connection, """
                    UPDATE statement_entry e SET transfer_id = CASE WHEN v.has THEN v.transfer END,
                        match_kind = CASE WHEN v.has THEN v.kind END
                    FROM unnest(\(chunk.map(\.id))::bigint[], \(chunk.map { $0.match?.transferID ?? 0 })::bigint[],
                                \(chunk.map { $0.match != nil })::bool[], \(chunk.map { $0.match?.kind.rawValue ?? "" })::text[])
                         AS v(id, transfer, has, kind)
                    WHERE e.id = v.id
                    """)
            }
            // 4b. Stored entries a changed `[reconciliation.bank_items]` rule classifies anew, audited.
            let reclassified = BankItemChanges.changed(previous: previousItems, outcome)
            for start in stride(from: 0, to: reclassified.count, by: Self.chunk) {
                let chunk = reclassified[start..<min(start + Self.chunk, reclassified.count)]
                try await self.execute(connection, """
                    UPDATE statement_entry e SET bank_item = CASE WHEN v.item = '' THEN NULL ELSE v.item END
                    FROM unnest(\(chunk.map { input.entries[$0].id })::bigint[],
                                \(chunk.map { outcome.bankItem($0)?.rawValue ?? "" })::text[]) AS v(id, item)
                    WHERE e.id = v.id
                    """)
            }
            if !reclassified.isEmpty {
                run.bankItemsReclassified = reclassified.count
                audits.append(AuditRecord(actor: actor, action: "reconcile.bank_items", subject: ReconciliationRun.auditSubject(file),
                                          details: BankItemChanges.auditDetails(reclassified, previous: previousItems, outcome,
                                                                                entries: input.entries)))
            }
            run.totalBankItems(input.entries, outcome, months: BankItemChanges.months(of: fresh.map(\.record)))

            // 5. Money that came back.
            for id in Set(outcome.returnedTransfers).sorted() {
                // Returned only when what came back covers the payment as often as it was paid: a
                // partial refund, or the bank reversing its own duplicate debit, is not a return.
                guard let (credited, creditCount, debitCount, amount) = try await connection.statement("""
                    SELECT coalesce(sum(CASE WHEN e.direction = 'credit' THEN e.amount * 100 + e.amount_sen_part END), 0)::bigint,
                           count(CASE WHEN e.direction = 'credit' THEN 1 END),
                           count(CASE WHEN e.direction = 'debit' THEN 1 END), t.amount * 100
                    FROM transfer t LEFT JOIN statement_entry e ON e.transfer_id = t.id WHERE t.id = \(id) GROUP BY t.id
                    """, logger: self.logger).first?.decode((Int64, Int, Int, Int64).self),
                      credited >= amount, creditCount >= max(1, debitCount) else { continue }
                guard let reference = try await connection.statement("""
                    UPDATE transfer SET state = 'returned', updated_at = \(now) WHERE id = \(id) AND state = 'settled'
                    RETURNING partner_reference_no
                    """, logger: self.logger).first?.decode(String.self) else { continue }
                run.transfersReturned += 1
                audits.append(AuditRecord(actor: actor, action: "transfer.returned", subject: reference, details: [
                    "transfer_id": String(id), "from": "settled", "to": "returned",
                ]))
            }

            // 6. Exceptions: new ones opened, gone ones cleared, resolutions kept.
            try await self.recordFindings(connection, outcome.findings, actor: actor, now: now, run: &run)

            // 7. The figures after this run, and one audit row when anything changed.
            run.openExceptions = try await self.openExceptions(connection)
            run.count(outcome.matches)
            if run.changedAnything {
                audits.append(AuditRecord(actor: actor, action: "reconcile.run", subject: ReconciliationRun.auditSubject(file),
                                          details: run.auditDetails(today: today, missingAfterDays: missingAfterDays)))
            }
            try await self.audit(connection, audits)
            // 8. The basis of this run (a run that returned transfers leaves it marked: they changed).
            let basis = try await basisCounts()
            let figures = ReconciliationBasis.Figures(run, input: input, outcome: outcome, utcOffsetHours: utcOffsetHours,
                                                      lastEntry: basis.lastEntry, transfers: basis.transfers).json
            var bindings = PostgresBindings()
            bindings.append(basis.key)
            bindings.append(figures)
            bindings.append(Int64(run.transfersReturned > 0 ? 1 : 0))
            try await self.execute(connection, PostgresQuery(unsafeSQL: ReconciliationMarks.recordSQL("$1, $2, $3"), binds: bindings))
            if run.transfersReturned == 0 { try await self.execute(connection, PostgresQuery(unsafeSQL: ReconciliationMarks.clearSQL)) }
            return run
        }
    }

    /// The statement file with this SHA-256, when a run stored it whole.
    package func storedStatementFile(sha256: String) async throws -> StoredStatementFile? {
        try await withConnection("reading the statement files") { connection in
            let row = try await connection.statement("SELECT statements, accounts FROM statement_file WHERE sha256 = \(sha256)",
                                                     logger: self.logger).first
            guard let row else { return nil }
            let (statements, accounts) = try row.decode((Int, String).self)
            return StoredStatementFile(statements: statements, accounts: accounts)
        }
    }

    /// Open exceptions by kind.
    private func openExceptions(_ connection: PostgresConnection) async throws -> [String: Int] {
        var open: [String: Int] = [:]
        for try await (kind, count) in try await connection.streamedStatement("""
            SELECT kind, count(*) FROM reconciliation_exception WHERE state = 'open' GROUP BY kind
            """, logger: self.logger).decode((String, Int).self) {
            open[kind] = count
        }
        return open
    }

    /// Inserts one statement's entries with ids `firstID`, `firstID + 1`, … in file order, in bulk.
    private func insertEntries(_ connection: PostgresConnection, _ lines: [StatementLine], matches: [EntryMatch?],
                               items: [BankItemKind?], statement: Int64, firstID: Int64) async throws {
        for start in stride(from: 0, to: lines.count, by: Self.chunk) {
            let range = start..<min(start + Self.chunk, lines.count)
            let l = lines[range]
            let m = matches[range]
            let b = items[range]
            try await execute(connection, """
                INSERT INTO statement_entry (id, statement_row, position, value_date, booking_date, direction, amount, is_reversal,
                    status, bank_reference, customer_reference, counterparty_account, counterparty_name, description, line,
                    transfer_id, match_kind, amount_sen_part, transaction_code, bank_item)
                SELECT \(firstID + Int64(start)) + n - 1, \(statement), \(start) + n, value_date,
                    CASE WHEN has_booking THEN booking_date END, direction, amount, reversal, status, bank_reference,
                    customer_reference, CASE WHEN has_account THEN account END, CASE WHEN has_name THEN name END, description, line,
                    CASE WHEN has_match THEN transfer END, CASE WHEN has_match THEN kind END, sen_part, code,
                    CASE WHEN item = '' THEN NULL ELSE item END
                FROM unnest(\(l.map(\.valueDate.description))::text[], \(l.map { $0.bookingDate?.description ?? "" })::text[],
                            \(l.map { $0.bookingDate != nil })::bool[], \(l.map { $0.isDebit ? "debit" : "credit" })::text[],
                            \(l.map(\.amountSen.columns.whole))::bigint[], \(l.map { Int64($0.isReversal ? 1 : 0) })::bigint[],
                            \(l.map { $0.isBooked ? "booked" : "pending" })::text[], \(l.map(\.bankReference))::text[],
                            \(l.map(\.customerReference))::text[], \(l.map { $0.counterpartyAccount ?? "" })::text[],
                            \(l.map { $0.counterpartyAccount != nil })::bool[], \(l.map { $0.counterpartyName ?? "" })::text[],
                            \(l.map { $0.counterpartyName != nil })::bool[], \(l.map(\.description))::text[],
                            \(l.map { Int64($0.line) })::bigint[], \(m.map { $0?.transferID ?? 0 })::bigint[],
                            \(m.map { $0 != nil })::bool[], \(m.map { $0?.kind.rawValue ?? "" })::text[],
                            \(l.map(\.amountSen.columns.senPart))::bigint[], \(l.map(\.transactionCode))::text[],
                            \(b.map { $0?.rawValue ?? "" })::text[])
                     WITH ORDINALITY AS u(value_date, booking_date, has_booking, direction, amount, reversal, status, bank_reference,
                          customer_reference, account, has_account, name, has_name, description, line, transfer, has_match, kind,
                          sen_part, code, item, n)
                """)
        }
    }

    /// Step 6 of a run: opens new findings (ids max(id) + 1 in the findings' order), reopens cleared
    /// ones seen again, refreshes the evidence of open or resolved ones, and clears open ones gone.
    private func recordFindings(_ connection: PostgresConnection, _ findings: [ReconciliationFinding], actor: String, now: String,
                                run: inout ReconciliationRun) async throws {
        var existing: [String: (id: Int64, state: String, evidence: String)] = [:]
        for try await (id, key, state, evidence) in try await connection.streamedStatement(
            PostgresQuery(unsafeSQL: StoreSQL.exceptionsByKey), logger: logger
        ).decode((Int64, String, String, String).self) {
            existing[key] = (id, state, evidence)
        }
        var found: Set<String> = []
        var updates: [(id: Int64, reopen: Bool, finding: ReconciliationFinding)] = []
        var inserts: [ReconciliationFinding] = []
        for finding in findings where found.insert(finding.key).inserted {
            if let known = existing[finding.key] {
                if known.state == "cleared" {
                    updates.append((known.id, true, finding))
                    run.exceptionsOpened += 1
                } else if known.evidence != finding.evidence {
                    updates.append((known.id, false, finding))
                }
                continue
            }
            inserts.append(finding)
            run.exceptionsOpened += 1
        }
        for start in stride(from: 0, to: updates.count, by: Self.chunk) {
            let chunk = updates[start..<min(start + Self.chunk, updates.count)]
            let f = chunk.map(\.finding)
            try await execute(connection, """
                UPDATE reconciliation_exception x SET
                    state = CASE WHEN v.reopen THEN 'open' ELSE x.state END,
                    cleared_at = CASE WHEN v.reopen THEN NULL ELSE x.cleared_at END,
                    evidence = v.evidence, amount = v.amount, day = v.day,
                    transfer_id = CASE WHEN v.has_transfer THEN v.transfer END, entry_id = CASE WHEN v.has_entry THEN v.entry END,
                    other_entry_id = CASE WHEN v.has_other THEN v.other END, updated_at = \(now)
                FROM unnest(\(chunk.map(\.id))::bigint[], \(chunk.map(\.reopen))::bool[], \(f.map(\.evidence))::text[],
                            \(f.map(\.amount.value))::bigint[], \(f.map(\.day.description))::text[],
                            \(f.map { $0.transferID ?? 0 })::bigint[], \(f.map { $0.transferID != nil })::bool[],
                            \(f.map { $0.entryID ?? 0 })::bigint[], \(f.map { $0.entryID != nil })::bool[],
                            \(f.map { $0.otherEntryID ?? 0 })::bigint[], \(f.map { $0.otherEntryID != nil })::bool[])
                     AS v(id, reopen, evidence, amount, day, transfer, has_transfer, entry, has_entry, other, has_other)
                WHERE x.id = v.id
                """)
        }
        var nextID = try await scalar(connection, "SELECT coalesce(max(id), 0) FROM reconciliation_exception") + 1
        for start in stride(from: 0, to: inserts.count, by: Self.chunk) {
            let f = Array(inserts[start..<min(start + Self.chunk, inserts.count)])
            try await execute(connection, """
                INSERT INTO reconciliation_exception (id, key, kind, state, transfer_id, entry_id, other_entry_id, amount, day, evidence,
                    detected_at, detected_by, updated_at)
                SELECT \(nextID) + n - 1, key, kind, 'open', CASE WHEN has_transfer THEN transfer END,
                    CASE WHEN has_entry THEN entry END, CASE WHEN has_other THEN other END, amount, day, evidence,
                    \(now), \(actor), \(now)
                FROM unnest(\(f.map(\.key))::text[], \(f.map(\.kind.rawValue))::text[],
                            \(f.map { $0.transferID ?? 0 })::bigint[], \(f.map { $0.transferID != nil })::bool[],
                            \(f.map { $0.entryID ?? 0 })::bigint[], \(f.map { $0.entryID != nil })::bool[],
                            \(f.map { $0.otherEntryID ?? 0 })::bigint[], \(f.map { $0.otherEntryID != nil })::bool[],
                            \(f.map(\.amount.value))::bigint[], \(f.map(\.day.description))::text[], \(f.map(\.evidence))::text[])
                     WITH ORDINALITY AS u(key, kind, transfer, has_transfer, entry, has_entry, other, has_other, amount, day, evidence, n)
                """)
            nextID += Int64(f.count)
        }
        let gone = existing.filter { $0.value.state == "open" && !found.contains($0.key) }.map(\.value.id).sorted()
        for start in stride(from: 0, to: gone.count, by: Self.chunk) {
            let chunk = Array(gone[start..<min(start + Self.chunk, gone.count)])
            try await execute(connection, """
                UPDATE reconciliation_exception SET state = 'cleared', cleared_at = \(now), updated_at = \(now)
                WHERE id = ANY(\(chunk)::bigint[])
                """)
        }
        run.exceptionsCleared += gone.count
    }

    /// Every transfer, with its settlement day in the bank's time zone, and its bank reference
    /// sharing the storage of an equal one in `shared`.
    private func reconciliationTransfers(_ connection: PostgresConnection, utcOffsetHours: Int,
                                         sharing shared: SharedText) async throws -> [ReconciliationTransfer] {
        var transfers: [ReconciliationTransfer] = []
        // Sized once: a million transfers grown by doubling would hold one and a half copies at the end.
        transfers.reserveCapacity(Int(try await scalar(connection, "SELECT count(*) FROM transfer")))
        for try await (id, reference, bankReference, account, amount, state, settledDay) in try await connection.streamedStatement("""
            SELECT id, partner_reference_no, bank_reference_no, beneficiary_account, amount, state,
                   \(unescaped: Self.bankTime("settled_at", utcOffsetHours, format: "YYYY-MM-DD"))
            FROM transfer ORDER BY id
            """, logger: logger).decode((Int64, String, String?, String, Int64, String, String?).self) {
            guard let state = TransferState(rawValue: state) else { continue }
            transfers.append(ReconciliationTransfer(
                id: id, partnerReferenceNo: reference, bankReferenceNo: bankReference.map(shared.shared), accountNo: account,
                amount: Rupiah(amount),
                state: state, settledDay: settledDay.flatMap(CalendarDate.init)))
        }
        return transfers
    }

    /// SQL for an ISO 8601 UTC timestamp column in the bank's time zone, formatted with `format`
    /// (`YYYY-MM-DD` or `YYYY-MM`): SQLite's `date(column, '+7 hours')`. NULL stays NULL.
    static func bankTime(_ column: String, _ utcOffsetHours: Int, format: String) -> String {
        "to_char((\(column))::timestamptz AT TIME ZONE 'UTC' + make_interval(hours => \(utcOffsetHours)), '\(format)')"
    }

    /// The first column of the first row of a query returning one BIGINT.
    func scalar(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> Int64 {
        try await connection.statement(query, logger: logger).first?.decode(Int64.self) ?? 0
    }
}
