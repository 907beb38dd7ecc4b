/// The clock durations are measured and waited on — timeouts, leases, backoff, a fence's deadline:
/// `SystemTime` (the process's monotonic clock) in production, a simulated one in `salur-sim`, whose
/// instants are a fixed origin plus simulated time, so that a whole engine can run a day in a
/// second and run it the same way twice.
///
/// Instants are `ContinuousClock.Instant` so that deadlines can travel to the transport unchanged.
package protocol MonotonicTime: Sendable {
    /// Now, by this clock.
    var now: ContinuousClock.Instant { get }
    /// Returns at `deadline` by this clock; throws `CancellationError` if the task is cancelled first.
    func sleep(until deadline: ContinuousClock.Instant) async throws
}

extension MonotonicTime {
    /// Returns after `duration` by this clock; throws `CancellationError` if the task is cancelled first.
    package func sleep(for duration: Duration) async throws {
        try await sleep(until: now + duration)
    }
}

/// The process's monotonic clock.
package struct SystemTime: MonotonicTime {
    package init() {}
    package var now: ContinuousClock.Instant { .now }
    package func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await Task.sleep(until: deadline, clock: .continuous)
    }
}
