/// A rate in basis points: 1 bp = 0.01 %, so 0.24 % is 24 bp and 3.7 % is 370 bp.
///
/// Rates are never held as floating point; `Rupiah.applying(_:)` does the one rounding.
public struct BasisPoints: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Hundredths of a percent.
    public let value: Int64

    public init(_ value: Int64) { self.value = value }

    public static func < (lhs: BasisPoints, rhs: BasisPoints) -> Bool { lhs.value < rhs.value }

    /// `0.24 %`
    public var description: String { percentText + " %" }

    /// `"0.24"`, `"3.70"`, `"2"`: the percentage as `init(percent:)` reads it back.
    public var percentText: String {
        let whole = value.magnitude / 100, fraction = value.magnitude % 100
        let sign = value < 0 ? "-" : ""
        return fraction == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// Parses a percentage written as text, exactly: `"0.24"` → 24 bp, `"3.7"` → 370 bp, `"2"` → 200 bp.
    /// More than two decimals is refused rather than rounded.
    public init?(percent text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), (1...6).contains(parts[0].count),
              parts[0].allSatisfy({ $0.isASCII && $0.isNumber }), let whole = Int64(parts[0]) else { return nil }
        var hundredths: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard (1...2).contains(fraction.count), fraction.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let f = Int64(fraction) else { return nil }
            hundredths = fraction.count == 1 ? f * 10 : f
        }
        self.init(whole * 100 + hundredths)
    }

    public init(from decoder: any Decoder) throws {
        self.value = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
