package import SalurCore
import Synchronization

/// `[bank] max_requests_per_second`: every request to the bank — transfers, status, balance and
/// account inquiries (the access token, fetched every quarter hour or so, aside) — leaves at most at this rate, evenly spaced, so that Salur never earns a
/// 429 it could have avoided. A 429 (or the frequency limit, `403xx04`) with `Retry-After` stops
/// every request until then, on top of the spacing.
///
/// Each request reserves the next free slot (a generic cell rate algorithm with no burst): slots are
/// handed out in the order requests ask, one `1 / rate` apart, and a request waits for its slot
/// before it is handed to the transport.
///
/// One engine (SQLite) keeps the slots in this process. Engines sharing a PostgreSQL database share
/// them (`SharedRequestSlots`): each reserves a block of consecutive slots (a tenth of a second's
/// worth) from one row of the database in one statement and hands them out from memory, so the
/// requests of all engines together keep to the limit; a slot whose time has passed unused is
/// dropped, never saved up. The bank's Retry-After is written to the same row, and every engine's
/// next block starts after it.
package final class RequestRate: Sendable {
    private let spacing: Duration
    private let time: any MonotonicTime
    private let shared: (any SharedRequestSlots)?
    private let blockSize: Int
    private struct State {
        /// The instant the next slot is free (shared: the next slot of the block reserved, if any left).
        var nextSlot: ContinuousClock.Instant?
        /// Slots left in the block reserved from the shared row.
        var left = 0
        /// No request leaves before this (the bank said to wait).
        var pausedUntil: ContinuousClock.Instant?
        /// Requests waiting while a block is reserved; nil when no reservation is under way.
        var waiting: [CheckedContinuation<Void, any Error>]?
    }
    private let state = Mutex(State())

    /// A rate of `perSecond` requests a second (at least 1); `shared`: the slots every engine on the
    /// database draws from (nil: this process alone).
    package init(perSecond: Int, time: any MonotonicTime = SystemTime(), shared: (any SharedRequestSlots)? = nil) {
        let perSecond = max(1, perSecond)
        spacing = .nanoseconds(1_000_000_000 / Int64(perSecond))
        self.time = time
        self.shared = shared
        blockSize = max(1, perSecond / 10)
    }

    /// Reserves the next slot of this process's own timeline and returns when it may leave.
    package func reserve() -> ContinuousClock.Instant {
        let now = time.now
        return state.withLock { s in
            var at = max(now, s.nextSlot ?? now)
            if let paused = s.pausedUntil, paused > at { at = paused }
            s.nextSlot = at + spacing
            return at
        }
    }

    /// The next slot (shared: from the block reserved, reserving another when it is used up), and
    /// when it may leave.
    package func reserveSlot() async throws -> ContinuousClock.Instant {
        guard let shared else { return reserve() }
        while true {
            enum Step { case slot(ContinuousClock.Instant), wait, reserve }
            let now = time.now
            let step = state.withLock { s -> Step in
                // Slots already past (nobody asked in time) or inside the bank's pause are dropped.
                while s.left > 0, let next = s.nextSlot, next < now || (s.pausedUntil.map { next < $0 } ?? false) {
                    s.nextSlot = next + spacing
                    s.left -= 1
                }
                if s.left > 0, let next = s.nextSlot {
                    s.nextSlot = next + spacing
                    s.left -= 1
                    return .slot(next)
                }
                if s.waiting != nil { return .wait }
                s.waiting = []
                return .reserve
            }
            switch step {
            case .slot(let at):
                return at
            case .wait:
                try await withCheckedThrowingContinuation { continuation in
                    let queued = state.withLock { s -> Bool in
                        guard s.waiting != nil else { return false }
                        s.waiting?.append(continuation)
                        return true
                    }
                    if !queued { continuation.resume() }
                }
            case .reserve:
                let result: Result<Void, any Error>
                do {
                    let wait = try await shared.reserveSlots(count: blockSize, spacing: spacing)
                    // The block's first slot, `wait` from when the database answered, by this process's clock.
                    let first = time.now + wait
                    state.withLock { s in
                        s.nextSlot = first
                        s.left = blockSize
                    }
                    result = .success(())
                } catch {
                    result = .failure(error)
                }
                let waiters = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
                    defer { s.waiting = nil }
                    return s.waiting ?? []
                }
                for waiter in waiters { waiter.resume(with: result) }
                try result.get()
            }
        }
    }

    /// Waits for this request's slot; throws `CancellationError` if the task is cancelled first, or
    /// the shared slots' error when none could be reserved (the request is then not sent).
    package func acquire() async throws {
        let at = try await reserveSlot()
        if at > time.now { try await time.sleep(until: at) }
    }

    /// The bank asked to wait `seconds`: no request leaves before then — from any engine sharing
    /// the slots, each from its next block on. Returns the write of the pause to the shared slots,
    /// under way (nil when there are none).
    @discardableResult
    package func pause(seconds: Int) -> Task<Void, Never>? {
        let wait = Duration.seconds(max(0, seconds))
        let until = time.now + wait
        state.withLock { s in
            if s.pausedUntil.map({ until > $0 }) ?? true { s.pausedUntil = until }
        }
        guard let shared else { return nil }
        // Best effort: this engine holds back at once whatever happens; the others learn it from the row.
        return Task { try? await shared.pause(for: wait) }
    }
}

/// The request slots every engine on one database draws from (`RequestRate`): one timeline, kept
/// in the database, by the database's clock.
package protocol SharedRequestSlots: Sendable {
    /// Reserves `count` consecutive slots `spacing` apart, after every slot already reserved by any
    /// engine, not before now nor before a pause; returns how long from now the first one is.
    func reserveSlots(count: Int, spacing: Duration) async throws -> Duration
    /// No slot reserved from now on starts within `wait` from now.
    func pause(for wait: Duration) async throws
}
