package import Foundation
package import PostgresNIO
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
        _ = try await connection.query("SELECT pg_advisory_xact_lock(\(LockKey.batches.rawValue))", logger: logger)
        var pending: [(id: Int64, program: String, period: String, kind: String, amount: Int64, maker: String)] = []
        for try await row in try await connection.query("""
            SELECT id, program, period, kind, amount, enqueued_by FROM transfer WHERE state = 'pending'
            ORDER BY program, period, kind, id FOR UPDATE
            """, logger: logger).decode((Int64, String, String, String, Int64, String).self) {
            pending.append(row)
        }
        guard !pending.isEmpty else { return [] }
        let now = Timestamp.iso8601(Date())
        let month = String(now.prefix(7))
        let pattern = "B-\(month)-%"
        var sequence = try await connection.query("SELECT count(*) FROM batch WHERE id LIKE \(pattern)", logger: logger)
            .collect().first?.decode(Int.self) ?? 0
        let state = rules.approvalRequired ? "awaiting_approval" : "approved"
        var created: [String] = []

        var members: [Int64] = []
        var amount = Rupiah.zero
        var makers: Set<String> = []
        var key: (String, String, String)?
        func close() async throws {
            guard let key, !members.isEmpty else { return }
            sequence += 1
            let id = "B-\(month)-\(String(repeating: "0", count: max(0, 4 - String(sequence).count)))\(sequence)"
            let maker = makers.sorted().joined(separator: ",")
            try await execute(connection, """
                INSERT INTO batch (id, program, period, kind, state, item_count, amount, makers, created_at, updated_at)
                VALUES (\(id), \(key.0), \(key.1), \(key.2), \(state), \(members.count), \(amount.value), \(maker), \(now), \(now))
                """)
            for start in stride(from: 0, to: members.count, by: Self.chunk) {
                let chunk = Array(members[start..<min(start + Self.chunk, members.count)])
                try await execute(connection, """
                    UPDATE transfer SET batch_id = \(id), state = \(state), updated_at = \(now) WHERE id = ANY(\(chunk)::bigint[])
                    """)
            }
            try await audit(connection, actor: actor, action: "batch.create", subject: id, details: [
                "program": key.0, "period": key.1, "items": String(members.count), "amount": String(amount.value), "state": state,
            ])
            created.append(id)
            members = []
            amount = .zero
            makers = []
        }
        for row in pending {
            let rowKey = (row.program, row.period, row.kind)
            let value = Rupiah(row.amount)
            let fits = members.count < rules.maxItems && (try? amount.adding(value)).map { $0 <= rules.maxAmount } == true
            if key.map({ $0 != rowKey }) ?? true || !fits { try await close() }
            key = rowKey
            members.append(row.id)
            amount = try amount.adding(value)
            makers.insert(row.maker)
        }
        try await close()
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
