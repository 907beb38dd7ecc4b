package import Foundation

/// The one timestamp format the store writes: `2026-11-23T03:15:30.123Z` (UTC, milliseconds),
/// which sorts as text in time order.
package enum Timestamp {
    package static func iso8601(_ date: Date) -> String {
        var time = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        let millis = Int((date.timeIntervalSince1970 - Double(time)) * 1000)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }

    /// Parses what `iso8601` writes (and the same without milliseconds).
    package static func parse(_ text: String) -> Date? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 20, utf8.last == UInt8(ascii: "Z") else { return nil }
        func n(_ from: Int, _ count: Int) -> Int32? {
            var value: Int32 = 0
            for i in from..<(from + count) {
                guard utf8[i] >= 0x30, utf8[i] <= 0x39 else { return nil }
                value = value * 10 + Int32(utf8[i] - 0x30)
            }
            return value
        }
        guard let year = n(0, 4), let month = n(5, 2), let day = n(8, 2), let hour = n(11, 2),
              let minute = n(14, 2), let second = n(17, 2) else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        let seconds = timegm(&parts)
        var millis = 0.0
        if utf8.count >= 24, utf8[19] == UInt8(ascii: "."), let m = n(20, 3) { millis = Double(m) / 1000 }
        return Date(timeIntervalSince1970: Double(seconds) + millis)
    }
}
