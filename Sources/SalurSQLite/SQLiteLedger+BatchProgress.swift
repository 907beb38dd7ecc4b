import GRDB
package import SalurStore

extension SQLiteLedger {
    /// Every batch now posting, plus the batches in `ids` whatever their state, with transfer
    /// counts per state — one read, so the engine can tell which batches it saw posting have
    /// finished or been held since.
    package func batchProgress(watching ids: Set<String>) async throws -> [BatchProgress] {
        try await readAsync { db in
            let listed = Array(ids)
            let placeholders = listed.isEmpty ? "" : " OR b.id IN (" + listed.map { _ in "?" }.joined(separator: ", ") + ")"
            let rows = try Row.fetchAll(db, sql: """
                SELECT b.id, b.state AS batch_state, b.hold_reason, t.state AS transfer_state, count(t.id) AS n
                FROM batch b LEFT JOIN transfer t ON t.batch_id = b.id
                WHERE b.state = 'posting'\(placeholders)
                GROUP BY b.id, t.state ORDER BY b.id
                """, arguments: StatementArguments(listed))
            var byID: [String: BatchProgress] = [:]
            var order: [String] = []
            for row in rows {
                let id: String = row["id"]
                if byID[id] == nil {
                    order.append(id)
                    byID[id] = BatchProgress(id: id, state: row["batch_state"], holdReason: row["hold_reason"], transfers: [:])
                }
                if let state: String = row["transfer_state"] { byID[id]?.transfers[state] = row["n"] }
            }
            return order.compactMap { byID[$0] }
        }
    }
}
