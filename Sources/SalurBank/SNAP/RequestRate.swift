package import SalurCore
import Synchronization

/// `[bank] max_requests_per_second`: every request to the bank — transfers, status, balance and
/// account inquiries (the access token, fetched every quarter hour or so, aside) — leaves at most at this rate, evenly spaced, so that Salur never earns a
/// 429 it could have avoided. A 429 (or the frequency limit, `403xx04`) with `Retry-After` stops
/// every request until then, on top of the spacing.
///
/// Each request reserves the next free slot (a generic cell rate algorithm with no burst): slots are
/// handed out in the order requests ask, one `1 / rate` apart, and a request waits for its slot
/// before it is handed to the transport. The rate is per process: engines sharing a PostgreSQL
/// database each keep it, so there it is the bank's limit divided by the number of engines.
package final class RequestRate: Sendable {
    private let spacing: Duration
    private let time: any MonotonicTime
    private struct State {
        /// The instant the next slot is free.
        var nextSlot: ContinuousClock.Instant?
        /// No request leaves before this (the bank said to wait).
        var pausedUntil: ContinuousClock.Instant?
    }
    private let state = Mutex(State())

    /// A rate of `perSecond` requests a second (at least 1).
    package init(perSecond: Int, time: any MonotonicTime = SystemTime()) {
        spacing = .nanoseconds(1_000_000_000 / Int64(max(1, perSecond)))
        self.time = time
    }

    /// Reserves the next slot and returns when it may leave.
    package func reserve() -> ContinuousClock.Instant {
        let now = time.now
        return state.withLock { s in
            var at = max(now, s.nextSlot ?? now)
            if let paused = s.pausedUntil, paused > at { at = paused }
            s.nextSlot = at + spacing
            return at
        }
    }

    /// Waits for this request's slot; throws `CancellationError` if the task is cancelled first.
    package func acquire() async throws {
        let at = reserve()
        if at > time.now { try await time.sleep(until: at) }
    }

    /// The bank asked to wait `seconds`: no request leaves before then.
    package func pause(seconds: Int) {
        let until = time.now + .seconds(max(0, seconds))
        state.withLock { s in
            if s.pausedUntil.map({ until > $0 }) ?? true { s.pausedUntil = until }
        }
    }
}
