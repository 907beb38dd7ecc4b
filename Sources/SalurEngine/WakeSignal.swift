import SalurCore
import Synchronization

/// Lets another task end the engine's idle wait at once. A signal given while nobody waits is kept
/// (one, not counted) and ends the next wait at once.
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Bool, Never>?
    }

    private let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { s -> CheckedContinuation<Bool, Never>? in
            guard let waiter = s.waiter else {
                s.pending = true
                return nil
            }
            s.waiter = nil
            return waiter
        }
        waiter?.resume(returning: true)
    }

    /// Sleeps until `deadline` by `time`, or a signal, whichever comes first; returns whether it was a signal.
    func sleep(until deadline: ContinuousClock.Instant, on time: any MonotonicTime = SystemTime()) async -> Bool {
        if takePending() { return true }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await time.sleep(until: deadline)
                return false
            }
            group.addTask { await self.nextSignal() }
            // Both children end once either has; a signal that raced the timer still counts.
            var woken = false
            for await result in group {
                woken = woken || result
                group.cancelAll()
            }
            return woken
        }
    }

    private func takePending() -> Bool {
        state.withLock { s in
            defer { s.pending = false }
            return s.pending
        }
    }

    /// Returns true at the next signal, false when cancelled first.
    private func nextSignal() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let now = state.withLock { s -> Bool? in
                    if s.pending {
                        s.pending = false
                        return true
                    }
                    if Task.isCancelled { return false }
                    s.waiter = continuation
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Bool, Never>? in
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume(returning: false)
        }
    }
}
