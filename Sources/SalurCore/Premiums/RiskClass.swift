/// The JKK risk class of a workplace (kelompok tingkat risiko lingkungan kerja), 1...5, as set out in
/// PP 44/2015; it picks the JKK rate and nothing else.
public enum RiskClass: Int, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    /// Kelompok I, tingkat risiko sangat rendah: very low risk.
    case veryLow = 1
    /// Kelompok II, tingkat risiko rendah: low risk.
    case low = 2
    /// Kelompok III, tingkat risiko sedang: medium risk.
    case medium = 3
    /// Kelompok IV, tingkat risiko tinggi: high risk.
    case high = 4
    /// Kelompok V, tingkat risiko sangat tinggi: very high risk.
    case veryHigh = 5

    public static func < (lhs: RiskClass, rhs: RiskClass) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `risk class 3`
    public var description: String { "risk class \(rawValue)" }
}
