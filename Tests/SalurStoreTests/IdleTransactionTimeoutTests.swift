import Foundation
import PostgresNIO
import SalurPostgres
import SalurTestSupport
import Testing

/// salurd's pool on PostgreSQL ends a transaction its client has left idle for the engine's lease
/// (`idle_in_transaction_session_timeout`): the rows an engine frozen mid-transaction locked are freed
/// for the engine that takes its work over.
@Suite("PostgreSQL: a transaction left idle by a frozen engine", .enabled(if: PostgresScratch.isEnabled))
struct IdleTransactionTimeoutTests {
    @Test("each connection of the pool carries the timeout it was given; without one, none")
    func timeoutOnEveryConnection() async throws {
        let target = try await PostgresScratch.freshTarget(prefix: "idle")
        let engine = try await PostgresLedger(target: target, clock: .testDay, idleInTransactionTimeout: .milliseconds(2_500))
        let operator_ = try await PostgresLedger(target: target, clock: .testDay)
        defer { engine.shutdown(); operator_.shutdown() }
        #expect(try await PostgresSeed.texts(engine, "SHOW idle_in_transaction_session_timeout") == ["2500ms"])
        #expect(try await PostgresSeed.texts(operator_, "SHOW idle_in_transaction_session_timeout") == ["0"])
    }

    @Test("a row locked by a transaction whose client stopped is taken by another session once the timeout passes")
    func frozenTransactionReleasesItsLocks() async throws {
        let target = try await PostgresScratch.freshTarget(prefix: "idle")
        let frozen = try await PostgresLedger(target: target, clock: .testDay, idleInTransactionTimeout: .milliseconds(300))
        let survivor = try await PostgresLedger(target: target, clock: .testDay)
        defer { frozen.shutdown(); survivor.shutdown() }
        let logger = Logger(label: "salur.test")
        let taken = try await frozen.withConnection("a transaction that stops") { connection -> Int? in
            _ = try await connection.query("BEGIN", logger: logger).collect()
            _ = try await connection.query("SELECT 1 FROM send_mark WHERE id = 1 FOR UPDATE", logger: logger).collect()
            // The client sends nothing more while another session asks for the same row. Were the
            // timeout not set, that session would wait until its own lock_timeout and fail.
            return try await survivor.transaction("taking the row", audited: false) { other in
                _ = try await other.query("SET LOCAL lock_timeout = '20s'", logger: logger).collect()
                return try await other.query("SELECT id FROM send_mark WHERE id = 1 FOR UPDATE", logger: logger)
                    .collect().first?.decode(Int.self)
            }
        }
        #expect(taken == 1)
        // The server ended the frozen session (what its transaction did is rolled back); the pool goes on with new ones.
        #expect(try await PostgresSeed.texts(frozen, "SELECT 'connected'") == ["connected"])
    }
}
