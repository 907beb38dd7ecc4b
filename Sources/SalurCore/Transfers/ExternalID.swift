package import Foundation

/// The `X-EXTERNAL-ID`s Salur sends: numeric, and unique per day at the bank (SNAP counts the day
/// in Jakarta). Two spaces that can never meet, both allocated by the database so that every
/// engine on it draws from the same counters:
///
/// - a transfer attempt's: the Jakarta date and the attempt's row id in 12 digits — 20 digits;
/// - any other request's (status, balance and account inquiries): the Jakarta date, `1`, and a
///   number from the database's request counter in 15 digits — 24 digits.
///
/// Their lengths differ, so an attempt's id never equals a request's, whatever the counters reach.
package enum ExternalID {
    /// Digits after the date in an attempt's id.
    package static let attemptDigits = 12
    /// Digits after the date and the `1` marker in a request's id.
    package static let requestDigits = 15
    /// The largest number a request id can carry.
    package static let maxRequestNumber: Int64 = 999_999_999_999_999

    /// `20261123`: the date in Jakarta (UTC+7, WIB, no daylight saving), the day SNAP's
    /// external-id uniqueness counts in.
    package static func jakartaDay(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return pad(parts.year ?? 0, 4) + pad(parts.month ?? 0, 2) + pad(parts.day ?? 0, 2)
    }

    /// A transfer attempt's id: the Jakarta date of `date` and `attemptID` (the attempt's row id,
    /// unique forever in its database) zero-padded to 12 digits.
    package static func attempt(_ attemptID: Int64, on date: Date) -> String {
        jakartaDay(date) + pad(attemptID, attemptDigits)
    }

    /// Any other request's id: the Jakarta date of `date`, `1`, and `number` (from the database's
    /// request counter) zero-padded to 15 digits; nil when `number` is out of that range.
    package static func request(_ number: Int64, on date: Date) -> String? {
        guard number >= 0, number <= maxRequestNumber else { return nil }
        return jakartaDay(date) + "1" + pad(number, requestDigits)
    }

    private static func pad<Number: BinaryInteger>(_ value: Number, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
