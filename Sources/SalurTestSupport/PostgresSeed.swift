import Foundation
import PostgresNIO
package import SalurPostgres

/// Raw SQL for tests that seed or inspect a scratch PostgreSQL database directly.
package enum PostgresSeed {
    /// Runs `sql`: statements each ending with `;` at the end of a line, no parameters, in one transaction.
    package static func execute(_ ledger: PostgresLedger, _ sql: String) async throws {
        let statements = sql.components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        try await ledger.transaction("test SQL", audited: false) { connection in
            for statement in statements {
                _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: Logger(label: "salur.test")).collect()
            }
        }
    }

    /// Runs `lock` (say `LOCK TABLE … IN EXCLUSIVE MODE`) in a transaction of its own, calls
    /// `whileHeld` once it holds, and rolls back when `whileHeld` returns.
    package static func holding<T: Sendable>(_ ledger: PostgresLedger, _ lock: String,
                                             _ whileHeld: () async throws -> T) async throws -> T {
        try await ledger.withConnection("test lock") { connection in
            let logger = Logger(label: "salur.test")
            _ = try await connection.query("BEGIN", logger: logger).collect()
            _ = try await connection.query(PostgresQuery(unsafeSQL: lock), logger: logger).collect()
            do {
                let result = try await whileHeld()
                _ = try await connection.query("ROLLBACK", logger: logger).collect()
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger).collect()
                throw error
            }
        }
    }

    /// The first column of every row, as text (`::text` it in the query).
    package static func texts(_ ledger: PostgresLedger, _ sql: String) async throws -> [String?] {
        try await ledger.withConnection("test SQL") { connection in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "salur.test")).collect()
                .map { try $0.decode(String?.self) }
        }
    }

    /// PostgreSQL's plan for `sql` (`EXPLAIN`, one line a node) after `setUp` (say `SET LOCAL
    /// enable_seqscan = off`, or dropping an index), in a transaction rolled back afterwards.
    package static func plan(_ ledger: PostgresLedger, _ sql: String, after setUp: [String]) async throws -> String {
        try await ledger.withConnection("test SQL") { connection in
            let logger = Logger(label: "salur.test")
            _ = try await connection.query("BEGIN", logger: logger).collect()
            do {
                for statement in setUp { _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger).collect() }
                let plan = try await connection.query(PostgresQuery(unsafeSQL: "EXPLAIN " + sql), logger: logger).collect()
                    .map { try $0.decode(String.self) }.joined(separator: "\n")
                _ = try await connection.query("ROLLBACK", logger: logger).collect()
                return plan
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger).collect()
                throw error
            }
        }
    }

    /// The first column of the first row, as a number (`::bigint` it in the query).
    package static func int(_ ledger: PostgresLedger, _ sql: String) async throws -> Int64 {
        try await ledger.withConnection("test SQL") { connection in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "salur.test")).collect()
                .first?.decode(Int64?.self) ?? 0
        }
    }

    /// `count` transfers of Rp `amount` each (`SLR000000000001`…, accounts `0012000000001`…), in
    /// batches of `perBatch` (`B-T-0001`…) that are all `batchState` — `approved` (waiting for the
    /// balance check), `posting`, or `awaiting_approval` (whose transfers then await approval too,
    /// as `salurctl batches create` leaves them). Recipients are not needed by the engine and are left out.
    /// `after` transfers seeded before (a multiple of `perBatch`): these follow them, in batches of their own.
    package static func transfers(_ ledger: PostgresLedger, count: Int, perBatch: Int, amount: Int64 = 300_000,
                                  batchState: String = "approved", after: Int = 0) async throws {
        precondition(after % perBatch == 0, "seeded batches are whole")
        let stamp = "2026-11-01T00:00:00.000Z"
        let total = after + count
        try await execute(ledger, """
            INSERT INTO batch (id, program, period, kind, state, item_count, amount, makers, approved_by, approved_at, created_at, updated_at)
            SELECT 'B-T-' || lpad(b::text, 4, '0'), 'BANSOS-NT', '2026-11', 'intrabank', '\(batchState)',
                   least(\(perBatch), \(total) - (b - 1) * \(perBatch)), least(\(perBatch), \(total) - (b - 1) * \(perBatch)) * \(amount),
                   'maker', 'checker', '\(stamp)', '\(stamp)', '\(stamp)'
            FROM generate_series(\(after / perBatch + 1), (\(total) + \(perBatch) - 1) / \(perBatch)) b;
            INSERT INTO transfer (id, partner_reference_no, dedupe_key, kind, beneficiary_name, beneficiary_account, program, period,
                                  amount, remark, state, batch_id, enqueued_by, created_at, updated_at)
            SELECT g, 'SLR' || lpad(g::text, 12, '0'), 'test:' || g, 'intrabank', 'PENERIMA ' || g, '0012' || lpad(g::text, 9, '0'),
                   'BANSOS-NT', '2026-11', \(amount), 'BANSOS-NT 2026-11', '\(batchState == "awaiting_approval" ? "awaiting_approval" : "approved")',
                   'B-T-' || lpad(((g - 1) / \(perBatch) + 1)::text, 4, '0'), 'maker', '\(stamp)', '\(stamp)'
            FROM generate_series(\(after + 1), \(total)) g;
            SELECT setval(pg_get_serial_sequence('transfer', 'id'), \(total));
            """)
    }
}
