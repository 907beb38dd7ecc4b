import Foundation

/// The B2B access token, fetched once and shared by every request until shortly before it
/// expires; concurrent callers wait for the same fetch instead of each asking the bank.
actor TokenCache {
    private var token: String?
    private var validUntil = Date.distantPast
    private var fetching: Task<(String, Int), any Error>?
    private let margin: TimeInterval

    init(refreshMarginSeconds: Int) { margin = TimeInterval(refreshMarginSeconds) }

    func get(_ fetch: @escaping @Sendable () async throws -> (token: String, expiresIn: Int)) async throws -> String {
        if let token, Date() < validUntil { return token }
        if let fetching { return try await fetching.value.0 }
        let task = Task { () async throws -> (String, Int) in let fresh = try await fetch(); return (fresh.token, fresh.expiresIn) }
        fetching = task
        defer { fetching = nil }
        let (fresh, expiresIn) = try await task.value
        token = fresh
        // Refresh `margin` seconds early, but never treat a short-lived token as already stale.
        validUntil = Date().addingTimeInterval(max(TimeInterval(expiresIn) - margin, TimeInterval(expiresIn) / 2))
        return fresh
    }

    /// Forgets `rejected` after any 401 about the token (401xx01 invalid, 401xx03 not found, 401xx00
    /// naming the token), so the next request fetches a new one; a newer token is kept.
    func invalidate(_ rejected: String) {
        if token == rejected { token = nil; validUntil = .distantPast }
    }
}
