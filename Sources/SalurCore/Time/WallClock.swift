package import Foundation

/// The calendar time Salur stamps records with and forms ids from (batch ids `B-YYYY-MM-nnnn` take
/// its month): the system clock in production, a fixed or moved one in tests and the simulator, so
/// that nothing Salur decides depends on the day a test happens to run.
///
/// Durations (timeouts, leases, backoff) are measured with a monotonic `Clock`, never with this.
package struct WallClock: Sendable {
    private let read: @Sendable () -> Date

    /// A clock that reads `read` every time it is asked.
    package init(_ read: @escaping @Sendable () -> Date) { self.read = read }

    /// The current date and time by this clock.
    package var now: Date { read() }

    /// The system's real-time clock.
    package static let system = WallClock { Date() }

    /// A clock that always says `date`.
    package static func fixed(_ date: Date) -> WallClock { WallClock { date } }
}
