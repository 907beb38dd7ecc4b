@testable import SalurEngine
import Testing

/// The engine's idle wait ends at once on a wake (PostgreSQL's NOTIFY), whether it came before or during the wait.
@Suite("Wake-ups")
struct WakeSignalTests {
    @Test("a wake ends the wait at once; one given while nobody waits ends the next wait; none: the wait runs out")
    func wakes() async {
        let signal = WakeSignal()
        let clock = ContinuousClock()
        let start = clock.now
        signal.signal()
        // Deadlines far beyond the bound checked below, so that a loaded machine (the whole suite
        // runs at once) cannot make a lost wake look like a timely one, nor a timely one fail.
        #expect(await signal.sleep(until: clock.now + .seconds(300)))
        async let woken = signal.sleep(until: clock.now + .seconds(300))
        signal.signal()
        #expect(await woken)
        #expect(clock.now - start < .seconds(120))
        #expect(await signal.sleep(until: clock.now + .milliseconds(20)) == false)
    }
}
