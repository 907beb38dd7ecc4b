/// SNAP's timestamps: `yyyy-MM-ddTHH:mm:ss±HH:mm` (ISO 8601), as in `X-TIMESTAMP`,
/// `transactionDate` and the ledger's `bookedAt`.
///
/// The simulator writes Western Indonesian Time (WIB, UTC+07:00), as an Indonesian bank does,
/// and reads any offset.
package struct SNAPTimestamp: Sendable, Equatable {
    /// Seconds since 1970-01-01T00:00:00Z.
    package let epochSeconds: Int64
    /// The offset from UTC the text was written in, in minutes.
    package let offsetMinutes: Int

    /// WIB, UTC+07:00.
    package static let wibOffsetMinutes = 7 * 60

    /// A point in time to be written at `offsetMinutes` from UTC.
    package init(epochSeconds: Int64, offsetMinutes: Int = SNAPTimestamp.wibOffsetMinutes) {
        self.epochSeconds = epochSeconds
        self.offsetMinutes = offsetMinutes
    }

    /// The current time, in WIB.
    package static func now() -> SNAPTimestamp { SNAPTimestamp(epochSeconds: WallClock.epochSeconds()) }

    /// `2026-11-23T10:15:30+07:00`.
    package var text: String {
        let local = epochSeconds + Int64(offsetMinutes) * 60
        let (date, time) = Self.split(local)
        let sign = offsetMinutes < 0 ? "-" : "+"
        let offset = abs(offsetMinutes)
        return "\(date)T\(Self.pad(time / 3600)):\(Self.pad(time / 60 % 60)):\(Self.pad(time % 60))"
            + "\(sign)\(Self.pad(Int64(offset / 60))):\(Self.pad(Int64(offset % 60)))"
    }

    /// `2026-11-23`: the calendar day at this timestamp's offset.
    package var day: String { Self.split(epochSeconds + Int64(offsetMinutes) * 60).date }

    /// Reads `yyyy-MM-ddTHH:mm:ss`, optional fractional seconds, then `Z` or `±HH:mm`
    /// (or `±HHmm`). Returns `nil` for anything else, including impossible dates.
    package init?(parsing text: String) {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ width: Int) -> Int64? {
            guard index + width <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<index + width] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            index += width
            return value
        }
        func literal(_ symbol: Character) -> Bool {
            guard index < bytes.count, bytes[index] == symbol.asciiValue else { return false }
            index += 1
            return true
        }
        guard let year = number(4), literal("-"), let month = number(2), literal("-"), let day = number(2),
              literal("T"), let hour = number(2), literal(":"), let minute = number(2), literal(":"),
              let second = number(2)
        else { return nil }
        if literal(".") {
            let start = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            guard index > start else { return nil }
        }
        var offset = 0
        if literal("Z") {
            offset = 0
        } else {
            guard index < bytes.count else { return nil }
            let sign: Int
            if literal("+") { sign = 1 } else if literal("-") { sign = -1 } else { return nil }
            guard let offsetHours = number(2) else { return nil }
            _ = literal(":")
            guard let offsetMinutes = number(2), offsetHours <= 14, offsetMinutes < 60 else { return nil }
            offset = sign * Int(offsetHours * 60 + offsetMinutes)
        }
        guard index == bytes.count,
              (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day),
              hour < 24, minute < 60, second < 61
        else { return nil }
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        let local = days * 86_400 + hour * 3600 + minute * 60 + second
        self.init(epochSeconds: local - Int64(offset) * 60, offsetMinutes: offset)
    }

    private static func pad(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private static func split(_ localSeconds: Int64) -> (date: String, time: Int64) {
        let days = localSeconds >= 0 ? localSeconds / 86_400 : (localSeconds - 86_399) / 86_400
        let time = localSeconds - days * 86_400
        let (year, month, day) = civilFromDays(days)
        let yearText = String(year)
        return ("\(String(repeating: "0", count: max(0, 4 - yearText.count)))\(yearText)-\(pad(month))-\(pad(day))", time)
    }

    private static func isLeap(_ year: Int64) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's days-from-civil and civil-from-days, proleptic Gregorian calendar.
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
