import Foundation
import PostgresNIO
package import SalurCore
package import SalurStore

/// Maker-checker on PostgreSQL: approve, hold, release, cancel, retry. Each is one audited
/// transaction; every check of a batch's state is made on the row locked `FOR UPDATE`, so two
/// operators (or an operator and an engine) acting on the same batch at once are serialised and the
/// second sees what the first did.
extension PostgresLedger {
    // MARK: Helpers shared with the engine

    /// Marks batches done when none of their transfers can still move (port of
    /// `SQLiteLedger.completeBatches`).
    ///
    /// The batch row is locked before its transfers are counted: two engines settling the last two
    /// transfers of a batch at once are then serialised on it, and the second counts after the first
    /// committed, so the batch cannot be left `posting` with nothing open. Ids are locked in sorted
    /// order so that two such passes do not deadlock on each other.
    func completeBatches(_ connection: PostgresConnection, _ ids: some Sequence<String>) async throws {
        for id in Set(ids).sorted() {
            let state = try await connection.statement("SELECT state FROM batch WHERE id = \(id) FOR UPDATE", logger: logger)
                .first?.decode(String.self)
            guard state == "posting" else { continue }
            let open = try await connection.statement("""
                SELECT count(*) FROM transfer WHERE batch_id = \(id) AND state NOT IN (\(unescaped: StoreSQL.list(BatchRules.finished)))
                """, logger: logger).first?.decode(Int.self) ?? 0
            guard open == 0 else { continue }
            let now = Timestamp.iso8601(clock.now)
            let changed = try await execute(connection, """
                UPDATE batch SET state = 'done', updated_at = \(now) WHERE id = \(id) AND state = 'posting' RETURNING 1
                """)
            guard changed == 1 else { continue }
            var details: [String: String] = [:]
            for try await (state, count) in try await connection.streamedStatement("""
                SELECT state, count(*) FROM transfer WHERE batch_id = \(id) GROUP BY state
                """, logger: logger).decode((String, Int).self) {
                details[state] = String(count)
            }
            try await audit(connection, actor: "salurd", action: "batch.done", subject: id, details: details)
        }
    }

    /// Holds a batch (port of `SQLiteLedger.hold(_:id:reason:actor:strict:)`): refused (when
    /// `strict`) or skipped unless it is awaiting approval, approved or posting. The batch row is
    /// locked while its state is checked.
    func holdBatch(_ connection: PostgresConnection, id: String, reason: String, actor: String, strict: Bool) async throws {
        guard let state = try await connection.statement("SELECT state FROM batch WHERE id = \(id) FOR UPDATE", logger: logger)
            .first?.decode(String.self) else {
            throw StoreError.notFound("batch \(id)")
        }
        guard BatchRules.isHoldable(state) else {
            if strict { throw StoreError.refused(BatchRules.notHoldable(id: id, state: state)) }
            return
        }
        let now = Timestamp.iso8601(clock.now)
        try await execute(connection, "UPDATE batch SET state = 'held', hold_reason = \(reason), updated_at = \(now) WHERE id = \(id) RETURNING 1")
        try await execute(connection, """
            UPDATE transfer SET state = 'held', updated_at = \(now)
            WHERE batch_id = \(id) AND state IN (\(unescaped: StoreSQL.list(BatchRules.heldWithBatch))) RETURNING 1
            """)
        try await audit(connection, actor: actor, action: "batch.hold", subject: id, details: ["reason": reason, "was": state])
    }

    // MARK: Operators

    /// Approves `ids` (or every batch awaiting approval when `ids` is empty and `all` is set).
    /// With `distinctApprover`, a checker who enqueued any transfer of a batch may not approve it.
    /// The batches are locked as read: of two officials approving the same batch at once, the
    /// second waits, then finds it approved and is refused.
    package func approve(ids: [String], all: Bool, actor: String, distinctApprover: Bool) async throws -> [String] {
        let (approved, items) = try await transaction("approving batches") { connection in
            typealias Target = (id: String, state: String, makers: String, items: Int, amount: Int64)
            var targets: [Target] = []
            if all {
                for try await row in try await connection.streamedStatement("""
                    SELECT id, state, makers, item_count, amount FROM batch WHERE state = 'awaiting_approval'
                    ORDER BY id COLLATE "C" FOR UPDATE
                    """, logger: self.logger).decode((String, String, String, Int, Int64).self) {
                    targets.append(row)
                }
            } else {
                for id in ids {
                    guard let row = try await connection.statement("""
                        SELECT id, state, makers, item_count, amount FROM batch WHERE id = \(id) FOR UPDATE
                        """, logger: self.logger).first?.decode((String, String, String, Int, Int64).self) else {
                        throw StoreError.notFound("batch \(id)")
                    }
                    targets.append(row)
                }
            }
            for batch in targets {
                guard batch.state == "awaiting_approval" else {
                    throw StoreError.refused("batch \(batch.id) is \(batch.state); only a batch awaiting approval can be approved")
                }
                let makers = batch.makers.split(separator: ",").map(String.init)
                if distinctApprover, makers.contains(actor) {
                    throw StoreError.refused("maker-checker: \(actor) queued transfers in batch \(batch.id) and may not approve it; another official must")
                }
            }
            let now = Timestamp.iso8601(clock.now)
            let approved = targets.map(\.id)
            // All of them at once: one statement for the batches, one for their transfers, one for the audit rows.
            try await self.execute(connection, """
                UPDATE batch SET state = 'approved', approved_by = \(actor), approved_at = \(now), updated_at = \(now)
                WHERE id = ANY(\(approved)::text[])
                """)
            try await self.execute(connection, """
                UPDATE transfer SET state = 'approved', updated_at = \(now)
                WHERE batch_id = ANY(\(approved)::text[]) AND state = 'awaiting_approval'
                """)
            try await self.audit(connection, targets.map { batch in
                AuditRecord(actor: actor, action: "batch.approve", subject: batch.id,
                            details: ["items": String(batch.items), "amount": String(batch.amount), "makers": batch.makers])
            })
            return (approved, targets.reduce(0) { $0 + $1.items })
        }
        await refreshStatistics(afterWriting: items)
        return approved
    }

    /// Holds a batch: nothing more of it is sent until released. Transfers already on the wire or
    /// in doubt still resolve, since stopping them cannot undo what the bank may have done.
    package func hold(id: String, reason: String, actor: String) async throws {
        try await transaction("holding batch \(id)") { connection in
            try await self.holdBatch(connection, id: id, reason: reason, actor: actor, strict: true)
        }
    }

    /// Releases a held batch: back to approved (its balance is checked again) or to awaiting approval.
    package func release(id: String, actor: String) async throws {
        try await transaction("releasing batch \(id)") { connection in
            guard let (state, approvedBy, holdReason) = try await connection.statement("""
                SELECT state, approved_by, hold_reason FROM batch WHERE id = \(id) FOR UPDATE
                """, logger: self.logger).first?.decode((String, String?, String?).self) else {
                throw StoreError.notFound("batch \(id)")
            }
            guard state == "held" else { throw StoreError.refused(BatchRules.notHeld(id: id, state: state)) }
            let next = BatchRules.released(approvedBy: approvedBy).rawValue
            let now = Timestamp.iso8601(clock.now)
            try await self.execute(connection, """
                UPDATE batch SET state = \(next), hold_reason = NULL, updated_at = \(now) WHERE id = \(id) RETURNING 1
                """)
            try await self.execute(connection, """
                UPDATE transfer SET state = \(next), next_action_at = NULL, updated_at = \(now)
                WHERE batch_id = \(id) AND state = 'held' RETURNING 1
                """)
            try await self.audit(connection, actor: actor, action: "batch.release", subject: id,
                                 details: ["to": next, "hold_reason": holdReason ?? ""])
        }
    }

    /// Cancels what of a batch has not been sent. Refused while any transfer of it is on the wire or
    /// in doubt. The batch and all its transfers are locked before they are counted, so an engine
    /// claiming one of them at the same moment either commits first (and is counted) or waits.
    package func cancel(id: String, actor: String) async throws -> Int {
        try await transaction("cancelling batch \(id)") { connection in
            guard let state = try await connection.statement("SELECT state FROM batch WHERE id = \(id) FOR UPDATE", logger: self.logger)
                .first?.decode(String.self) else {
                throw StoreError.notFound("batch \(id)")
            }
            guard !BatchRules.hasEnded(state) else { throw StoreError.refused(BatchRules.alreadyEnded(id: id, state: state)) }
            let unresolved = try await connection.statement("""
                SELECT count(*) FILTER (WHERE state IN (\(unescaped: StoreSQL.list(BatchRules.unresolved))))
                FROM (SELECT state FROM transfer WHERE batch_id = \(id) FOR UPDATE) AS t
                """, logger: self.logger).first?.decode(Int.self) ?? 0
            if unresolved > 0 { throw StoreError.refused(BatchRules.unresolvedRefusal(id: id, count: unresolved)) }
            let now = Timestamp.iso8601(clock.now)
            let cancelled = try await self.execute(connection, """
                UPDATE transfer SET state = 'cancelled', next_action_at = NULL, updated_at = \(now),
                    dedupe_key = dedupe_key || \(QueueRules.releasedKeyMark) || id
                WHERE batch_id = \(id) AND state IN (\(unescaped: StoreSQL.list(BatchRules.cancellable))) RETURNING 1
                """)
            try await self.execute(connection, "UPDATE batch SET state = 'cancelled', updated_at = \(now) WHERE id = \(id) RETURNING 1")
            try await self.audit(connection, actor: actor, action: "batch.cancel", subject: id,
                                 details: ["cancelled": String(cancelled), "was": state])
            return cancelled
        }
    }

    /// Cancels failed transfers for good (of `batchID`, or of `niks`, or all), so that their recipients may be
    /// queued again with corrected data (port of `SQLiteLedger.cancelFailed`). Under the batching lock, as
    /// queueing and retrying are, so a concurrent retry or enqueue sees either all of it or none.
    package func cancelFailed(batchID: String?, niks: [String], reason: String, actor: String) async throws -> CancelSummary {
        try await transaction(CancelSummary.operation) { connection in
            try await self.execute(connection, "SELECT pg_advisory_xact_lock(\(LockKey.batches.rawValue))")
            if let batchID {
                try await self.requireBatch(connection, batchID)
            }
            var rows: [(id: Int64, batch: String?, amount: Int64)] = []
            for try await row in try await connection.streamedStatement("""
                SELECT t.id, t.batch_id, t.amount FROM transfer t WHERE t.state = 'failed'
                  AND \(unescaped: RetryFailed.notDebited)
                  AND (\(batchID)::text IS NULL OR t.batch_id = \(batchID))
                  AND (cardinality(\(niks)::text[]) = 0 OR t.nik = ANY(\(niks)::text[]))
                ORDER BY t.id FOR UPDATE OF t
                """, logger: self.logger).decode((Int64, String?, Int64).self) {
                rows.append(row)
            }
            var summary = CancelSummary()
            guard !rows.isEmpty else { return summary }
            let now = Timestamp.iso8601(self.clock.now)
            let ids = rows.map(\.id)
            for start in stride(from: 0, to: ids.count, by: Self.chunk) {
                let chunk = Array(ids[start..<min(start + Self.chunk, ids.count)])
                try await self.execute(connection, """
                    UPDATE transfer SET state = 'cancelled', next_action_at = NULL, claimed_by = NULL,
                        last_message = \(CancelSummary.message(actor: actor, reason: reason)), updated_at = \(now),
                        dedupe_key = dedupe_key || \(QueueRules.releasedKeyMark) || id
                    WHERE id = ANY(\(chunk)::bigint[]) AND state = 'failed' RETURNING 1
                    """)
            }
            summary.cancelled = rows.count
            summary.amount = try Rupiah.sum(rows.map { Rupiah($0.amount) })
            summary.batches = Set(rows.compactMap(\.batch)).sorted()
            try await self.audit(connection, actor: actor, action: "transfers.cancel_failed", subject: batchID ?? "all batches",
                                 details: summary.auditDetails(reason: reason, niks: niks, transfers: ids))
            return summary
        }
    }

    /// Puts failed transfers in new batches (maker-checker again, the retrying operator a maker), each
    /// in doubt until the bank has been asked about it (`RetryFailed` decides; this only persists).
    /// The batching lock is taken first, then the old batches (in id order, as `hold` locks a batch
    /// before its transfers), then the transfers, so a concurrent hold, cancel, batching or second
    /// retry is serialised with this one.
    package func retryFailed(batchID: String?, actor: String, rules: BatchingRules) async throws -> RetrySummary {
        try await transaction(RetryFailed.operation) { connection in
            try await self.execute(connection, "SELECT pg_advisory_xact_lock(\(LockKey.batches.rawValue))")
            var filter = PostgresBindings()
            var only = ""
            if let batchID {
                try await self.requireBatch(connection, batchID)
                filter.append(batchID)
                only = " AND t.batch_id = $1"
            }
            let candidates = """
                FROM transfer t JOIN batch b ON b.id = t.batch_id
                WHERE t.state = 'failed' AND b.state NOT IN ('cancelled')
                  AND \(RetryFailed.notDebited)
                """ + only
            _ = try await self.execute(connection, PostgresQuery(unsafeSQL: """
                SELECT id FROM batch WHERE id IN (SELECT t.batch_id \(candidates)) ORDER BY id COLLATE "C" FOR UPDATE
                """, binds: filter))
            var rows: [(id: Int64, batch: String)] = []
            for try await row in try await connection.streamedStatement(PostgresQuery(unsafeSQL: "SELECT t.id, t.batch_id \(candidates) ORDER BY t.id FOR UPDATE OF t",
                                                                            binds: filter), logger: self.logger)
                .decode((Int64, String).self) {
                rows.append(row)
            }
            guard !rows.isEmpty else { return RetrySummary(awaitingApproval: rules.approvalRequired) }
            let stamp = Timestamp.iso8601(self.clock.now)
            let ids = rows.map(\.id)
            // Out of their old batches, into new ones formed as any batch is.
            for start in stride(from: 0, to: ids.count, by: Self.chunk) {
                let chunk = Array(ids[start..<min(start + Self.chunk, ids.count)])
                try await self.execute(connection, """
                    UPDATE transfer SET state = 'pending', batch_id = NULL, updated_at = \(stamp) WHERE id = ANY(\(chunk)::bigint[]) RETURNING 1
                    """)
            }
            let created = try await self.formBatches(connection, rules: rules, actor: actor)
            for batch in created {
                let makers = try await self.rows(connection, "SELECT makers FROM batch WHERE id = \(batch)").first?["makers"].decode(String.self) ?? ""
                var names = Set(makers.split(separator: ",").map(String.init))
                names.insert(actor)
                try await self.execute(connection, "UPDATE batch SET makers = \(names.sorted().joined(separator: ",")) WHERE id = \(batch) RETURNING 1")
            }
            // Asked about before anything is sent: in doubt from now, the answer read as a re-payment's.
            for start in stride(from: 0, to: ids.count, by: Self.chunk) {
                let chunk = Array(ids[start..<min(start + Self.chunk, ids.count)])
                try await self.execute(connection, """
                    UPDATE transfer SET state = 'in_doubt', external_id = coalesce(external_id, \(RetryFailed.standInExternalIDPrefix) || id),
                        ask_reason = \(AskReason.retry.rawValue), settle_from = \(stamp), next_action_at = \(stamp), not_found_answers = 0,
                        round_attempts = 0, claimed_by = NULL, last_message = \(RetryFailed.message(actor: actor)), updated_at = \(stamp)
                    WHERE id = ANY(\(chunk)::bigint[]) RETURNING 1
                    """)
            }
            let from = Set(rows.map(\.batch)).sorted()
            try await self.audit(connection, actor: actor, action: "transfers.retry_failed", subject: batchID ?? "all batches",
                                 details: RetryFailed.auditDetails(transfers: ids.count, from: from, batches: created))
            return RetrySummary(transfers: ids.count, batches: created, awaitingApproval: rules.approvalRequired)
        }
    }

    /// Refuses a batch id this database does not have.
    func requireBatch(_ connection: PostgresConnection, _ id: String) async throws {
        guard try await connection.statement("SELECT 1 FROM batch WHERE id = \(id)", logger: logger).first != nil else {
            throw StoreError.notFound("batch \(id)")
        }
    }

    // MARK: Reading

    /// Batches, newest first, with per-state totals of their transfers.
    package func batches(state: BatchState?, id: String?) async throws -> [BatchSummary] {
        try await withConnection("listing batches") { connection in
            var bindings = PostgresBindings()
            var sql = """
                SELECT id, program, period, state, item_count, amount, makers, approved_by, approved_at, hold_reason, created_at FROM batch
                """
            if let id { bindings.append(id); sql += " WHERE id = $1" } else if let state { bindings.append(state.rawValue); sql += " WHERE state = $1" }
            sql += " ORDER BY created_at COLLATE \"C\" DESC, length(id) DESC, id COLLATE \"C\" DESC"
            var totals: [String: [String: StateTotal]] = [:]
            var totalBindings = PostgresBindings()
            if let id { totalBindings.append(id) }
            // The tally the triggers keep (step v18), not the transfers.
            let totalSQL = """
                SELECT batch_id, state, sum(n)::bigint, sum(amount)::bigint FROM transfer_tally
                WHERE \(id == nil ? "batch_id IS NOT NULL" : "batch_id = $1") GROUP BY 1, 2 HAVING sum(n) <> 0
                """
            for try await (batch, state, count, amount) in try await connection.streamedStatement(PostgresQuery(unsafeSQL: totalSQL, binds: totalBindings),
                                                                                     logger: self.logger)
                .decode((String, String, Int, Int64).self) {
                totals[batch, default: [:]][state] = StateTotal(count: count, amount: amount)
            }
            var result: [BatchSummary] = []
            for try await (id, program, period, state, items, amount, makers, approvedBy, approvedAt, holdReason, createdAt)
                in try await connection.streamedStatement(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: self.logger)
                .decode((String, String, String, String, Int, Int64, String, String?, String?, String?, String).self) {
                result.append(BatchSummary.make(id: id, program: program, period: period, state: state, itemCount: items,
                                                amount: Rupiah(amount), makers: makers, approvedBy: approvedBy, approvedAt: approvedAt,
                                                holdReason: holdReason, createdAt: createdAt, transfers: totals[id] ?? [:]))
            }
            return result
        }
    }

    /// One row per transfer for reconciliation; `from`/`to` are inclusive `YYYY-MM-DD` dates of
    /// settlement (or of queueing, for transfers not settled).
    package func transferRecords(from: String?, to: String?) async throws -> [TransferRecord] {
        try await withConnection("reading transfers") { connection in
            var clauses: [String] = []
            var bindings = PostgresBindings()
            if let from { bindings.append(from); clauses.append("substr(coalesce(settled_at, created_at), 1, 10) >= $\(bindings.count)") }
            if let to { bindings.append(to); clauses.append("substr(coalesce(settled_at, created_at), 1, 10) <= $\(bindings.count)") }
            let sql = Self.transferRecordsSQL + StoreSQL.where(clauses) + " ORDER BY id"
            return try await self.transferRecords(connection, PostgresQuery(unsafeSQL: sql, binds: bindings))
        }
    }

    /// `SELECT` of the columns `transferRecords(_:_:)` decodes, `FROM transfer`: a `WHERE` and an
    /// `ORDER BY` follow.
    static let transferRecordsSQL = """
        SELECT id, partner_reference_no, external_id, bank_reference_no, batch_id, kind, program, period, nik,
               beneficiary_name, beneficiary_account, beneficiary_bank_code, amount, state, attempts, created_at,
               settled_at, last_code,
               coalesce(CASE WHEN state = 'held' THEN hold_reason END, last_message), service FROM transfer
        """

    /// The transfers a query of `transferRecordsSQL` returns, in its order.
    func transferRecords(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> [TransferRecord] {
        var records: [TransferRecord] = []
        for try await (id, reference, externalID, bankReference, batchID, kind, program, period, nik, name, account, bankCode, amount,
                       state, attempts, createdAt, settledAt, code, message, service)
            in try await connection.streamedStatement(query, logger: logger)
            .decode((Int64, String, String?, String?, String?, String, String, String, String?, String, String, String?, Int64,
                     String, Int, String, String?, String?, String?, String?).self) {
            let settled = state == "settled"
            records.append(TransferRecord.make(
                transferID: id, partnerReferenceNo: reference, externalID: externalID, bankReferenceNo: bankReference, batchID: batchID,
                kind: kind, program: program, period: period, nik: nik, name: name, accountNo: account, bankCode: bankCode,
                amount: Rupiah(amount), state: state, attempts: attempts, createdAt: createdAt, settledAt: settledAt,
                failureCode: settled ? nil : code, failureMessage: settled ? nil : message, service: service))
        }
        return records
    }
}
