package import Foundation
package import PostgresNIO
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
            let state = try await connection.query("SELECT state FROM batch WHERE id = \(id) FOR UPDATE", logger: logger)
                .collect().first?.decode(String.self)
            guard state == "posting" else { continue }
            let open = try await connection.query("""
                SELECT count(*) FROM transfer WHERE batch_id = \(id) AND state NOT IN ('settled', 'failed', 'cancelled', 'returned')
                """, logger: logger).collect().first?.decode(Int.self) ?? 0
            guard open == 0 else { continue }
            let now = Timestamp.iso8601(Date())
            let changed = try await execute(connection, """
                UPDATE batch SET state = 'done', updated_at = \(now) WHERE id = \(id) AND state = 'posting' RETURNING 1
                """)
            guard changed == 1 else { continue }
            var details: [String: String] = [:]
            for try await (state, count) in try await connection.query("""
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
        guard let state = try await connection.query("SELECT state FROM batch WHERE id = \(id) FOR UPDATE", logger: logger)
            .collect().first?.decode(String.self) else {
            throw StoreError.notFound("batch \(id)")
        }
        guard ["awaiting_approval", "approved", "posting"].contains(state) else {
            if strict { throw StoreError.refused("batch \(id) is \(state); only a batch awaiting approval, approved or posting can be held") }
            return
        }
        let now = Timestamp.iso8601(Date())
        try await execute(connection, "UPDATE batch SET state = 'held', hold_reason = \(reason), updated_at = \(now) WHERE id = \(id) RETURNING 1")
        try await execute(connection, """
            UPDATE transfer SET state = 'held', updated_at = \(now)
            WHERE batch_id = \(id) AND state IN ('awaiting_approval', 'approved', 'retry_wait') RETURNING 1
            """)
        try await audit(connection, actor: actor, action: "batch.hold", subject: id, details: ["reason": reason, "was": state])
    }
}
