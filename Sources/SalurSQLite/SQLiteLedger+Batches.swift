package import Foundation
import GRDB
package import SalurCore
package import SalurStore

/// Maker-checker: approve, hold, release, cancel, retry. Each is one audited transaction.
extension SQLiteLedger {
    /// Approves `ids` (or every batch awaiting approval when `ids` is empty and `all` is set).
    /// With `distinctApprover`, a checker who enqueued any transfer of a batch may not approve it.
    package func approve(ids: [String], all: Bool, actor: String, distinctApprover: Bool) throws -> [String] {
        try write("approving batches") { db in
            let targets: [Row] = all
                ? try Row.fetchAll(db, sql: "SELECT * FROM batch WHERE state = 'awaiting_approval' ORDER BY length(id), id")
                : try ids.map { id in
                    guard let row = try Row.fetchOne(db, sql: "SELECT * FROM batch WHERE id = ?", arguments: [id]) else {
                        throw StoreError.notFound("batch \(id)")
                    }
                    return row
                }
            let restoreCache = try SQLiteLedger.largeCache(db, rows: targets.reduce(0) { $0 + ($1["item_count"] as Int) })
            defer { restoreCache() }
            let now = self.timestamp()
            var approved: [String] = []
            for batch in targets {
                let id: String = batch["id"]
                guard batch["state"] == "awaiting_approval" else {
                    throw StoreError.refused("batch \(id) is \(batch["state"] as String); only a batch awaiting approval can be approved")
                }
                let makers = (batch["makers"] as String).split(separator: ",").map(String.init)
                if distinctApprover, makers.contains(actor) {
                    throw StoreError.refused("maker-checker: \(actor) queued transfers in batch \(id) and may not approve it; another official must")
                }
                try db.execute(sql: "UPDATE batch SET state = 'approved', approved_by = ?, approved_at = ?, updated_at = ? WHERE id = ?",
                               arguments: [actor, now, now, id])
                try db.execute(sql: "UPDATE transfer SET state = 'approved', updated_at = ? WHERE batch_id = ? AND state = 'awaiting_approval'",
                               arguments: [now, id])
                try SQLiteLedger.audit(db, actor: actor, action: "batch.approve", subject: id, details: [
                    "items": String(batch["item_count"] as Int), "amount": String(batch["amount"] as Int64), "makers": batch["makers"],
                ])
                approved.append(id)
            }
            return approved
        }
    }

    /// Holds a batch: nothing more of it is sent until released. Transfers already on the wire or
    /// in doubt still resolve, since stopping them cannot undo what the bank may have done.
    package func hold(id: String, reason: String, actor: String) throws {
        try write("holding batch \(id)") { db in try SQLiteLedger.hold(db, id: id, reason: reason, actor: actor, strict: true) }
    }

    static func hold(_ db: Database, id: String, reason: String, actor: String, strict: Bool) throws {
        guard let state = try String.fetchOne(db, sql: "SELECT state FROM batch WHERE id = ?", arguments: [id]) else {
            throw StoreError.notFound("batch \(id)")
        }
        guard BatchRules.isHoldable(state) else {
            if strict { throw StoreError.refused(BatchRules.notHoldable(id: id, state: state)) }
            return
        }
        let now = systemTimestamp()
        try db.execute(sql: "UPDATE batch SET state = 'held', hold_reason = ?, updated_at = ? WHERE id = ?", arguments: [reason, now, id])
        try db.execute(sql: """
            UPDATE transfer SET state = 'held', updated_at = ?
            WHERE batch_id = ? AND state IN (\(StoreSQL.list(BatchRules.heldWithBatch)))
            """, arguments: [now, id])
        try audit(db, actor: actor, action: "batch.hold", subject: id, details: ["reason": reason, "was": state])
    }

    /// Releases a held batch: back to approved (its balance is checked again) or to awaiting approval.
    package func release(id: String, actor: String) throws {
        try write("releasing batch \(id)") { db in
            guard let batch = try Row.fetchOne(db, sql: "SELECT * FROM batch WHERE id = ?", arguments: [id]) else {
                throw StoreError.notFound("batch \(id)")
            }
            guard batch["state"] == "held" else { throw StoreError.refused(BatchRules.notHeld(id: id, state: batch["state"])) }
            let next = BatchRules.released(approvedBy: batch["approved_by"]).rawValue
            let now = self.timestamp()
            try db.execute(sql: "UPDATE batch SET state = ?, hold_reason = NULL, updated_at = ? WHERE id = ?", arguments: [next, now, id])
            try db.execute(sql: "UPDATE transfer SET state = ?, next_action_at = NULL, updated_at = ? WHERE batch_id = ? AND state = 'held'",
                           arguments: [next, now, id])
            try SQLiteLedger.audit(db, actor: actor, action: "batch.release", subject: id,
                                   details: ["to": next, "hold_reason": batch["hold_reason"] ?? ""])
        }
    }

    /// Cancels what of a batch has not been sent. Refused while any transfer of it is on the wire or in doubt.
    package func cancel(id: String, actor: String) throws -> Int {
        try write("cancelling batch \(id)") { db in
            guard let state = try String.fetchOne(db, sql: "SELECT state FROM batch WHERE id = ?", arguments: [id]) else {
                throw StoreError.notFound("batch \(id)")
            }
            guard !BatchRules.hasEnded(state) else { throw StoreError.refused(BatchRules.alreadyEnded(id: id, state: state)) }
            let unresolved = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM transfer WHERE batch_id = ? AND state IN (\(StoreSQL.list(BatchRules.unresolved)))
                """, arguments: [id]) ?? 0
            if unresolved > 0 { throw StoreError.refused(BatchRules.unresolvedRefusal(id: id, count: unresolved)) }
            let now = self.timestamp()
            try db.execute(sql: """
                UPDATE transfer SET state = 'cancelled', next_action_at = NULL, updated_at = ?,
                    dedupe_key = dedupe_key || ? || id
                WHERE batch_id = ? AND state IN (\(StoreSQL.list(BatchRules.cancellable)))
                """, arguments: [now, QueueRules.releasedKeyMark, id])
            let cancelled = db.changesCount
            try db.execute(sql: "UPDATE batch SET state = 'cancelled', updated_at = ? WHERE id = ?", arguments: [now, id])
            try SQLiteLedger.audit(db, actor: actor, action: "batch.cancel", subject: id, details: ["cancelled": String(cancelled), "was": state])
            return cancelled
        }
    }

    /// Cancels failed transfers for good (of `batchID`, or of `niks`, or all), so that their recipients may be
    /// queued again with corrected data: each gives up its key (`QueueRules.releasedKeyMark`) and keeps
    /// the reason. A failed transfer a statement shows debited is not touched (the bank booked it).
    package func cancelFailed(batchID: String?, niks: [String], reason: String, actor: String) throws -> CancelSummary {
        try write(CancelSummary.operation) { db in
            var sql = """
                SELECT id, batch_id, amount FROM transfer t WHERE state = 'failed'
                  AND \(RetryFailed.notDebited)
                """
            var arguments: StatementArguments = []
            if let batchID {
                try SQLiteLedger.requireBatch(db, batchID)
                sql += " AND batch_id = ?"
                arguments += [batchID]
            }
            if !niks.isEmpty {
                sql += " AND nik IN (\(databaseQuestionMarks(count: niks.count)))"
                arguments += StatementArguments(niks)
            }
            let rows = try Row.fetchAll(db, sql: sql + " ORDER BY id", arguments: arguments)
            var summary = CancelSummary()
            guard !rows.isEmpty else { return summary }
            let now = self.timestamp()
            let cancel = try db.makeStatement(sql: """
                UPDATE transfer SET state = 'cancelled', next_action_at = NULL, last_message = ?, updated_at = ?,
                    dedupe_key = dedupe_key || ? || id
                WHERE id = ? AND state = 'failed'
                """)
            for row in rows {
                try cancel.execute(arguments: [CancelSummary.message(actor: actor, reason: reason), now, QueueRules.releasedKeyMark,
                                               row["id"] as Int64])
                summary.cancelled += 1
                summary.amount = try summary.amount.adding(Rupiah(row["amount"] as Int64))
            }
            summary.batches = Set(rows.compactMap { $0["batch_id"] as String? }).sorted()
            try SQLiteLedger.audit(db, actor: actor, action: "transfers.cancel_failed", subject: batchID ?? "all batches",
                                   details: summary.auditDetails(reason: reason, niks: niks, transfers: rows.map { $0["id"] as Int64 }))
            return summary
        }
    }

    /// Puts failed transfers in new batches (maker-checker again, the retrying operator a maker), each
    /// in doubt until the bank has been asked about it (`RetryFailed` decides; this only persists).
    package func retryFailed(batchID: String?, actor: String, rules: BatchingRules) throws -> RetrySummary {
        let date = clock.now
        return try write(RetryFailed.operation) { db in
            var sql = """
                SELECT t.id, t.batch_id FROM transfer t JOIN batch b ON b.id = t.batch_id
                WHERE t.state = 'failed' AND b.state NOT IN ('cancelled')
                  AND \(RetryFailed.notDebited)
                """
            var arguments: StatementArguments = []
            if let batchID {
                try SQLiteLedger.requireBatch(db, batchID)
                sql += " AND t.batch_id = ?"
                arguments = [batchID]
            }
            let rows = try Row.fetchAll(db, sql: sql + " ORDER BY t.id", arguments: arguments)
            guard !rows.isEmpty else { return RetrySummary(awaitingApproval: rules.approvalRequired) }
            let stamp = SQLiteLedger.timestamp(date)
            let ids = rows.map { $0["id"] as Int64 }
            let from = Set(rows.map { $0["batch_id"] as String }).sorted()
            // Out of their old batches, into new ones formed as any batch is.
            for id in ids {
                try db.execute(sql: "UPDATE transfer SET state = 'pending', batch_id = NULL, updated_at = ? WHERE id = ?",
                               arguments: [stamp, id])
            }
            let created = try SQLiteLedger.formBatches(db, rules: rules, actor: actor, at: date)
            for batch in created {
                let makers = try String.fetchOne(db, sql: "SELECT makers FROM batch WHERE id = ?", arguments: [batch]) ?? ""
                var names = Set(makers.split(separator: ",").map(String.init))
                names.insert(actor)
                try db.execute(sql: "UPDATE batch SET makers = ? WHERE id = ?", arguments: [names.sorted().joined(separator: ","), batch])
            }
            // Asked about before anything is sent: in doubt from now, the answer read as a re-payment's.
            for id in ids {
                try db.execute(sql: """
                    UPDATE transfer SET state = 'in_doubt', external_id = coalesce(external_id, ? || id), ask_reason = ?,
                        settle_from = ?, next_action_at = ?, not_found_answers = 0, round_attempts = 0, last_message = ?, updated_at = ?
                    WHERE id = ?
                    """, arguments: [RetryFailed.standInExternalIDPrefix, AskReason.retry.rawValue, stamp, stamp,
                                     RetryFailed.message(actor: actor), stamp, id])
            }
            try SQLiteLedger.audit(db, actor: actor, action: "transfers.retry_failed", subject: batchID ?? "all batches",
                                   details: RetryFailed.auditDetails(transfers: ids.count, from: from, batches: created))
            return RetrySummary(transfers: ids.count, batches: created, awaitingApproval: rules.approvalRequired)
        }
    }

    /// Refuses a batch id this database does not have.
    static func requireBatch(_ db: Database, _ id: String) throws {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM batch WHERE id = ?", arguments: [id]) != nil else {
            throw StoreError.notFound("batch \(id)")
        }
    }

    /// Batches, newest first, with per-state totals of their transfers.
    package func batches(state: BatchState? = nil, id: String? = nil) throws -> [BatchSummary] {
        try read { db in
            var sql = "SELECT * FROM batch"
            var arguments: StatementArguments = []
            if let id { sql += " WHERE id = ?"; arguments = [id] } else if let state { sql += " WHERE state = ?"; arguments = [state.rawValue] }
            sql += " ORDER BY created_at DESC, length(id) DESC, id DESC"
            var totals: [String: [String: StateTotal]] = [:]
            let totalSQL = id == nil
                ? "SELECT batch_id, state, count(*) AS n, sum(amount) AS a FROM transfer WHERE batch_id IS NOT NULL GROUP BY 1, 2"
                : "SELECT batch_id, state, count(*) AS n, sum(amount) AS a FROM transfer WHERE batch_id = ? GROUP BY 1, 2"
            for row in try Row.fetchAll(db, sql: totalSQL, arguments: id == nil ? [] : [id]) {
                totals[row["batch_id"], default: [:]][row["state"]] = StateTotal(count: row["n"], amount: row["a"])
            }
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                BatchSummary.make(id: row["id"], program: row["program"], period: row["period"], state: row["state"], itemCount: row["item_count"],
                             amount: Rupiah(row["amount"] as Int64), makers: row["makers"], approvedBy: row["approved_by"],
                             approvedAt: row["approved_at"], holdReason: row["hold_reason"], createdAt: row["created_at"],
                             transfers: totals[row["id"]] ?? [:])
            }
        }
    }

    /// `queue status`: every transfer and batch state present, with counts and amounts. The counts
    /// and amounts read the index `transfer_claim` (state, id, amount) alone, not the table.
    package func queueStatus(now: Date = Date()) throws -> QueueStatus {
        try read { db in
            var transfers = Dictionary(uniqueKeysWithValues: TransferState.allCases.map { ($0.rawValue, StateTotal()) })
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n, coalesce(sum(amount), 0) AS a FROM transfer GROUP BY state") {
                transfers[row["state"]] = StateTotal(count: row["n"], amount: row["a"])
            }
            var batches = Dictionary(uniqueKeysWithValues: BatchState.allCases.map { ($0.rawValue, StateTotal()) })
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n, coalesce(sum(amount), 0) AS a FROM batch GROUP BY state") {
                batches[row["state"]] = StateTotal(count: row["n"], amount: row["a"])
            }
            func age(_ sql: String) throws -> Int? {
                guard let text = try String.fetchOne(db, sql: sql), let then = Timestamp.parse(text) else { return nil }
                return max(0, Int(now.timeIntervalSince(then)))
            }
            return QueueStatus(
                transfers: transfers, batches: batches,
                oldestPendingAgeSeconds: try age(StoreSQL.oldestWaitingCreatedAt),
                oldestInDoubtAgeSeconds: try age("SELECT min(updated_at) FROM transfer WHERE state = 'in_doubt'"))
        }
    }

    /// One row per transfer for reconciliation; `from`/`to` are inclusive `YYYY-MM-DD` dates of
    /// settlement (or of queueing, for transfers not settled).
    package func transferRecords(from: String?, to: String?) throws -> [TransferRecord] {
        try read { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let from { clauses.append("substr(coalesce(settled_at, created_at), 1, 10) >= ?"); arguments += [from] }
            if let to { clauses.append("substr(coalesce(settled_at, created_at), 1, 10) <= ?"); arguments += [to] }
            let sql = "SELECT * FROM transfer" + StoreSQL.where(clauses) + " ORDER BY id"
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(SQLiteLedger.record)
        }
    }

    static func record(_ row: Row) -> TransferRecord {
        let state: String = row["state"]
        return TransferRecord.make(
            transferID: row["id"], partnerReferenceNo: row["partner_reference_no"], externalID: row["external_id"],
            bankReferenceNo: row["bank_reference_no"], batchID: row["batch_id"], kind: row["kind"], program: row["program"],
            period: row["period"], nik: row["nik"], name: row["beneficiary_name"], accountNo: row["beneficiary_account"],
            bankCode: row["beneficiary_bank_code"], amount: Rupiah(row["amount"] as Int64), state: state, attempts: row["attempts"],
            createdAt: row["created_at"], settledAt: row["settled_at"],
            failureCode: state == "settled" ? nil : row["last_code"],
            // A transfer held for its account shows why (`AccountHold`), the reason an operator acts on.
            failureMessage: state == "settled" ? nil : (state == "held" ? row["hold_reason"] as String? : nil) ?? (row["last_message"] as String?),
            service: row["service"])
    }
}
