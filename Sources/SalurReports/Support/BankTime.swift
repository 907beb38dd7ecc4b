package import Foundation
package import SalurCore
import SalurStore

/// Days and times as the bank writes them: in its own time zone (WIB, UTC+7, for most Indonesian
/// banks), while the store keeps UTC.
package enum BankTime {
    /// Today in the bank's time zone.
    package static func today(utcOffsetHours: Int, now: Date = Date()) -> CalendarDate {
        let stamp = Timestamp.iso8601(now.addingTimeInterval(Double(utcOffsetHours) * 3600))
        return CalendarDate(String(stamp.prefix(10)))!
    }

    /// A stored UTC timestamp as the bank's local time: `2026-11-23T10:15:30+07:00`; empty for nil.
    package static func local(_ utc: String?, utcOffsetHours: Int) -> String {
        guard let utc, let date = Timestamp.parse(utc) else { return utc ?? "" }
        let shifted = Timestamp.iso8601(date.addingTimeInterval(Double(utcOffsetHours) * 3600))
        let sign = utcOffsetHours < 0 ? "-" : "+"
        let hours = abs(utcOffsetHours)
        return String(shifted.prefix(19)) + "\(sign)\(hours < 10 ? "0" : "")\(hours):00"
    }
}

/// Account numbers in documents that leave Salur: all but the last four digits hidden.
package enum AccountMask {
    /// `0012345678` → `******5678`.
    package static func mask(_ account: String) -> String {
        let characters = Array(account)
        guard characters.count > 4 else { return String(repeating: "*", count: characters.count) }
        return String(repeating: "*", count: characters.count - 4) + String(characters.suffix(4))
    }

    /// A NIK with its region code and serial only: `537103******0001`.
    package static func maskNIK(_ nik: String?) -> String {
        guard let nik, nik.count == 16 else { return nik.map { mask($0) } ?? "" }
        return String(nik.prefix(6)) + "******" + String(nik.suffix(4))
    }
}
