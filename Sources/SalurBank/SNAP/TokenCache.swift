import Foundation
import SalurCore

/// The B2B access token, fetched once and shared by every request until shortly before it
/// expires; concurrent callers wait for the same fetch instead of each asking the bank.
///
/// The fetch runs in the first caller's own task (no task of its own), so that it runs wherever that
/// caller runs — under `salur-sim`'s scheduler too — and the others wait for its result.
actor TokenCache {
    private var token: String?
    private var validUntil = Date.distantPast
    /// Callers waiting for the fetch under way; nil when none is.
    private var waiting: [CheckedContinuation<String, any Error>]?
    private let margin: TimeInterval
    private let clock: WallClock

    init(refreshMarginSeconds: Int, clock: WallClock = .system) {
        margin = TimeInterval(refreshMarginSeconds)
        self.clock = clock
    }

    func get(_ fetch: @escaping @Sendable () async throws -> (token: String, expiresIn: Int)) async throws -> String {
        if let token, clock.now < validUntil { return token }
        if waiting != nil {
            return try await withCheckedThrowingContinuation { continuation in waiting?.append(continuation) }
        }
        waiting = []
        let result: Result<String, any Error>
        do {
            let fresh = try await fetch()
            token = fresh.token
            // Refresh `margin` seconds early, but never treat a short-lived token as already stale.
            let lifetime = TimeInterval(fresh.expiresIn)
            validUntil = clock.now.addingTimeInterval(max(lifetime - margin, lifetime / 2))
            result = .success(fresh.token)
        } catch {
            result = .failure(error)
        }
        let waiters = waiting ?? []
        waiting = nil
        for waiter in waiters { waiter.resume(with: result) }
        return try result.get()
    }

    /// Forgets `rejected` after any 401 about the token (401xx01 invalid, 401xx03 not found, 401xx00
    /// naming the token), so the next request fetches a new one; a newer token is kept.
    func invalidate(_ rejected: String) {
        if token == rejected { token = nil; validUntil = .distantPast }
    }
}
