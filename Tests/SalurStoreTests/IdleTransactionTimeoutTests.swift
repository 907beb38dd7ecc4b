import Foundation
import Logging
import PostgresNIO
import SalurPostgres
import SalurStore
import SalurTestSupport
import Testing

/// salurd's pool on PostgreSQL ends a transaction its client has left idle for the engine's lease
/// (`idle_in_transaction_session_timeout`): the rows an engine frozen mid-transaction locked are freed
/// for the engine that takes its work over, and the frozen engine's next statement on the connection the
/// server ended fails instead of waiting for ever (`PostgresConnection.statement`). End to end, with
/// salurd under SIGSTOP: `frozenEngineSendsNothingOnWaking`.
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

    @Test("a row locked by a transaction whose client stopped is taken by another session once the timeout passes; the stopped client's next statement fails, and its pool goes on")
    func frozenTransactionReleasesItsLocks() async throws {
        let target = try await PostgresScratch.freshTarget(prefix: "idle")
        // The schema is made first, by a ledger without the timeout. The stopping client's pool has one of
        // a minute, and its transaction lowers it to a second once the row is locked: a client slowed by the
        // machine's load (the parallel test run) must not have its session ended before it stops.
        let survivor = try await PostgresLedger(target: target, clock: .testDay)
        let frozen = try await PostgresLedger(target: target, maximumConnections: 1, clock: .testDay,
                                              idleInTransactionTimeout: .seconds(60))
        defer { frozen.shutdown(); survivor.shutdown() }
        let (taken, afterwards) = try await frozen.withConnection("a transaction that stops") { connection -> (Int?, Result<Int, any Error>) in
            _ = try await frozen.execute(connection, "BEGIN")
            _ = try await frozen.execute(connection, "SELECT 1 FROM send_mark WHERE id = 1 FOR UPDATE")
            _ = try await frozen.execute(connection, "SET LOCAL idle_in_transaction_session_timeout = 1000")
            // The client sends nothing more while another session asks for the same row. Were the
            // timeout not set, that session would wait until its own lock_timeout and fail.
            let taken = try await survivor.transaction("taking the row", audited: false) { other in
                _ = try await survivor.execute(other, "SET LOCAL lock_timeout = '20s'")
                return try await survivor.rows(other, "SELECT id FROM send_mark WHERE id = 1 FOR UPDATE")
                    .first?["id"].decode(Int.self)
            }
            // The server has ended the stopped client's session: its next statement fails, whether the
            // client has yet read that (the statement is never sent) or not (PostgresNIO fails it on reading it).
            do {
                return (taken, .success(try await frozen.execute(connection, "SELECT 1")))
            } catch {
                return (taken, .failure(error))
            }
        }
        #expect(taken == 1)
        #expect(throws: (any Error).self) { try afterwards.get() }
        if case .failure(let error) = afterwards {
            let translated = frozen.translate(error, doing: "reading")
            guard case StoreError.unavailable = translated else {
                Issue.record("a closed connection is a transient failure, got \(translated)")
                return
            }
        }
        // What the frozen transaction did is rolled back; the pool goes on with a new connection.
        #expect(try await PostgresSeed.texts(frozen, "SELECT 'connected'") == ["connected"])
    }

    @Test("a statement given to a connection that has closed fails at once (PostgresNIO alone would wait for ever)")
    func statementOnClosedConnectionFails() async throws {
        let target = try await PostgresScratch.freshTarget(prefix: "closed")
        let ledger = try await PostgresLedger(target: target, clock: .testDay)
        defer { ledger.shutdown() }
        let logger = Logger(label: "salur.test")
        let connection = try await Self.directConnection(target, logger: logger)
        let pid = try await connection.statement("SELECT pg_backend_pid()", logger: logger).first?.decode(Int32.self)
        #expect(pid != nil)
        #expect(try await PostgresSeed.texts(ledger, "SELECT pg_terminate_backend(\(pid ?? 0))::text") == ["true"])
        try await connection.closeFuture.get()  // the client has read that the server ended the session
        await #expect(throws: ConnectionClosedError.self) {
            _ = try await connection.statement("SELECT 1", logger: logger)
        }
        await #expect(throws: ConnectionClosedError.self) {
            _ = try await connection.streamedStatement("SELECT 1", logger: logger)
        }
    }

    @Test("one close watch per open connection, however many statements ran on it; none once it has closed")
    func oneWatchPerConnection() async throws {
        let target = try await PostgresScratch.freshTarget(prefix: "watch")
        let logger = Logger(label: "salur.test")
        let connection = try await Self.directConnection(target, logger: logger)
        #expect(ConnectionCloseWatch.shared.watching(connection) == (false, 0))
        var sum = 0
        for n in 1...500 {
            sum += try await connection.statement("SELECT \(n)::int", logger: logger).first?.decode(Int.self) ?? 0
            for try await _ in try await connection.streamedStatement("SELECT 1", logger: logger) {}
        }
        #expect(sum == 500 * 501 / 2)
        #expect(ConnectionCloseWatch.shared.watching(connection) == (true, 0), "no statement left waiting")
        try await connection.close()
        #expect(ConnectionCloseWatch.shared.watching(connection) == (false, 0), "the watch ends with the connection")
    }

    /// A connection of its own to `target`, outside any pool.
    static func directConnection(_ target: PostgresTarget, logger: Logger) async throws -> PostgresConnection {
        try await PostgresConnection.connect(
            configuration: PostgresConnection.Configuration(host: target.host, port: target.port, username: target.user,
                                                            password: target.password, database: target.database, tls: .disable),
            id: Int.random(in: 1...Int(Int32.max)), logger: logger)
    }
}
