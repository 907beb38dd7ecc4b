/// A day on the Gregorian calendar (tanggal), written `YYYY-MM-DD`, with no time or time zone.
///
/// Agreement (PKS) validity, due dates and statement dates are days, not instants, so they need
/// no `Foundation.Date` and cannot shift across a time-zone boundary.
///
/// Kept in four bytes (year, month and day packed so that their order is the date's order): a
/// statement of a million lines carries two dates a line, and a transfer list one a transfer.
public struct CalendarDate: Sendable, Hashable, Comparable, Codable, LosslessStringConvertible {
    /// `year << 9 | month << 5 | day`.
    private let packed: UInt32

    /// Four-digit year, 1...9999.
    public var year: Int { Int(packed >> 9) }
    /// Month of the year, 1...12.
    public var month: Int { Int((packed >> 5) & 0xF) }
    /// Day of the month, 1...28–31 depending on month and leap year.
    public var day: Int { Int(packed & 0x1F) }

    /// The day, or `nil` when it does not exist (`2023-02-29`, `2024-04-31`).
    public init?(year: Int, month: Int, day: Int) {
        guard let period = Period(year: year, month: month),
              (1...CalendarDate.days(in: period)).contains(day) else { return nil }
        packed = UInt32(year) << 9 | UInt32(month) << 5 | UInt32(day)
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
        // Written straight into the string's ten bytes: a statement's hash writes one per line.
        let (year, month, day) = (year, month, day)
        return String(unsafeUninitializedCapacity: 10) { text in
            func put(_ value: Int, at end: Int, width: Int) {
                var rest = value
                for offset in stride(from: end - 1, through: end - width, by: -1) {
                    text[offset] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
            }
            put(year, at: 4, width: 4)
            text[4] = UInt8(ascii: "-")
            put(month, at: 7, width: 2)
            text[7] = UInt8(ascii: "-")
            put(day, at: 10, width: 2)
            return 10
        }
    }

    /// The payroll month this day falls in.
    public var period: Period {
        guard let period = Period(year: year, month: month) else {
            preconditionFailure("CalendarDate \(year)-\(month) was validated at init")
        }
        return period
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool { lhs.packed < rhs.packed }

    /// Days since 1970-01-01 (proleptic Gregorian): day arithmetic for matching windows and for
    /// the year an MT940 booking date (`MMDD`, no year) falls in.
    public var dayNumber: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The day `dayNumber` days after 1970-01-01; nil outside years 1...9999.
    public init?(dayNumber: Int) {
        // Howard Hinnant's civil_from_days.
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    /// This day moved by `days`; nil outside years 1...9999.
    public func adding(days: Int) -> CalendarDate? { CalendarDate(dayNumber: dayNumber + days) }

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
