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
/// `statement` checks the connection before the statement is sent, and a watch on the connection's
/// close fails every statement still waiting on it then: it throws `ConnectionClosedError` (a
/// transient failure: `PostgresLedger.describe` makes it `StoreError.unavailable`). A statement the
/// connection took before it closed fails or succeeds as PostgresNIO reports it, whichever comes
/// first: an answer that was on its way when the connection closed may be reported as that failure.
/// For a `COMMIT` that is the outcome every lost connection already has (committed or not, unknown
/// to the client), which every caller handles: an engine's claim that committed is fenced by its
/// lease, and is taken over as a crash's is.
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
    /// Runs `query` and returns its rows, or throws `ConnectionClosedError` once the connection has
    /// closed before they began (see `ConnectionCloseWatch`).
    package func statement(_ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line) async throws -> [PostgresRow] {
        try await streamedStatement(query, logger: logger, file: file, line: line).collect()
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
