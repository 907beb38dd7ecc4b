/// NIK, Nomor Induk Kependudukan: the 16-digit national identity number.
///
/// Digits 1–6 are the region (province, regency/city, district), 7–12 the birth date as DDMMYY
/// with 40 added to the day for women, 13–16 a serial. `init(validating:)` says exactly which part
/// of a bad number is wrong.
public struct NIK: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The 16 digits.
    public let digits: String

    /// Province codes in use by Dukcapil (11 Aceh … 97 Papua Barat Daya).
    static let provinces: Set<Int> = [11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36,
                                      51, 52, 53, 61, 62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82,
                                      91, 92, 93, 94, 95, 96, 97]

    /// Days in each month (29 in February: the birth year is not in the NIK).
    static let daysInMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

    /// Validates `text`; throws `NIKError` naming the rule broken.
    public init(validating text: String) throws(NIKError) {
        let utf8 = text.utf8
        guard utf8.count == 16 else { throw .length(utf8.count) }
        // 16 digits fit a fixed buffer: no allocation per NIK (a million rows check a million NIKs).
        var d: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)
            = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var allDigits = true
        withUnsafeMutableBytes(of: &d) { buffer in
            // A native string's bytes in place (no iterator over the UTF-8 view per byte).
            let done: Void? = utf8.withContiguousStorageIfAvailable { bytes in
                for i in 0..<16 {
                    let byte = bytes[i]
                    guard byte >= 0x30 && byte <= 0x39 else { allDigits = false; return }
                    buffer[i] = byte - 0x30
                }
            }
            guard done == nil else { return }
            for (i, byte) in utf8.enumerated() {
                guard byte >= 0x30 && byte <= 0x39 else { allDigits = false; return }
                buffer[i] = byte - 0x30
            }
        }
        guard allDigits else { throw .notDigits }
        func number(_ from: Int, _ count: Int) -> Int {
            withUnsafeBytes(of: d) { buffer in
                var n = 0
                for i in from..<(from + count) { n = n * 10 + Int(buffer[i]) }
                return n
            }
        }
        let province = number(0, 2)
        guard NIK.provinces.contains(province) else { throw .province(province) }
        guard number(2, 2) > 0 else { throw .regency }
        guard number(4, 2) > 0 else { throw .district }
        var day = number(6, 2)
        let month = number(8, 2)
        if day > 40 { day -= 40 }
        guard (1...12).contains(month) else { throw .birthMonth(month) }
        guard (1...NIK.daysInMonth[month - 1]).contains(day) else { throw .birthDay(number(6, 2)) }
        guard number(12, 4) > 0 else { throw .serial }
        digits = text
    }

    /// The 16 digits as a number: NIKs sort the same way as numbers and as text, and numbers compare faster.
    public var numericValue: UInt64 {
        digits.utf8.reduce(0) { $0 &* 10 &+ UInt64($1 &- 0x30) }
    }

    /// The region code, digits 1–6 (e.g. `537103`, Oebobo in Kota Kupang).
    public var regionCode: String { String(digits.prefix(6)) }

    /// Whether the birth-date day carries the +40 that marks a woman.
    public var isFemale: Bool { Int(digits.dropFirst(6).prefix(2))! > 40 }

    public var description: String { digits }

    /// `537103******0001`: the region and serial, for logs and screens that need not show all of it.
    public var masked: String { String(digits.prefix(6)) + "******" + String(digits.suffix(4)) }

    public static func < (lhs: NIK, rhs: NIK) -> Bool { lhs.digits < rhs.digits }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(validating: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(digits)
    }
}

/// Why a text is not a valid NIK.
public enum NIKError: Error, Equatable, CustomStringConvertible {
    case length(Int)
    case notDigits
    case province(Int)
    case regency
    case district
    case birthMonth(Int)
    case birthDay(Int)
    case serial

    public var description: String {
        switch self {
        case .length(let n): "must be 16 digits, found \(n) characters"
        case .notDigits: "must contain digits only"
        case .province(let p): "digits 1-2 (\(p < 10 ? "0" : "")\(p)) are not an Indonesian province code"
        case .regency: "digits 3-4 (regency/city) must not be 00"
        case .district: "digits 5-6 (district) must not be 00"
        case .birthMonth(let m): "digits 9-10 (birth month \(m)) must be 01-12"
        case .birthDay(let d): "digits 7-8 (birth day \(d)) must be 01-31, or 41-71 for women, and fit the month"
        case .serial: "digits 13-16 (serial) must not be 0000"
        }
    }
}
