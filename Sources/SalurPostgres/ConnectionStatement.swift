import Logging
import NIOCore
package import PostgresNIO
import Synchronization

/// A statement that fails once its connection has closed, instead of waiting for ever.
///
/// PostgresNIO (1.33) hands a statement to its connection's channel without a promise for that
/// write. On a channel already closed — the server ended the session (a frozen engine's
/// `idle_in_transaction_session_timeout`, a restart, `pg_terminate_backend`) and the client has read
/// that — the write is dropped and the statement's answer never comes: `query` neither returns nor
/// gives way to cancellation, and closing the connection does not end it either. A pool may hand out
/// such a connection before it notices it is closed.
///
/// So a statement is never given to a closed channel blind:
/// - `PostgresConnection.statement` (rows collected: all the writes, every transaction's `BEGIN` and
///   `COMMIT`) hands it over on the connection's event loop, right after the loop finds the channel
///   open. PostgresNIO's handler then has it at once and answers it whatever happens next, so an
///   answer that came before the connection closed is reported as it came.
/// - `PostgresConnection.streamedStatement` (rows read as they arrive, through PostgresNIO's async
///   API, which sends from whatever thread it runs on) checks the connection first, and this watch on
///   its close fails the statement still waiting for its rows to begin, with `ConnectionClosedError`.
///   An answer on its way as the connection closed may then be reported as that failure; what was
///   read on a connection that closed is of no use to its transaction, which the server rolls back.
///
/// `PostgresLedger.describe` makes `ConnectionClosedError` a transient `StoreError.unavailable`, as for
/// any lost connection.
package final class ConnectionCloseWatch: Sendable {
    package static let shared = ConnectionCloseWatch()

    private struct Watched {
        weak var connection: PostgresConnection?
        var waiting: [UInt64: @Sendable () -> Void] = [:]
    }
    private struct State {
        var next: UInt64 = 0
        var watched: [ObjectIdentifier: Watched] = [:]
    }
    private let state = Mutex(State())

    /// Calls `fail` once `connection` closes (at once if it has), unless `end`ed first with the number returned.
    /// One close watch per open connection, whatever the number of statements on it.
    func add(_ connection: PostgresConnection, _ fail: @escaping @Sendable () -> Void) -> UInt64 {
        let key = ObjectIdentifier(connection)
        let (number, isNew) = state.withLock { s -> (UInt64, Bool) in
            s.next += 1
            let isNew = s.watched[key]?.connection !== connection
            if isNew { s.watched[key] = Watched(connection: connection) }
            s.watched[key]?.waiting[s.next] = fail
            return (s.next, isNew)
        }
        if isNew {
            connection.closeFuture.whenComplete { [weak connection] _ in
                let waiting = self.state.withLock { s -> [@Sendable () -> Void] in
                    guard let watched = s.watched[key], watched.connection === connection || watched.connection == nil else { return [] }
                    s.watched[key] = nil
                    return Array(watched.waiting.values)
                }
                for fail in waiting { fail() }
            }
        }
        return number
    }

    func end(_ connection: PostgresConnection, _ number: UInt64) {
        let key = ObjectIdentifier(connection)
        state.withLock { s in _ = s.watched[key]?.waiting.removeValue(forKey: number) }
    }

    /// Whether `connection` is watched, and how many of its statements wait (for tests).
    package func watching(_ connection: PostgresConnection) -> (watched: Bool, waiting: Int) {
        state.withLock { s in
            guard let watched = s.watched[ObjectIdentifier(connection)], watched.connection === connection else { return (false, 0) }
            return (true, watched.waiting.count)
        }
    }
}

/// The connection a statement was given to had closed (see `ConnectionCloseWatch`).
package struct ConnectionClosedError: Error, CustomStringConvertible {
    package var description: String { "the connection to the server was closed" }
}

extension PostgresConnection {
    /// Runs `query` and returns its rows; throws `ConnectionClosedError` when the connection has closed.
    ///
    /// The statement is handed to the connection on its event loop, right after the loop finds the
    /// channel open: there the write reaches PostgresNIO's handler at once, which answers it
    /// whatever happens next (a connection that closes under it fails it). So no write is dropped, and
    /// an answer that came before the connection closed is reported as it came.
    package func statement(_ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line) async throws -> [PostgresRow] {
        let loop = eventLoop
        return try await loop.flatSubmit { () -> EventLoopFuture<PostgresQueryResult> in
            guard !self.isClosed else { return loop.makeFailedFuture(ConnectionClosedError()) }
            return self.query(query, logger: logger, file: file, line: line)
        }.get().rows
    }

    /// `query` for rows read as they arrive, or `ConnectionClosedError` once the connection has closed
    /// before the rows begin (see `ConnectionCloseWatch`). Once they have begun, a connection that
    /// closes ends them with PostgresNIO's own error.
    ///
    /// The statement is sent from a task of its own, which waits for PostgresNIO's answer: a statement
    /// the closed channel dropped is never answered, and must not be awaited here. That task then stays
    /// suspended, holding the connection — one task for each statement so dropped, which only a
    /// connection closing under a statement can cause. (Waiting on it through PostgresNIO's futures
    /// instead would let the unanswered promise go, which a debug build of SwiftNIO stops the process for.)
    package func streamedStatement(_ query: PostgresQuery, logger: Logger, file: String = #fileID,
                                   line: Int = #line) async throws -> PostgresRowSequence {
        guard !isClosed else { throw ConnectionClosedError() }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PostgresRowSequence, any Error>) in
            let settled = Mutex(false)
            let settle: @Sendable (Result<PostgresRowSequence, any Error>) -> Void = { result in
                guard settled.withLock({ done in defer { done = true }; return !done }) else { return }
                continuation.resume(with: result)
            }
            let watch = ConnectionCloseWatch.shared.add(self) { settle(.failure(ConnectionClosedError())) }
            Task {
                defer { ConnectionCloseWatch.shared.end(self, watch) }
                do { settle(.success(try await self.query(query, logger: logger, file: file, line: line))) } catch { settle(.failure(error)) }
            }
        }
    }
}
