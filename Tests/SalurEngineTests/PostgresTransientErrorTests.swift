import Foundation
import Logging
import SalurCore
import SalurEngine
import SalurPostgres
import SalurStore
import SalurTestSupport
import Testing

/// The database failing a statement for a reason that passes — here an administrator (or a
/// `statement_timeout`) cancelling the engine's statement while it waits on a lock — abandons the
/// pass instead of stopping the engine.
///
/// (A server that *ends* the connection under a waiting statement is not tested here: with
/// PostgresNIO 1.33.2 such a statement now and then never returns, on a loaded machine; salurd's
/// systemd watchdog, beaten only from the engine loop, restarts a daemon stuck that way.)
@Suite("A PostgreSQL statement failing for a while does not stop the engine", .serialized, .enabled(if: PostgresScratch.isEnabled))
struct PostgresTransientErrorTests {
    @Test("the engine's statement cancelled while it posts: the pass is abandoned, what was in flight is asked about, each transfer paid once",
          .timeLimit(.minutes(5)))
    func statementCancelled() async throws {
        let count = 600
        let target = try await PostgresScratch.freshTarget(prefix: "outage")
        let observer = try await PostgresLedger(target: target, maximumConnections: 3)
        defer { observer.shutdown() }
        try await PostgresSeed.transfers(observer, count: count, perBatch: 200)
        let ledger = try await PostgresEngineLedgerTests.engine(target)
        defer { ledger.shutdown() }
        let (simulator, client, bank, _) = try await EngineHarness.bankSide(faults: .none)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let engine = Engine(ledger: ledger, bank: bank, settings: EngineHarness.settings, logger: logger)
        let run = Task { try await engine.run(exitWhenIdle: true) }

        // Once attempts are being written, another session holds the attempt table (reads go on,
        // writes wait); as soon as one of the engine's statements waits on it, that statement is
        // cancelled — with requests still in flight at the bank.
        try await Self.until("the first attempts") { try await PostgresSeed.int(observer, "SELECT count(*) FROM transfer_attempt") > 0 }
        let cancelled = try await PostgresSeed.holding(observer, "LOCK TABLE transfer_attempt IN EXCLUSIVE MODE") {
            try await Self.until("an engine statement waiting on the lock") {
                try await PostgresSeed.int(observer, """
                    SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                    """) > 0
            }
            return try await PostgresSeed.int(observer, """
                SELECT count(*) FROM (SELECT pg_cancel_backend(pid) FROM pg_stat_activity
                    WHERE datname = current_database() AND wait_event_type = 'Lock') x
                """)
        }
        #expect(cancelled > 0)

        // Without the abandon-and-retry rule the engine's run would end here with the error.
        try await run.value
        #expect(try await PostgresSeed.int(observer, "SELECT count(*) FROM transfer WHERE state = 'settled'") == Int64(count))
        let booked = await simulator.ledger().filter { $0.status == .settled }
        #expect(booked.count == count, "the bank booked \(booked.count) payments for \(count) transfers")
        #expect(Set(booked.map(\.partnerReferenceNo)).count == count)
        // What was sent but not recorded when the statement failed was asked about, not resent blindly.
        #expect(try await PostgresSeed.int(observer, "SELECT count(*) FROM audit_log WHERE action = 'engine.recover'") >= 1)
        client.shutdown()
        try await simulator.shutdown()
    }

    /// Waits for `condition`, looking every few milliseconds, at most 120 s (a bound for a failing
    /// run only: the whole suite on a loaded machine has taken more than 30 s to reach the first attempts).
    static func until(_ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while try await !condition() {
            if ContinuousClock.now > deadline { throw ProcessError("timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
