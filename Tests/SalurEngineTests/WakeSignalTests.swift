@testable import SalurEngine
import SalurCore
import Testing

/// The engine's idle wait ends at once on a wake (PostgreSQL's NOTIFY), whether it came before or during the wait.
@Suite("Wake-ups")
struct WakeSignalTests {
    /// A timer that never fires: a wait on it ends only by a wake (or its cancellation).
    struct NeverTime: MonotonicTime {
        var now: ContinuousClock.Instant { ContinuousClock.now }
        func sleep(until deadline: ContinuousClock.Instant) async throws {
            try await Task.sleep(for: .seconds(365 * 24 * 3600)) // throws when the wait is cancelled
        }
    }

    /// A timer whose every deadline has passed.
    struct PassedTime: MonotonicTime {
        var now: ContinuousClock.Instant { ContinuousClock.now }
        func sleep(until deadline: ContinuousClock.Instant) async throws {}
    }

    // No wall-clock bound: the waits below cannot end by their timer, so a `true` is the wake's own
    // doing however loaded the machine is; a lost wake leaves a wait hanging, which the limit fails.
    @Test("a wake ends the wait; one given while nobody waits ends the next wait; none: the timer ends it",
          .timeLimit(.minutes(10)))
    func wakes() async {
        let signal = WakeSignal()
        let never = NeverTime()
        signal.signal()
        #expect(await signal.sleep(until: never.now + .seconds(1), on: never))
        async let woken = signal.sleep(until: never.now + .seconds(1), on: never)
        signal.signal()
        #expect(await woken)
        #expect(await signal.sleep(until: never.now + .seconds(1), on: PassedTime()) == false)
    }
}
