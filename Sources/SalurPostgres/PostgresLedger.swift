import Foundation
package import Logging
import NIOSSL
package import PostgresNIO
package import SalurCore
import SalurStore

/// The `Ledger` on a shared PostgreSQL server, for treasuries that run several engines on
/// several hosts (see the README's "PostgreSQL" section).
///
/// Every state change is one transaction at READ COMMITTED with explicit row locks where a
/// check-then-write could race (`FOR UPDATE`, `SKIP LOCKED` for engines' claims), and a
/// transaction-scoped advisory lock around the audit chain's append so that concurrent writers
/// never fork it. A transaction that PostgreSQL aborts for a serialization failure or a deadlock is
/// run again from the start (it has changed nothing).
package final class PostgresLedger: Sendable {
    package let client: PostgresClient
    package let target: PostgresTarget
    /// The calendar time this ledger stamps records and forms ids with.
    package let clock: WallClock
    package let logger: Logger
    private let runner: Task<Void, Never>
    /// This process's engine, once registered (PostgresLedger+Engine.swift).
    let engineSession = EngineSession()

    /// Advisory lock keys (one 64-bit space per database).
    enum LockKey: Int64 {
        case audit = 0x5341_4C55_0001
        case migrate = 0x5341_4C55_0002
        case batches = 0x5341_4C55_0003
        /// Held for a whole reconciliation run, and by resolving an exception (PostgresLedger+Reconciliation.swift).
        case reconcile = 0x5341_4C55_0010
        /// Held while `transfer_tally`'s rows of changes are folded (PostgresLedger+Engine.swift).
        case tally = 0x5341_4C55_0011
    }

    /// Connects, refuses a schema newer than this binary, and (unless `migrate` is false) brings the
    /// schema up to date.
    ///
    /// `idleInTransactionTimeout` (an engine's: its lease) is given to every connection of the pool
    /// as `idle_in_transaction_session_timeout`: the server ends a session whose transaction has
    /// waited on its client that long. An engine frozen in the middle of a transaction (SIGSTOP, a
    /// paused VM) otherwise keeps the rows it locked for as long as it stays frozen, and the engine
    /// taking its work over waits on them for ever. Its lease has run out by then: nothing it
    /// claimed may leave any more, and what its transaction wrote is rolled back. Once it wakes, its
    /// next statement on the connection the server ended fails (`PostgresConnection.statement`), as a
    /// lost connection does, and its pool goes on with new connections.
    package init(target: PostgresTarget, migrate: Bool = true, maximumConnections: Int = 8, logger: Logger = Logger(label: "salur.postgres"),
                clock: WallClock = .system, idleInTransactionTimeout: Duration? = nil) async throws {
        self.target = target
        self.clock = clock
        self.logger = logger
        var configuration = PostgresClient.Configuration(
            host: target.host, port: target.port, username: target.user, password: target.password,
            database: target.database, tls: try Self.tls(target))
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        if let idleInTransactionTimeout {
            configuration.options.additionalStartupParameters = [
                ("idle_in_transaction_session_timeout", "\(max(1, idleInTransactionTimeout.milliseconds))"),
            ]
        }
        // One direct connection first: a wrong password, an unknown database or a server that is
        // down fails here at once with PostgreSQL's own words, where the pool would keep retrying.
        do {
            let probe = try await PostgresConnection.connect(
                configuration: PostgresConnection.Configuration(
                    host: target.host, port: target.port, username: target.user, password: target.password,
                    database: target.database, tls: try Self.connectionTLS(target)),
                id: 0, logger: logger)
            try await probe.close()
        } catch {
            throw Self.describe(error, target: target, doing: "connecting")
        }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        // Started before the first lease, so PostgresNIO does not warn that run() was not called yet.
        var started: Task<Void, Never>!
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            started = Task {
                continuation.resume()
                await client.run()
            }
        }
        runner = started
        do {
            try await checkSchema(migrate: migrate)
        } catch {
            runner.cancel()
            throw translate(error, doing: "opening")
        }
    }

    /// Closes every connection. The ledger is unusable afterwards.
    package func shutdown() {
        let lease = engineSession.state.withLock { s -> PostgresConnection? in
            defer { s.leaseConnection = nil }
            return s.leaseConnection
        }
        if let lease { Task { try? await lease.close() } }
        runner.cancel()
    }

    deinit { runner.cancel() }

    /// A connection outside the pool, for work that must never queue behind the pool's other users
    /// (the engine's lease renewal): `statementTimeout` bounds every statement on it.
    func dedicatedConnection(statementTimeout: Duration) async throws -> PostgresConnection {
        let connection = try await PostgresConnection.connect(
            configuration: PostgresConnection.Configuration(
                host: target.host, port: target.port, username: target.user, password: target.password,
                database: target.database, tls: try Self.connectionTLS(target)),
            id: Int.random(in: 1...Int(Int32.max)), logger: logger)
        do {
            let ms = max(1, statementTimeout.milliseconds)
            _ = try await connection.statement(PostgresQuery(unsafeSQL: "SET statement_timeout = \(ms)"), logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
        return connection
    }

    private static func connectionTLS(_ target: PostgresTarget) throws -> PostgresConnection.Configuration.TLS {
        guard let configuration = tlsConfiguration(target) else { return .disable }
        return .require(try NIOSSLContext(configuration: configuration))
    }

    private static func tls(_ target: PostgresTarget) throws -> PostgresClient.Configuration.TLS {
        tlsConfiguration(target).map { .require($0) } ?? .disable
    }

    /// Verified TLS (or, with sslmode=require on loopback, unverified host name); nil for none.
    private static func tlsConfiguration(_ target: PostgresTarget) -> TLSConfiguration? {
        switch target.tls {
        case .disable:
            return nil
        case .require, .verifyFull:
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = target.tls == .verifyFull ? .fullVerification : .noHostnameVerification
            if let root = target.rootCertificate {
                tls.trustRoots = .file(root)
            }
            return tls
        }
    }

    // MARK: Schema

    /// Names of the schema steps this binary knows, in order.
    package static var knownSteps: [String] { PostgresSchema.steps.map(\.name) }

    /// The steps applied to the database, in order.
    package func appliedSteps() async throws -> [String] {
        try await withConnection("reading the schema version") { connection in
            try await Self.appliedSteps(connection, logger: self.logger)
        }
    }

    static func appliedSteps(_ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let exists = try await connection.statement("SELECT to_regclass('salur_migrations') IS NOT NULL", logger: logger)
            .first?.decode(Bool.self) ?? false
        guard exists else { return [] }
        var names: [String] = []
        for try await name in try await connection.streamedStatement("SELECT name FROM salur_migrations ORDER BY position", logger: logger)
            .decode(String.self) {
            names.append(name)
        }
        return names
    }

    /// Applies the missing steps (under an advisory lock, so two engines starting together do not
    /// race) and returns their names.
    @discardableResult
    package func migrate() async throws -> [String] {
        try await transaction("migrating the schema", audited: false) { connection in
            try await self.execute(connection, "SELECT pg_advisory_xact_lock(\(LockKey.migrate.rawValue))")
            try await self.execute(connection, """
                CREATE TABLE IF NOT EXISTS salur_migrations (
                    position BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE, applied_at TEXT NOT NULL)
                """)
            let applied = try await Self.appliedSteps(connection, logger: self.logger)
            try Self.refuseNewer(applied)
            var done: [String] = []
            for (position, step) in PostgresSchema.steps.enumerated() where position >= applied.count {
                for statement in PostgresSchema.statements(step.sql) {
                    try await self.execute(connection, PostgresQuery(unsafeSQL: statement))
                }
                let stamp = Timestamp.iso8601(clock.now)
                try await self.execute(connection, """
                    INSERT INTO salur_migrations (position, name, applied_at) VALUES (\(position + 1), \(step.name), \(stamp))
                    """)
                done.append(step.name)
            }
            return done
        }
    }

    private func checkSchema(migrate: Bool) async throws {
        let applied = try await appliedSteps()
        try Self.refuseNewer(applied)
        if migrate, applied.count < PostgresSchema.steps.count {
            try await self.migrate()
        }
    }

    static func refuseNewer(_ applied: [String]) throws {
        let known = knownSteps
        for (index, name) in applied.enumerated() where index >= known.count || known[index] != name {
            throw StoreError.newerSchema("it has schema step \"\(name)\", which this binary does not know")
        }
    }

    // MARK: Transactions

    /// Runs `body` on one pooled connection outside a transaction.
    package func withConnection<T: Sendable>(_ what: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch {
            throw translate(error, doing: what)
        }
    }

    /// Runs `body` in one transaction; runs it again (up to five times) when PostgreSQL aborts it
    /// for a serialization failure or a deadlock, which leave nothing behind.
    /// Transfers written by one command past which PostgreSQL's statistics of them are refreshed
    /// at once (`ANALYZE`) instead of by autovacuum's next round, up to a minute later: the
    /// engines' claims start right after a bulk approval and are planned from those statistics.
    static let analyzeAfter = 10_000

    /// Refreshes the planner's statistics of the transfers and batches after a command wrote
    /// `rows` transfers, when they are many (`analyzeAfter`). `ANALYZE` takes no lock that holds
    /// engines back; it reads a sample (about 30,000 rows), not the table. A failure is logged only:
    /// what was written is committed, and autovacuum refreshes them later anyway.
    func refreshStatistics(afterWriting rows: Int) async {
        guard rows >= Self.analyzeAfter else { return }
        do {
            try await withConnection("refreshing statistics") { connection in
                try await self.execute(connection, "ANALYZE transfer, batch")
            }
        } catch {
            logger.warning("could not refresh the planner's statistics after a bulk write", metadata: ["error": "\(error)"])
        }
    }

    package func transaction<T: Sendable>(_ what: String, audited: Bool = true,
                                          _ body: (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await client.withConnection { connection in
                    try await self.execute(connection, "BEGIN")
                    do {
                        let result = try await body(connection)
                        try await self.execute(connection, "COMMIT")
                        return result
                    } catch {
                        _ = try? await self.execute(connection, "ROLLBACK")
                        throw error
                    }
                }
            } catch let error as PSQLError where attempt < 5 && Self.isRetryable(error) {
                logger.debug("transaction retried", metadata: ["what": "\(what)", "sqlstate": "\(error.serverInfo?[.sqlState] ?? "")"])
                continue
            } catch {
                throw translate(error, doing: what)
            }
        }
    }

    /// Serialization failure or deadlock: PostgreSQL rolled the transaction back; running it again is safe.
    static func isRetryable(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }

    /// Server errors that pass by themselves: a lost connection (class 08), serialization failures
    /// and deadlocks past their reruns (40), resources (53), a lock timeout (55P03), a cancelled
    /// statement or a server shutting down or starting (57014, 57P01–57P03).
    package static func isTransient(sqlState state: String) -> Bool {
        state.hasPrefix("08") || state.hasPrefix("40") || state.hasPrefix("53")
            || ["55P03", "57014", "57P01", "57P02", "57P03"].contains(state)
    }

    /// Client-side failures that pass by themselves: the connection was lost or could not be made.
    static let transientCodes: [PSQLError.Code] = [.serverClosedConnection, .connectionError, .uncleanShutdown]

    /// Store errors and operator-facing refusals pass through; PostgreSQL's own errors become
    /// `StoreError`s naming the server (never its password) and what was being done —
    /// `.unavailable` when they pass by themselves, so the engine abandons a pass instead of stopping.
    package func translate(_ error: any Error, doing what: String) -> any Error {
        Self.describe(error, target: target, doing: what)
    }

    static func describe(_ error: any Error, target: PostgresTarget, doing what: String) -> any Error {
        if let closed = error as? ConnectionClosedError { return StoreError.unavailable("\(target.description): \(what): \(closed)") }
        guard let error = error as? PSQLError else { return error }
        if error.code == .server {
            let state = error.serverInfo?[.sqlState] ?? "?"
            let message = error.serverInfo?[.message] ?? "server error"
            let detail = error.serverInfo?[.detail].map { " (\($0))" } ?? ""
            let reason = "\(what): \(message)\(detail) [SQLSTATE \(state)]"
            return isTransient(sqlState: state) ? StoreError.unavailable("\(target.description): \(reason)")
                                                : StoreError.unusable(path: target.description, reason: reason)
        }
        let reason = "\(what): \(error.code)"
        return transientCodes.contains(error.code) ? StoreError.unavailable("\(target.description): \(reason)")
                                                   : StoreError.unusable(path: target.description, reason: reason)
    }

    // MARK: Audit

    /// Appends one audit row inside the caller's transaction, chained to the previous row. The
    /// advisory lock serialises appenders until commit, so two transactions never chain to the same row.
    package func audit(_ connection: PostgresConnection, actor: String, action: String, subject: String, details: [String: String]) async throws {
        try await self.execute(connection, "SELECT pg_advisory_xact_lock(\(LockKey.audit.rawValue))")
        let previous = try await connection.statement(PostgresQuery(unsafeSQL: StoreSQL.auditHead), logger: logger)
            .first?.decode((Int64, String).self)
        let seq = (previous?.0 ?? 0) + 1
        let prev = previous?.1 ?? AuditChain.genesis
        let at = Timestamp.iso8601(clock.now)
        let detailText = AuditChain.canonicalJSON(details)
        let hash = AuditChain.hash(prev: prev, seq: seq, at: at, actor: actor, action: action, subject: subject, details: detailText)
        try await self.execute(connection, """
            INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash)
            VALUES (\(seq), \(at), \(actor), \(action), \(subject), \(detailText), \(prev), \(hash))
            """)
    }

}

extension PostgresLedger {
    /// Runs a statement and returns how many rows it returned: write `UPDATE … RETURNING 1` to
    /// learn how many rows it changed (PostgresNIO's async API does not report the command tag).
    @discardableResult
    package func execute(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> Int {
        try await connection.statement(query, logger: logger).count
    }

    /// Runs a query and returns its rows, each as random access by column name.
    package func rows(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await connection.statement(query, logger: logger).map { $0.makeRandomAccess() }
    }
}
