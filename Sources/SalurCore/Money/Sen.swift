/// An amount in sen, the hundredth of a rupiah: what a bank statement carries.
///
/// Transfers are whole rupiah (`Rupiah`); a statement's interest (jasa giro), the tax withheld on
/// it and the balances they move are computed to the sen. `Sen` keeps those amounts exactly, as an
/// `Int64` of sen; arithmetic that would overflow throws instead of wrapping.
public struct Sen: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Sen (1/100 rupiah), signed.
    public let value: Int64

    /// An amount of `value` sen.
    public init(_ value: Int64) { self.value = value }

    /// Whole rupiah as sen, or nil when `rupiah × 100` does not fit 64 bits.
    public init?(exactly rupiah: Rupiah) {
        let (product, overflow) = rupiah.value.multipliedReportingOverflow(by: 100)
        if overflow { return nil }
        self.init(product)
    }

    /// Nothing.
    public static let zero = Sen(0)

    /// The largest whole-rupiah amount that still fits as sen.
    public static let largestRupiah = Int64.max / 100

    public static func < (lhs: Sen, rhs: Sen) -> Bool { lhs.value < rhs.value }

    /// The whole rupiah (truncated toward zero); the fraction is `fraction`.
    public var rupiahPart: Rupiah { Rupiah(value / 100) }

    /// The sen beyond the whole rupiah, with the amount's sign (-99…99).
    public var fraction: Int64 { value % 100 }

    /// The amount as whole rupiah, or nil when it has a fraction.
    public var wholeRupiah: Rupiah? { fraction == 0 ? rupiahPart : nil }

    /// The sum, or `MoneyError.overflow`.
    public func adding(_ other: Sen) throws(MoneyError) -> Sen {
        let (sum, overflow) = value.addingReportingOverflow(other.value)
        if overflow { throw .overflow(operation: "\(self.plain) + \(other.plain)") }
        return Sen(sum)
    }

    /// The difference, or `MoneyError.overflow`.
    public func subtracting(_ other: Sen) throws(MoneyError) -> Sen {
        let (difference, overflow) = value.subtractingReportingOverflow(other.value)
        if overflow { throw .overflow(operation: "\(self.plain) - \(other.plain)") }
        return Sen(difference)
    }

    /// `Rp 12.345,67`, or `Rp 12.345` when there are no sen — the Indonesian way, for people.
    public var description: String {
        let sign = value < 0 ? "-" : ""
        return "Rp " + sign + Rupiah.grouped(Int64(value.magnitude / 100), separator: ".") + (fraction == 0 ? "" : "," + twoDigits)
    }

    /// `12345.67`, or `12345` when there are no sen: for CSV cells and JSON text.
    public var plain: String {
        (value < 0 ? "-" : "") + String(value.magnitude / 100) + (fraction == 0 ? "" : "." + twoDigits)
    }

    /// `12,345.67` (`12,345` without sen): grouped with commas, for tables.
    public var grouped: String {
        (value < 0 ? "-" : "") + Rupiah.grouped(Int64(value.magnitude / 100), separator: ",") + (fraction == 0 ? "" : "." + twoDigits)
    }

    private var twoDigits: String {
        let sen = value.magnitude % 100
        return sen < 10 ? "0\(sen)" : "\(sen)"
    }

    public init(from decoder: any Decoder) throws {
        self.value = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
