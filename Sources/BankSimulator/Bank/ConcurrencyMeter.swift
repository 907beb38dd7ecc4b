import NIOCore
import Synchronization

/// How busy the bank was: every request from the moment it was read whole to the moment its answer
/// was written (the configured latency included), so that a benchmark can say what share of the
/// client's allowed concurrency the bank actually served.
public struct BankConcurrency: Sendable, Equatable {
    /// The sum of every answered request's time at the bank, in seconds.
    public var requestSeconds: Double
    /// Requests answered (or dropped) since start or the last reset.
    public var requests: Int
    /// The most requests the bank held at one time.
    public var peak: Int
}

/// Counts requests in progress at the bank (`BankConcurrency`).
final class ConcurrencyMeter: Sendable {
    private struct Counts {
        var current = 0
        var peak = 0
        var requests = 0
        var nanoseconds: Int64 = 0
    }
    private let counts = Mutex(Counts())

    /// A request has been read; returns when, for `ended(startedAt:)`.
    func began() -> NIODeadline {
        counts.withLock {
            $0.current += 1
            $0.peak = max($0.peak, $0.current)
        }
        return .now()
    }

    /// The request read at `start` has been answered (or its connection dropped).
    func ended(startedAt start: NIODeadline) {
        let took = (NIODeadline.now() - start).nanoseconds
        counts.withLock {
            $0.current -= 1
            $0.requests += 1
            $0.nanoseconds += took
        }
    }

    var figures: BankConcurrency {
        counts.withLock { BankConcurrency(requestSeconds: Double($0.nanoseconds) / 1e9, requests: $0.requests, peak: $0.peak) }
    }

    /// Starts counting afresh (requests in progress stay counted as current).
    func reset() { counts.withLock { $0 = Counts(current: $0.current, peak: $0.current) } }
}
