/// SplitMix64: a small, fast generator whose sequence is fixed by its seed, so `--seed` replays
/// the same fault choices for the same sequence of requests.
package struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator that starts from `seed`.
    package init(seed: UInt64) { self.state = seed }

    /// The next 64 random bits of the sequence.
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `true` with a probability of `percent` in 100.
    package mutating func roll(percent: Int) -> Bool {
        Int(next() % 100) < percent
    }
}
