import Foundation
import PostgresNIO
import SalurPostgres
import SalurTestSupport
import Testing

/// salurd's pool on PostgreSQL ends a transaction its client has left idle for the engine's lease
/// (`idle_in_transaction_session_timeout`): the rows an engine frozen mid-transaction locked are freed
/// for the engine that takes its work over. What that does is seen end to end in
/// `frozenEngineSendsNothingOnWaking` (salurd under SIGSTOP). It is not shown here on a pool: a
/// statement sent on a connection the server has ended does not return (PostgresNIO), and a pool may
/// still hand that connection out.
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
}
