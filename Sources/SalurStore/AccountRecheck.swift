package import Foundation
package import SalurCore

/// When an account checked before is asked about again (SNAP service 15) — decided here once, for
/// both stores, so that no answer blocks a recipient for good and no payment goes out on an old one:
///
/// - on a schedule: a check older than `[engine] account_recheck_days` days (0: never by age);
/// - before a new period's first payment: a recipient with a transfer that has not left is checked
///   again when the last check was made before the start of that transfer's period, or of the
///   current month if the period lies ahead (a payment made early is checked once in the month it
///   leaves, not again and again until its period starts). Until then the transfer is not sent.
///
/// Months are Jakarta's (UTC+7); stored timestamps are `Timestamp.iso8601`, compared as text.
package struct AccountRecheck: Sendable, Equatable {
    /// Checks made before this instant are due by age; nil when the schedule is off.
    package let dueBefore: String?
    /// The current month in Jakarta.
    package let currentPeriod: Period

    package init(now: Date, recheckDays: Int) {
        dueBefore = recheckDays > 0 ? Timestamp.iso8601(now.addingTimeInterval(-Double(recheckDays) * 86_400)) : nil
        currentPeriod = Self.jakartaPeriod(now)
    }

    /// The instant before which a check is too old to pay a transfer of `period` on: the start (in
    /// Jakarta) of `period`, or of the current month when `period` lies ahead. Nil for a period that
    /// is not `YYYY-MM`.
    package func periodBound(_ period: String) -> String? {
        guard let period = Period(period) else { return nil }
        return Self.start(of: min(period, currentPeriod))
    }

    /// Whether a transfer of `period` waits for its recipient's account to be checked again. An account
    /// never checked does not wait here (the engine checks it first in each pass).
    package func awaitsCheck(checkedAt: String?, period: String?) -> Bool {
        guard let checkedAt, let period, let bound = periodBound(period) else { return false }
        return checkedAt < bound
    }

    /// The distinct periods of the transfers waiting to leave, each with the bound its recipients'
    /// checks must not be older than (for the stores' query of accounts to check).
    package func bounds(periods: [String]) -> [(period: String, before: String)] {
        periods.compactMap { period in periodBound(period).map { (period, $0) } }
    }

    /// The transfers whose period makes a recipient's account due again: those that have not left.
    package static let waitingStates: [TransferState] = AccountHold.movable

    /// The month of `date` in Jakarta (UTC+7, no daylight saving).
    package static func jakartaPeriod(_ date: Date) -> Period {
        let day = ExternalID.jakartaDay(date)
        return Period(String(day.prefix(4)) + "-" + String(day.dropFirst(4).prefix(2)))!
    }

    /// 00:00 of the first day of `period` in Jakarta, as a stored timestamp.
    package static func start(of period: Period) -> String { Timestamp.iso8601(startDate(of: period)) }

    /// 00:00 of the first day of `period` in Jakarta.
    package static func startDate(of period: Period) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
        return calendar.date(from: DateComponents(year: period.year, month: period.month, day: 1))!
    }
}
