import Foundation
import PostgresNIO
package import SalurCore
package import SalurStore

/// Transfers and batches on PostgreSQL: what operators queue.
///
/// Ids that several writers could allocate at once — transfer ids (hence partnerReferenceNo
/// `SLR` + id, as on SQLite: max(id) + 1) and batch ids (`B-YYYY-MM-nnnn`, the month's count + 1) —
/// are allocated only while holding the transaction-scoped advisory lock `LockKey.batches`, so
/// they stay dense, identical to SQLite's, and unique under concurrency.
extension PostgresLedger {
    /// Groups pending transfers into batches of one programme, period and kind, within the limits
    /// (port of `SQLiteLedger.formBatches`). Takes `LockKey.batches` first: several engines and
    /// operators may form batches at once, and batch ids are the month's count + 1.
    func formBatches(_ connection: PostgresConnection, rules: BatchingRules, actor: String) async throws -> [String] {
        try await self.execute(connection, "SELECT pg_advisory_xact_lock(\(LockKey.batches.rawValue))")
        var pending: [(id: Int64, program: String, period: String, kind: String, amount: Int64, maker: String)] = []
        for try await row in try await connection.streamedStatement("""
            SELECT id, program, period, kind, amount, enqueued_by FROM transfer WHERE state = 'pending'
            ORDER BY program COLLATE "C", period COLLATE "C", kind COLLATE "C", id FOR UPDATE
            """, logger: logger).decode((Int64, String, String, String, Int64, String).self) {
            pending.append(row)
        }
        guard !pending.isEmpty else { return [] }
        var planner = BatchPlanner(rules: rules)
        var planned: [BatchPlanner.Batch] = []
        for row in pending {
            if let batch = try planner.add(id: row.id, program: row.program, period: row.period, kind: row.kind,
                                           amount: Rupiah(row.amount), maker: row.maker) {
                planned.append(batch)
            }
        }
        if let batch = planner.finish() { planned.append(batch) }
        let created = try await createBatches(connection, planned, actor: actor, rules: rules)
        let now = Timestamp.iso8601(clock.now)
        let state = rules.approvalRequired ? "awaiting_approval" : "approved"
        for (id, batch) in zip(created, planned) {
            for start in stride(from: 0, to: batch.members.count, by: Self.chunk) {
                let chunk = Array(batch.members[start..<min(start + Self.chunk, batch.members.count)])
                try await execute(connection, """
                    UPDATE transfer SET batch_id = \(id), state = \(state), updated_at = \(now) WHERE id = ANY(\(chunk)::bigint[])
                    """)
            }
        }
        return created
    }

    /// Stores the batch rows of `planned` (numbered on from this month's last) with their audit
    /// entries; returns their ids in order. Their transfers are placed by the caller. Runs under
    /// `LockKey.batches`.
    func createBatches(_ connection: PostgresConnection, _ planned: [BatchPlanner.Batch], actor: String,
                       rules: BatchingRules) async throws -> [String] {
        guard !planned.isEmpty else { return [] }
        let now = Timestamp.iso8601(clock.now)
        let month = String(now.prefix(7))
        let pattern = BatchRules.idPattern(month: month)
        let sequence = try await connection.statement("SELECT count(*) FROM batch WHERE id LIKE \(pattern)", logger: logger)
            .first?.decode(Int.self) ?? 0
        let state = rules.approvalRequired ? "awaiting_approval" : "approved"
        let created = planned.indices.map { BatchRules.id(month: month, sequence: sequence + 1 + $0) }
        // One statement for the batch rows, one for their audit rows, whatever their number.
        try await execute(connection, """
            INSERT INTO batch (id, program, period, kind, state, item_count, amount, makers, created_at, updated_at)
            SELECT v.id, v.program, v.period, v.kind, \(state), v.items, v.amount, v.makers, \(now), \(now)
            FROM unnest(\(created), \(planned.map(\.program)), \(planned.map(\.period)), \(planned.map(\.kind)),
                        \(planned.map { Int64($0.members.count) }), \(planned.map(\.amount.value)), \(planned.map(\.makers)))
                AS v(id, program, period, kind, items, amount, makers)
            """)
        try await audit(connection, zip(created, planned).map { id, batch in
            AuditRecord(actor: actor, action: "batch.create", subject: id,
                        details: BatchRules.createdDetails(program: batch.program, period: batch.period, items: batch.members.count,
                                                           amount: batch.amount, state: state))
        })
        return created
    }

    /// Forms batches from any transfers still pending (the engine calls this each pass).
    package func formPendingBatches(rules: BatchingRules, actor: String) async throws -> [String] {
        try await transaction("forming batches") { connection in
            try await self.formBatches(connection, rules: rules, actor: actor)
        }
    }

    /// Rows per bulk statement (arrays bound as parameters).
    static let chunk = 5_000
}

extension PostgresLedger: Ledger, TransferLedger {}

extension PostgresLedger {
    /// A queueing command's transaction; then, when it queued many, fresh planner statistics.
    func queueing(_ body: (PostgresConnection) async throws -> EnqueueSummary) async throws -> EnqueueSummary {
        let summary = try await transaction("queueing transfers", body)
        await refreshStatistics(afterWriting: summary.queued)
        return summary
    }

    /// Queues one transfer for every recipient of `program` with an opened account, idempotently
    /// per (recipient, programme, period), and forms batches — in one transaction.
    package func enqueueProgram(program: String, period: Period, amount: Rupiah, remark: String,
                                actor: String, rules: BatchingRules) async throws -> EnqueueSummary {
        try await queueing { connection in
            var transfers: [NewTransfer] = []
            var summary = EnqueueSummary()
            var any = false
            for try await (id, nik, name, state, account, reason, check) in try await connection.streamedStatement("""
                SELECT id, nik, name, opening_state, account_no, rejection_reason, account_check FROM recipient
                WHERE program = \(program) ORDER BY nik COLLATE "C"
                """, logger: self.logger).decode((Int64, String, String, String, String?, String?, String?).self) {
                any = true
                let recipient = ProgramRecipient(id: id, nik: nik, name: name, openingState: state, account: account,
                                                 rejectionReason: reason, accountCheck: check)
                switch QueueRules.programTransfer(recipient, program: program, period: period, amount: amount, remark: remark) {
                case .queue(let transfer): transfers.append(transfer)
                case .skip(let skipped): summary.skipped.append(skipped)
                }
            }
            if !any { throw StoreError.notFound(QueueRules.noRecipient(program: program)) }
            try await self.insert(connection, transfers, actor: actor, rules: rules, into: &summary)
            if summary.queued > 0 {
                try await self.audit(connection, actor: actor, action: "transfers.enqueue", subject: "\(program) \(period)",
                                     details: QueueRules.programDetails(summary, amountEach: amount))
            }
            return summary
        }
    }

    /// Queues one-off payments from a file, all or nothing.
    package func enqueueFile(_ rows: [TransferFile.Row], source: SourceFile, actor: String, rules: BatchingRules) async throws -> EnqueueSummary {
        try await queueing { connection in
            var issues: [ImportIssue] = []
            var transfers: [NewTransfer] = []
            var found: [String: Payee] = [:]
            let niks = Array(Set(rows.map(\.nik.digits)))
            for start in stride(from: 0, to: niks.count, by: Self.chunk) {
                let chunk = Array(niks[start..<min(start + Self.chunk, niks.count)])
                for try await (nik, id, name, state, account, check) in try await connection.streamedStatement("""
                    SELECT nik, id, name, opening_state, account_no, account_check FROM recipient WHERE nik = ANY(\(chunk)::text[])
                    """, logger: self.logger).decode((String, Int64, String, String, String?, String?).self) {
                    found[nik] = Payee(id: id, name: name, openingState: state, account: account, accountCheck: check)
                }
            }
            for row in rows {
                switch row.transfer(to: found[row.nik.digits], source: source, rules: rules) {
                case .queue(let transfer): transfers.append(transfer)
                case .refused(let issue): issues.append(issue)
                }
            }
            if !issues.isEmpty { throw ImportFailure(issues) }
            var summary = EnqueueSummary()
            try await self.insert(connection, transfers, actor: actor, rules: rules, into: &summary)
            if summary.queued > 0 {
                try await self.audit(connection, actor: actor, action: "transfers.enqueue_file", subject: source.path,
                                     details: QueueRules.fileDetails(summary, source: source))
            }
            return summary
        }
    }

    /// Queues arbitrary transfers (e.g. a BPJS remittance) idempotently by their dedupe key.
    package func enqueue(_ transfers: [NewTransfer], actor: String, rules: BatchingRules, auditAction: String,
                         auditSubject: String) async throws -> EnqueueSummary {
        try await queueing { connection in
            var summary = EnqueueSummary()
            try await self.insert(connection, transfers, actor: actor, rules: rules, into: &summary)
            if summary.queued > 0 {
                try await self.audit(connection, actor: actor, action: auditAction, subject: auditSubject,
                                     details: QueueRules.queuedDetails(summary))
            }
            return summary
        }
    }

    /// Inserts the transfers not yet queued (by dedupe key, `QueueRules.fresh`) and forms batches, as
    /// `SQLiteLedger.insert` does. Transfer ids are max(id) + 1 as on SQLite, allocated under
    /// `LockKey.batches`: every writer of transfers holds it, so ids and partnerReferenceNos stay
    /// unique and dense, and the dedupe check sees every committed transfer.
    func insert(_ connection: PostgresConnection, _ transfers: [NewTransfer], actor: String, rules: BatchingRules,
                into summary: inout EnqueueSummary) async throws {
        if let refusal = transfers.lazy.compactMap({ QueueRules.refusal($0, rules: rules) }).first {
            throw StoreError.refused(refusal)
        }
        try await self.execute(connection, "SELECT pg_advisory_xact_lock(\(LockKey.batches.rawValue))")
        let before = try await connection.statement("SELECT coalesce(sum(amount), 0)::bigint FROM transfer", logger: logger)
            .first?.decode(Int64.self) ?? 0
        try QueueRules.checkLedgerTotal(queuedBefore: Rupiah(before), adding: transfers)
        var stored: [String: QueuedTerms] = [:]
        let keys = transfers.map(\.dedupeKey)
        for start in stride(from: 0, to: keys.count, by: Self.chunk) {
            let chunk = Array(keys[start..<min(start + Self.chunk, keys.count)])
            for try await (key, amount, remark, account, state) in try await connection.streamedStatement("""
                SELECT dedupe_key, amount, remark, beneficiary_account, state FROM transfer WHERE dedupe_key = ANY(\(chunk)::text[])
                """, logger: logger).decode((String, Int64, String, String, String).self) {
                stored[key] = QueuedTerms(amount: Rupiah(amount), remark: remark, account: account, state: state)
            }
        }
        let firstID = try await connection.statement("SELECT coalesce(max(id), 0) + 1 FROM transfer", logger: logger)
            .first?.decode(Int64.self) ?? 1
        let fresh = try QueueRules.fresh(transfers, stored: stored, firstID: firstID, into: &summary)
        // Straight into batches unless pending transfers wait already (they are batched with these):
        // planned here as `formBatches` would form them, so each row is written once.
        var placed: [Int64: String] = [:]
        let waiting = try await connection.statement("SELECT EXISTS (SELECT 1 FROM transfer WHERE state = 'pending')", logger: logger)
            .first?.decode(Bool.self) ?? false
        if !waiting, !fresh.isEmpty {
            let planned = try BatchPlanner.plan(fresh, maker: actor, rules: rules)
            let created = try await createBatches(connection, planned, actor: actor, rules: rules)
            for (id, batch) in zip(created, planned) {
                for member in batch.members { placed[member] = id }
            }
            summary.batches += created
        }
        let state = placed.isEmpty ? TransferState.pending.rawValue : (rules.approvalRequired ? "awaiting_approval" : "approved")
        let now = Timestamp.iso8601(clock.now)
        var generator = SystemRandomNumberGenerator()
        for start in stride(from: 0, to: fresh.count, by: Self.chunk) {
            let chunk = fresh[start..<min(start + Self.chunk, fresh.count)]
            let t = chunk.map(\.transfer)
            // New random references, none this database already holds (ids are allocated under
            // `LockKey.batches`, so no other writer adds one in between).
            let references = try await freshReferences(connection, chunk.count, using: &generator)
            try await execute(connection, """
                INSERT INTO transfer (id, partner_reference_no, dedupe_key, kind, recipient_id, nik, beneficiary_name,
                    beneficiary_account, beneficiary_bank_code, program, period, amount, remark, state, enqueued_by,
                    created_at, updated_at, service, batch_id)
                SELECT id, ref, key, kind, CASE WHEN has_recipient THEN recipient END, CASE WHEN has_nik THEN nik END, name,
                    account, CASE WHEN has_bank THEN bank END, program, period, amount, remark, \(state), \(actor), \(now), \(now),
                    service, nullif(batch, '')
                FROM unnest(\(chunk.map(\.id))::bigint[], \(references)::text[],
                            \(t.map(\.dedupeKey))::text[], \(t.map(\.kind.rawValue))::text[],
                            \(t.map { $0.recipientID ?? 0 })::bigint[], \(t.map { $0.recipientID != nil })::bool[],
                            \(t.map { $0.nik ?? "" })::text[], \(t.map { $0.nik != nil })::bool[],
                            \(t.map(\.beneficiaryName))::text[], \(t.map(\.beneficiaryAccount))::text[],
                            \(t.map { $0.beneficiaryBankCode ?? "" })::text[], \(t.map { $0.beneficiaryBankCode != nil })::bool[],
                            \(t.map(\.program))::text[], \(t.map(\.period))::text[], \(t.map(\.amount.value))::bigint[],
                            \(t.map(\.remark))::text[], \(t.map { QueueRules.serviceCode($0, rules: rules) })::text[],
                            \(chunk.map { placed[$0.id] ?? "" })::text[])
                     AS u(id, ref, key, kind, recipient, has_recipient, nik, has_nik, name, account, bank, has_bank,
                          program, period, amount, remark, service, batch)
                """)
        }
        if placed.isEmpty { summary.batches += try await formBatches(connection, rules: rules, actor: actor) }
    }

    /// `count` new partnerReferenceNos (`PartnerReference`), none already in this database.
    private func freshReferences(_ connection: PostgresConnection, _ count: Int,
                                 using generator: inout SystemRandomNumberGenerator) async throws -> [String] {
        var references = PartnerReference.ascending(count, using: &generator)
        var unchecked = Array(references.indices)
        while !unchecked.isEmpty {
            let candidates = unchecked.map { references[$0] }
            var clash: Set<String> = []
            for try await reference in try await connection.streamedStatement(
                "SELECT partner_reference_no FROM transfer WHERE partner_reference_no = ANY(\(candidates)::text[])",
                logger: logger).decode(String.self) {
                clash.insert(reference)
            }
            unchecked = PartnerReference.redraw(&references, clashing: clash, checked: unchecked, using: &generator)
        }
        return references
    }

    /// How many attempts have ever been started (a measure of the engine's progress).
    package func attemptCount() async throws -> Int {
        try await withConnection("counting attempts") { connection in
            try await connection.statement("SELECT count(*) FROM transfer_attempt", logger: self.logger).first?.decode(Int.self) ?? 0
        }
    }
}

