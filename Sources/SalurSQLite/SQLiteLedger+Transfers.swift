import Foundation
import GRDB
package import SalurCore
package import SalurStore

/// Transfers and batches: what operators queue and approve.
extension SQLiteLedger {
    /// Queues one transfer for every recipient of `program` with an opened account, idempotently
    /// per (recipient, programme, period), and forms batches — in one transaction.
    package func enqueueProgram(program: String, period: Period, amount: Rupiah, remark: String,
                                actor: String, rules: BatchingRules) throws -> EnqueueSummary {
        try write("queueing transfers") { db in
            var transfers: [NewTransfer] = []
            var summary = EnqueueSummary()
            var any = false
            // Read column by column from SQLite (a programme may have a million recipients).
            let recipients = try BulkStatement(db, sql: """
                SELECT id, nik, name, opening_state, account_no, rejection_reason, account_check FROM recipient
                WHERE program = ? ORDER BY nik
                """)
            recipients.bind(1, program)
            try recipients.forEachRow { row in
                any = true
                let recipient = ProgramRecipient(id: row.int64(0), nik: row.text(1) ?? "", name: row.text(2) ?? "",
                                                 openingState: row.text(3) ?? "", account: row.text(4), rejectionReason: row.text(5),
                                                 accountCheck: row.text(6))
                switch QueueRules.programTransfer(recipient, program: program, period: period, amount: amount, remark: remark) {
                case .queue(let transfer): transfers.append(transfer)
                case .skip(let skipped): summary.skipped.append(skipped)
                }
            }
            if !any { throw StoreError.notFound(QueueRules.noRecipient(program: program)) }
            try SQLiteLedger.insert(db, transfers, actor: actor, rules: rules, at: self.clock.now, into: &summary, random: self.random)
            if summary.queued > 0 {
                try SQLiteLedger.audit(db, actor: actor, action: "transfers.enqueue", subject: "\(program) \(period)",
                                       details: QueueRules.programDetails(summary, amountEach: amount))
            }
            return summary
        }
    }

    /// Queues one-off payments from a file, all or nothing.
    package func enqueueFile(_ rows: [TransferFile.Row], source: SourceFile, actor: String, rules: BatchingRules) throws -> EnqueueSummary {
        try write("queueing transfers") { db in
            var issues: [ImportIssue] = []
            var transfers: [NewTransfer] = []
            let find = try db.makeStatement(sql: "SELECT id, name, opening_state, account_no, account_check FROM recipient WHERE nik = ?")
            for row in rows {
                let payee = try Row.fetchOne(find, arguments: [row.nik.digits]).map { r in
                    Payee(id: r["id"], name: r["name"], openingState: r["opening_state"], account: r["account_no"], accountCheck: r["account_check"])
                }
                switch row.transfer(to: payee, source: source, rules: rules) {
                case .queue(let transfer): transfers.append(transfer)
                case .refused(let issue): issues.append(issue)
                }
            }
            if !issues.isEmpty { throw ImportFailure(issues) }
            var summary = EnqueueSummary()
            try SQLiteLedger.insert(db, transfers, actor: actor, rules: rules, at: self.clock.now, into: &summary, random: self.random)
            if summary.queued > 0 {
                try SQLiteLedger.audit(db, actor: actor, action: "transfers.enqueue_file", subject: source.path,
                                       details: QueueRules.fileDetails(summary, source: source))
            }
            return summary
        }
    }

    /// Queues arbitrary transfers (e.g. a BPJS remittance) idempotently by their dedupe key.
    package func enqueue(_ transfers: [NewTransfer], actor: String, rules: BatchingRules, auditAction: String,
                         auditSubject: String) throws -> EnqueueSummary {
        try write("queueing transfers") { db in
            var summary = EnqueueSummary()
            try SQLiteLedger.insert(db, transfers, actor: actor, rules: rules, at: self.clock.now, into: &summary, random: self.random)
            if summary.queued > 0 {
                try SQLiteLedger.audit(db, actor: actor, action: auditAction, subject: auditSubject, details: QueueRules.queuedDetails(summary))
            }
            return summary
        }
    }


    /// Stores `transfers` (those whose dedupe key is new), each straight into its batch when no
    /// transfer was left pending before: the batches are planned in memory as `formBatches` would
    /// form them, so each row is written once instead of written pending and then moved.
    static func insert(_ db: Database, _ transfers: [NewTransfer], actor: String, rules: BatchingRules, at date: Date,
                       into summary: inout EnqueueSummary, random: RandomSource = .system) throws {
        let now = timestamp(date)
        let firstID = (try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM transfer") ?? 0) + 1
        var generator = random.generator
        if let refusal = transfers.lazy.compactMap({ QueueRules.refusal($0, rules: rules) }).first {
            throw StoreError.refused(refusal)
        }
        try QueueRules.checkLedgerTotal(queuedBefore: try queuedTotal(db), adding: transfers)
        // The rows land all over the indexes of existing ones: a cache that holds them, not disk reads.
        let restoreCache = try largeCache(db, rows: transfers.count)
        defer { restoreCache() }
        let fresh = try QueueRules.fresh(transfers, stored: try storedTerms(db, keys: transfers.map(\.dedupeKey)), firstID: firstID,
                                         into: &summary)
        // Straight into batches unless pending transfers wait already (they are batched with these).
        var placed: [Int64: (batch: String, state: String)] = [:]
        let waiting = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM transfer WHERE state = 'pending')") ?? false
        if !waiting, !fresh.isEmpty {
            let planned = try BatchPlanner.plan(fresh, maker: actor, rules: rules)
            let created = try createBatches(db, planned, actor: actor, rules: rules, at: date)
            for (id, batch) in zip(created, planned) {
                for member in batch.members { placed[member] = (id, rules.approvalRequired ? "awaiting_approval" : "approved") }
            }
            summary.batches += created
        }
        // The rows go first into a temporary table, then into `transfer` with one INSERT … SELECT. A
        // statement writing `transfer` (which has a trigger and unique keys) keeps a journal of every
        // page it changes, so that it alone can be undone: row by row, that is every index's page
        // written aside once per row; one statement writes each page aside once.
        var references = PartnerReference.ascending(fresh.count, using: &generator)
        try db.execute(sql: """
            DROP TABLE IF EXISTS temp.new_transfer;
            CREATE TEMP TABLE new_transfer (id INTEGER NOT NULL, partner_reference_no TEXT NOT NULL, dedupe_key TEXT NOT NULL,
                kind TEXT NOT NULL, recipient_id INTEGER, nik TEXT, beneficiary_name TEXT NOT NULL, beneficiary_account TEXT NOT NULL,
                beneficiary_bank_code TEXT, program TEXT NOT NULL, period TEXT NOT NULL, amount INTEGER NOT NULL, remark TEXT NOT NULL,
                state TEXT NOT NULL, service TEXT NOT NULL, batch_id TEXT);
            """)
        // Row `index` of `fresh` is rowid `index + 1` of the new table.
        _ = try BulkStatement.insert(db, """
            INSERT INTO temp.new_transfer (id, partner_reference_no, dedupe_key, kind, recipient_id, nik, beneficiary_name,
                beneficiary_account, beneficiary_bank_code, program, period, amount, remark, state, service, batch_id) VALUES
            """, row: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", width: 16, count: fresh.count) { insert, column, index in
            let (id, t) = fresh[index]
            let place = placed[id]
            insert.bind(column + 1, id); insert.bind(column + 2, references[index]); insert.bind(column + 3, t.dedupeKey)
            insert.bind(column + 4, t.kind.rawValue)
            if let recipient = t.recipientID { insert.bind(column + 5, recipient) } else { insert.bind(column + 5, nil as String?) }
            insert.bind(column + 6, t.nik); insert.bind(column + 7, t.beneficiaryName); insert.bind(column + 8, t.beneficiaryAccount)
            insert.bind(column + 9, t.beneficiaryBankCode); insert.bind(column + 10, t.program); insert.bind(column + 11, t.period)
            insert.bind(column + 12, t.amount.value); insert.bind(column + 13, t.remark)
            insert.bind(column + 14, place?.state ?? TransferState.pending.rawValue)
            insert.bind(column + 15, QueueRules.serviceCode(t, rules: rules)); insert.bind(column + 16, place?.batch)
        }
        var stored = false
        while !stored {
            do {
                try db.execute(sql: """
                    INSERT INTO transfer (id, partner_reference_no, dedupe_key, kind, recipient_id, nik, beneficiary_name,
                        beneficiary_account, beneficiary_bank_code, program, period, amount, remark, state, enqueued_by,
                        created_at, updated_at, service, batch_id)
                    SELECT id, partner_reference_no, dedupe_key, kind, recipient_id, nik, beneficiary_name,
                        beneficiary_account, beneficiary_bank_code, program, period, amount, remark, state, ?, ?, ?, service, batch_id
                    FROM temp.new_transfer
                    """, arguments: [actor, now, now])
                stored = true
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT
                && (error.message ?? "").contains("partner_reference_no") {
                // A reference this database already has, or one drawn twice (vanishingly rare): the
                // statement undid itself; those references are drawn again and the rows written again.
                let clashing = Set(try String.fetchAll(db, sql: """
                    SELECT n.partner_reference_no FROM temp.new_transfer AS n
                    JOIN transfer AS t ON t.partner_reference_no = n.partner_reference_no
                    """))
                let again = PartnerReference.redraw(&references, clashing: clashing, checked: Array(references.indices), using: &generator)
                guard !again.isEmpty else { throw error }
                let update = try BulkStatement(db, sql: "UPDATE temp.new_transfer SET partner_reference_no = ? WHERE rowid = ?")
                for index in again {
                    update.bind(1, references[index]); update.bind(2, Int64(index + 1))
                    try update.step()
                }
            }
        }
        try db.execute(sql: "DROP TABLE temp.new_transfer")
        if placed.isEmpty { summary.batches += try formBatches(db, rules: rules, actor: actor, at: date) }
    }

    /// The terms of the transfers stored under any of `keys`, by key (`QueueRules.fresh`).
    static func storedTerms(_ db: Database, keys: [String]) throws -> [String: QueuedTerms] {
        var stored: [String: QueuedTerms] = [:]
        var statements: [Int: BulkStatement] = [:]
        for start in stride(from: 0, to: keys.count, by: QueueRules.keysPerLookup) {
            let chunk = keys[start..<min(start + QueueRules.keysPerLookup, keys.count)]
            let statement = try statements[chunk.count] ?? BulkStatement(db, sql: """
                SELECT dedupe_key, amount, remark, beneficiary_account, state FROM transfer
                WHERE dedupe_key IN (\(databaseQuestionMarks(count: chunk.count)))
                """)
            statements[chunk.count] = statement
            for (offset, key) in chunk.enumerated() { statement.bind(Int32(offset + 1), key) }
            try statement.forEachRow { row in
                stored[row.text(0) ?? ""] = QueuedTerms(amount: Rupiah(row.int64(1)), remark: row.text(2) ?? "",
                                                        account: row.text(3) ?? "", state: row.text(4) ?? "")
            }
        }
        return stored
    }

    /// The sum of every transfer stored (`QueueRules.checkLedgerTotal` keeps it within `Rupiah.ledgerLimit`).
    static func queuedTotal(_ db: Database) throws -> Rupiah {
        try storedTotal(db, of: "transfer", what: "the transfers already stored", then: "; nothing was queued")
    }

    /// `sum(amount)` over all of `table`, refused in words (never SQLite's raw "integer overflow") when a
    /// database from before the ledger limits holds more than 64 bits can add up.
    static func storedTotal(_ db: Database, of table: String, what: String, then: String = "") throws -> Rupiah {
        do {
            return Rupiah(try Int64.fetchOne(db, sql: "SELECT coalesce(sum(amount), 0) FROM \(table)") ?? 0)
        } catch let error as DatabaseError where (error.message ?? "").contains("overflow") {
            throw StoreError.refused("\(what) add up to more than 64-bit rupiah can hold\(then)")
        }
    }

    /// Groups pending transfers into batches of one programme, period and kind, within the limits.
    static func formBatches(_ db: Database, rules: BatchingRules, actor: String, at date: Date) throws -> [String] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT id, program, period, kind, amount, enqueued_by FROM transfer WHERE state = 'pending'
            ORDER BY program, period, kind, id
            """)
        guard !rows.isEmpty else { return [] }
        var planner = BatchPlanner(rules: rules)
        var planned: [BatchPlanner.Batch] = []
        for row in rows {
            if let batch = try planner.add(id: row["id"], program: row["program"], period: row["period"], kind: row["kind"],
                                           amount: Rupiah(row["amount"] as Int64), maker: row["enqueued_by"]) {
                planned.append(batch)
            }
        }
        if let batch = planner.finish() { planned.append(batch) }
        let created = try createBatches(db, planned, actor: actor, rules: rules, at: date)
        let now = timestamp(date)
        let state = rules.approvalRequired ? "awaiting_approval" : "approved"
        let assign = try BulkStatement(db, sql: "UPDATE transfer SET batch_id = ?, state = ?, updated_at = ? WHERE id = ?")
        for (id, batch) in zip(created, planned) {
            for member in batch.members {
                assign.bind(1, id); assign.bind(2, state); assign.bind(3, now); assign.bind(4, member)
                try assign.step()
            }
        }
        return created
    }

    /// Stores the batch rows of `planned` (numbered on from this month's last) with their audit
    /// entries; returns their ids in order. Their transfers are placed by the caller.
    static func createBatches(_ db: Database, _ planned: [BatchPlanner.Batch], actor: String, rules: BatchingRules,
                              at date: Date) throws -> [String] {
        guard !planned.isEmpty else { return [] }
        let now = timestamp(date)
        let month = String(now.prefix(7))
        var sequence = (try Int.fetchOne(db, sql: "SELECT count(*) FROM batch WHERE id LIKE ?", arguments: [BatchRules.idPattern(month: month)]) ?? 0)
        let state = rules.approvalRequired ? "awaiting_approval" : "approved"
        var created: [String] = []
        for batch in planned {
            sequence += 1
            let id = BatchRules.id(month: month, sequence: sequence)
            try db.execute(sql: """
                INSERT INTO batch (id, program, period, kind, state, item_count, amount, makers, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, batch.program, batch.period, batch.kind, state, batch.members.count, batch.amount.value, batch.makers, now, now])
            try audit(db, actor: actor, action: "batch.create", subject: id,
                      details: BatchRules.createdDetails(program: batch.program, period: batch.period, items: batch.members.count,
                                                         amount: batch.amount, state: state))
            created.append(id)
        }
        return created
    }

    /// Forms batches from any transfers still pending (the engine calls this each pass).
    package func formPendingBatches(rules: BatchingRules, actor: String) async throws -> [String] {
        let date = clock.now
        return try await writeAsync { db in try SQLiteLedger.formBatches(db, rules: rules, actor: actor, at: date) }
    }
}
