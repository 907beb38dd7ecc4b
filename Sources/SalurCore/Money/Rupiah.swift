/// An amount of Indonesian rupiah, in whole rupiah.
///
/// Salur never holds money in floating point: every amount is an `Int64` of whole rupiah, and
/// arithmetic that would overflow throws instead of wrapping.
public struct Rupiah: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Whole rupiah.
    public let value: Int64

    /// An amount of `value` whole rupiah.
    public init(_ value: Int64) { self.value = value }

    /// Nothing.
    public static let zero = Rupiah(0)

    public static func < (lhs: Rupiah, rhs: Rupiah) -> Bool { lhs.value < rhs.value }

    /// The sum, or `MoneyError.overflow` when it does not fit in 64 bits.
    public func adding(_ other: Rupiah) throws(MoneyError) -> Rupiah {
        let (sum, overflow) = value.addingReportingOverflow(other.value)
        if overflow { throw .overflow(operation: "\(value) + \(other.value)") }
        return Rupiah(sum)
    }

    /// The difference, or `MoneyError.overflow`.
    public func subtracting(_ other: Rupiah) throws(MoneyError) -> Rupiah {
        let (diff, overflow) = value.subtractingReportingOverflow(other.value)
        if overflow { throw .overflow(operation: "\(value) - \(other.value)") }
        return Rupiah(diff)
    }

    /// The amount times a whole number, or `MoneyError.overflow`.
    public func multiplied(by factor: Int64) throws(MoneyError) -> Rupiah {
        let (product, overflow) = value.multipliedReportingOverflow(by: factor)
        if overflow { throw .overflow(operation: "\(value) × \(factor)") }
        return Rupiah(product)
    }

    /// `self × rate`, rounded half-up to the whole rupiah (half away from zero for negative amounts).
    ///
    /// This is the one rounding rule Salur applies to percentages: `amount × bp / 10 000`, computed
    /// exactly in 128 bits, then rounded once. Rp 1,250 × 0.02 % = 0.25 → 0; Rp 2,500 × 0.02 % = 0.5 → 1.
    public func applying(_ rate: BasisPoints) throws(MoneyError) -> Rupiah {
        // |value × bp| < 2^126 fits a signed 128-bit integer: the product is exact, no rounding yet.
        let wide = Int128(value) * Int128(rate.value)
        let (quotient, remainder) = wide.quotientAndRemainder(dividingBy: 10_000)
        var rounded = quotient
        if remainder.magnitude * 2 >= 10_000 { rounded += wide < 0 ? -1 : 1 }
        guard let result = Int64(exactly: rounded) else {
            throw .overflow(operation: "\(value) × \(rate)")
        }
        return Rupiah(result)
    }

    /// Sum of many amounts, or `MoneyError.overflow`.
    public static func sum<S: Sequence>(_ amounts: S) throws(MoneyError) -> Rupiah where S.Element == Rupiah {
        var total = Rupiah.zero
        for amount in amounts { total = try total.adding(amount) }
        return total
    }

    /// `Rp 1.250.000` — the Indonesian grouping, for people.
    public var description: String { "Rp " + Rupiah.grouped(value, separator: ".") }

    /// `1,250,000` — grouped with commas, for tables that mix with English text.
    public var grouped: String { Rupiah.grouped(value, separator: ",") }

    /// SNAP-BI's wire form: two decimals, no grouping, `"300000.00"`.
    public var snapValue: String { "\(value).00" }

    /// Parses SNAP-BI's `"300000.00"`: digits, then optionally `.` and exactly two zeros (the
    /// rupiah has no minor unit in use, so a non-zero fraction is refused).
    public init?(snapValue text: String) {
        var digits = Substring(text)
        if let dot = text.firstIndex(of: ".") {
            guard text[text.index(after: dot)...] == "00" else { return nil }
            digits = text[..<dot]
        }
        // A balance may be negative (an overdrawn account); a transfer amount never is, and callers check that.
        let negative = digits.hasPrefix("-")
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let whole = Int64(digits) else { return nil }
        self.init(negative ? -whole : whole)
    }

    /// Parses a balance as a bank reports it, `"12500000000.37"`: the sen (interest on a treasury
    /// account) are dropped, rounding down, which is the safe side for "does it cover the batch".
    public init?(balanceValue text: String) {
        var rest = Substring(text)
        let negative = rest.hasPrefix("-")
        if negative { rest = rest.dropFirst() }
        var whole = rest
        var hasSen = false
        if let dot = rest.firstIndex(of: ".") {
            let fraction = rest[rest.index(after: dot)...]
            guard (1...2).contains(fraction.count), fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            whole = rest[..<dot]
            hasSen = fraction.contains { $0 != "0" }
        }
        guard !whole.isEmpty, whole.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(whole) else { return nil }
        // Rounding down: for a negative balance with sen, one rupiah further from zero.
        self.init(negative ? -value - (hasSen ? 1 : 0) : value)
    }

    static func grouped(_ value: Int64, separator: String) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += separator }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    public init(from decoder: any Decoder) throws {
        self.value = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// What can go wrong with money arithmetic.
public enum MoneyError: Error, Equatable, CustomStringConvertible {
    /// The result does not fit in 64-bit whole rupiah.
    case overflow(operation: String)

    public var description: String {
        switch self {
        case .overflow(let operation): "amount overflow in \(operation): refusing to wrap"
        }
    }
}

extension String {
    var trimmingSpaces: String {
        // Most fields have nothing to trim: answer without copying or walking characters.
        let isBlank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let first = utf8.first, let last = utf8.last, isBlank(first) || isBlank(last) else { return self }
        var s = Substring(self)
        while let first = s.first, first == " " || first == "\t" { s = s.dropFirst() }
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
