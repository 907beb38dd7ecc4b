/// A payroll month (periode), written `YYYY-MM`: the month a wage, a premium or a transfer is for.
public struct Period: Sendable, Hashable, Comparable, Codable, LosslessStringConvertible {
    /// Four-digit year, 1...9999.
    public let year: Int
    /// Month of the year, 1...12.
    public let month: Int

    /// The month, or `nil` when the year is outside 1...9999 or the month outside 1...12.
    public init?(year: Int, month: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// Parses exactly `YYYY-MM` (`"2024-03"`); anything else, including `"2024-3"`, is `nil`.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[4] == UInt8(ascii: "-"),
              let year = CalendarDigits.number(bytes[0..<4]),
              let month = CalendarDigits.number(bytes[5..<7]) else { return nil }
        self.init(year: year, month: month)
    }

    /// `2024-03`
    public var description: String {
        CalendarDigits.padded(year, width: 4) + "-" + CalendarDigits.padded(month, width: 2)
    }

    /// The following month; December rolls into January of the next year. Traps after 9999-12.
    public var next: Period { Period(index: index + 1) }

    /// The month before; January rolls back to December. Traps before 0001-01.
    public var previous: Period { Period(index: index - 1) }

    public static func < (lhs: Period, rhs: Period) -> Bool { lhs.index < rhs.index }

    /// Months since January of year 0; consecutive months differ by one.
    var index: Int { year * 12 + (month - 1) }

    init(index: Int) {
        guard let period = Period(year: index / 12, month: index % 12 + 1) else {
            preconditionFailure("month index \(index) is outside 0001-01...9999-12")
        }
        self = period
    }

    /// Decodes the `YYYY-MM` string form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let period = Period(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not a payroll period: expected YYYY-MM, e.g. 2024-03")
        }
        self = period
    }

    /// Encodes as the `YYYY-MM` string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Fixed-width decimal fields shared by `Period` and `CalendarDate`.
enum CalendarDigits {
    /// The value of a run of ASCII digits, or `nil` if any byte is not a digit.
    static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// `value` left-padded with zeros to `width` digits.
    static func padded(_ value: Int, width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
