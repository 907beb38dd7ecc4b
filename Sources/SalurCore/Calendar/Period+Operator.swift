extension Period {
    /// The months an operator may name for a payment or a payroll: January 2000 to December 2099.
    /// `Period` itself spans 0001-01...9999-12 (rate tables and calendars need the whole range);
    /// what an operator types to pay money is held to a range no real programme leaves, so that
    /// `1900-01` or `9999-12` from a slip of the keyboard is refused instead of queued.
    public static let operatorRange = Period(year: 2000, month: 1)!...Period(year: 2099, month: 12)!

    /// Parses a period an operator typed (`--period`, a `period` column), or says why it cannot be one.
    public static func operatorPeriod(_ text: String) -> Result<Period, PeriodRefusal> {
        guard let period = Period(text) else { return .failure(PeriodRefusal(text: text, reason: "must be YYYY-MM, e.g. 2026-11")) }
        guard operatorRange.contains(period) else {
            return .failure(PeriodRefusal(text: text, reason: "is outside \(operatorRange.lowerBound)...\(operatorRange.upperBound)"))
        }
        return .success(period)
    }
}

/// Why an operator's period was refused.
public struct PeriodRefusal: Error, Equatable, CustomStringConvertible {
    public let text: String
    public let reason: String
    public var description: String { "\"\(text)\" \(reason)" }
}
