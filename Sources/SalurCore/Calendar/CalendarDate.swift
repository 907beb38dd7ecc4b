/// A day on the Gregorian calendar (tanggal), written `YYYY-MM-DD`, with no time or time zone.
///
/// Agreement (PKS) validity, due dates and statement dates are days, not instants, so they need
/// no `Foundation.Date` and cannot shift across a time-zone boundary.
public struct CalendarDate: Sendable, Hashable, Comparable, Codable, LosslessStringConvertible {
    /// Four-digit year, 1...9999.
    public let year: Int
    /// Month of the year, 1...12.
    public let month: Int
    /// Day of the month, 1...28–31 depending on month and leap year.
    public let day: Int

    /// The day, or `nil` when it does not exist (`2023-02-29`, `2024-04-31`).
    public init?(year: Int, month: Int, day: Int) {
        guard let period = Period(year: year, month: month),
              (1...CalendarDate.days(in: period)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD` (`"2024-02-29"`); anything else, or a day that does not exist, is `nil`.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = CalendarDigits.number(bytes[0..<4]),
              let month = CalendarDigits.number(bytes[5..<7]),
              let day = CalendarDigits.number(bytes[8..<10]) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// `2024-02-29`
    public var description: String {
        CalendarDigits.padded(year, width: 4) + "-" + CalendarDigits.padded(month, width: 2)
            + "-" + CalendarDigits.padded(day, width: 2)
    }

    /// The payroll month this day falls in.
    public var period: Period {
        guard let period = Period(year: year, month: month) else {
            preconditionFailure("CalendarDate \(year)-\(month) was validated at init")
        }
        return period
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Days in the month: February has 29 in years divisible by 4, except centuries not divisible by 400.
    public static func days(in period: Period) -> Int {
        switch period.month {
        case 2:
            let leap = period.year % 4 == 0 && (period.year % 100 != 0 || period.year % 400 == 0)
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Decodes the `YYYY-MM-DD` string form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = CalendarDate(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not a date: expected YYYY-MM-DD, e.g. 2024-02-29")
        }
        self = date
    }

    /// Encodes as the `YYYY-MM-DD` string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
