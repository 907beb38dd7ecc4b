/// How a period's remittance stands against its due date, the 15th of the following month.
///
/// BPJS Ketenagakerjaan charges a penalty (denda) of 2 % of the premiums for each month late, a
/// begun month counting whole. Salur shows it as information; it is never added to a transfer.
public struct RemittanceLateness: Sendable, Hashable {
    /// The penalty rate per month late.
    public static let penaltyPerMonth = BasisPoints(200)

    /// The premiums' period.
    public let period: Period
    /// The 15th of the following month.
    public let dueDate: CalendarDate
    /// The day measured on.
    public let today: CalendarDate
    /// 0 up to and including the due date; 1 from the day after it to the same day a month on; and so on.
    public let monthsLate: Int

    /// Lateness of `period` measured on `today`.
    public init(period: Period, today: CalendarDate) {
        self.period = period
        self.today = today
        dueDate = period.remittanceDueDate
        if today <= dueDate {
            monthsLate = 0
        } else {
            let months = (today.year * 12 + today.month) - (dueDate.year * 12 + dueDate.month)
            monthsLate = months + (today.day > dueDate.day ? 1 : 0)
        }
    }

    /// Whether the due date has passed.
    public var isLate: Bool { monthsLate > 0 }

    /// The penalty on `amount`: amount × 2 % × months late, rounded half up once.
    public func penalty(on amount: Rupiah) throws(MoneyError) -> Rupiah {
        let (rate, overflow) = Self.penaltyPerMonth.value.multipliedReportingOverflow(by: Int64(monthsLate))
        if overflow { throw .overflow(operation: "\(Self.penaltyPerMonth) × \(monthsLate)") }
        return try amount.applying(BasisPoints(rate))
    }
}
