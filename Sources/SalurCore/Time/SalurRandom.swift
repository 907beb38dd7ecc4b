import Synchronization

/// Where Salur's random choices come from — partner references, retry jitter: the system's secure
/// generator in production, or a seeded sequence in `salur-sim`, so that one seed replays one run
/// exactly. Shared by reference and safe to use from any thread.
package final class RandomSource: Sendable {
    private let isSeeded: Bool
    private let state: Mutex<UInt64>

    /// The system's secure generator.
    package static let system = RandomSource(seed: nil)

    /// A seeded sequence (SplitMix64), or the system's generator when `seed` is nil.
    package init(seed: UInt64?) {
        isSeeded = seed != nil
        state = Mutex(seed ?? 0)
    }

    /// The next 64 random bits.
    package func next() -> UInt64 {
        guard isSeeded else {
            var system = SystemRandomNumberGenerator()
            return system.next()
        }
        return state.withLock { state in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// A generator drawing from this source, for the standard library's `random(in:using:)`.
    package var generator: Generator { Generator(source: self) }

    package struct Generator: RandomNumberGenerator {
        let source: RandomSource
        package mutating func next() -> UInt64 { source.next() }
    }
}
