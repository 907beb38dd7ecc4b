import Foundation
import SalurCore
import Synchronization

/// Simulated time: a monotonic clock (`MonotonicTime`) and a calendar (`wall`) that move only when
/// the scheduler moves them — to the next timer when nothing is ready to run. A sleeping task is a
/// timer; a day passes in the time it takes to fire the timers in it.
final class SimClock: MonotonicTime, @unchecked Sendable {
    // @unchecked: all state is behind the Mutex.
    private struct Timer {
        let deadline: Duration
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var elapsed: Duration = .zero
        var timers: [UInt64: Timer] = [:]
        var cancelledEarly: Set<UInt64> = []
        var lastID: UInt64 = 0
    }

    /// The monotonic instant simulated time starts at.
    let origin: ContinuousClock.Instant
    /// The calendar time it starts at.
    let wallOrigin: Date
    private let state = Mutex(State())

    init(wallOrigin: Date) {
        origin = .now
        self.wallOrigin = wallOrigin
    }

    /// Simulated time since the start.
    var elapsed: Duration { state.withLock { $0.elapsed } }

    var now: ContinuousClock.Instant { origin + elapsed }

    /// The calendar by this clock.
    var wall: WallClock {
        WallClock { [self] in wallOrigin.addingTimeInterval(Self.seconds(elapsed)) }
    }

    func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await sleep(until: deadline, cancellable: true)
    }

    /// Sleeps until `deadline`; with `cancellable` false a cancelled task sleeps on (a request on
    /// the wire arrives whatever its sender does meanwhile).
    func sleep(until deadline: ContinuousClock.Instant, cancellable: Bool) async throws {
        if cancellable { try Task.checkCancellation() }
        let target = deadline - origin
        if target <= elapsed { return }
        let id = state.withLock { state -> UInt64 in
            state.lastID += 1
            return state.lastID
        }
        let register = { (continuation: CheckedContinuation<Void, any Error>) in
            let early = self.state.withLock { state -> Bool in
                if state.cancelledEarly.remove(id) != nil { return true }
                state.timers[id] = Timer(deadline: target, continuation: continuation)
                return false
            }
            if early { continuation.resume(throwing: CancellationError()) }
        }
        guard cancellable else {
            return try await withCheckedThrowingContinuation(register)
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation(register)
        } onCancel: {
            let timer = self.state.withLock { state -> Timer? in
                guard let timer = state.timers.removeValue(forKey: id) else {
                    state.cancelledEarly.insert(id)
                    return nil
                }
                return timer
            }
            timer?.continuation.resume(throwing: CancellationError())
        }
    }

    /// When the next timer fires, from the start; nil when none is set.
    var nextDeadline: Duration? {
        state.withLock { $0.timers.values.map(\.deadline).min() }
    }

    /// Moves time to the earliest timer and fires it (the one set first among equals); false when
    /// there is none.
    func fireNext() -> Bool {
        let timer = state.withLock { state -> Timer? in
            guard let (id, timer) = state.timers.min(by: { ($0.value.deadline, $0.key) < ($1.value.deadline, $1.key) }) else { return nil }
            state.timers.removeValue(forKey: id)
            state.elapsed = max(state.elapsed, timer.deadline)
            return timer
        }
        guard let timer else { return false }
        timer.continuation.resume()
        return true
    }

    /// Moves time forward to `elapsed` (never back), firing nothing.
    func advance(to elapsed: Duration) {
        state.withLock { $0.elapsed = max($0.elapsed, elapsed) }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
