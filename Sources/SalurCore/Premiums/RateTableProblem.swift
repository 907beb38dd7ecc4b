/// One thing wrong with a rate table; each row is named by its description (kind, values, range,
/// regulation and origin).
public enum RateTableProblem: Sendable, Hashable, CustomStringConvertible {
    /// The row's `to` is before its `from`.
    case endsBeforeItStarts(row: String)
    /// Two rows of one series both apply to `period` (the first period they share).
    case overlap(row: String, other: String, period: Period)
    /// No row of a series covers `missingFrom...missingTo`, between two rows that do.
    case gap(after: String, before: String, missingFrom: Period, missingTo: Period)
    /// A JKK row without `risk_class`.
    case riskClassRequired(row: String)
    /// A `risk_class` on a row other than JKK.
    case riskClassNotAllowed(row: String)
    /// An employee share of JKK or JKM, which the employer pays alone.
    case employerOnly(row: String)
    /// JKK rows exist, but none for this risk class.
    case riskClassNotCovered(RiskClass)
    /// A BPU row for a programme BPU workers do not pay (JP).
    case notABPUProgramme(row: String)
    /// A percentage below 0 % or above 100 %.
    case rateOutOfRange(row: String)
    /// An amount (ceiling, flat premium, income bound) that is not above Rp 0.
    case amountNotPositive(row: String)
    /// A BPU income range whose minimum is above its maximum.
    case incomeRangeEmpty(row: String)
    /// A JP ceiling without `to`: ceilings change every March and are never carried forward.
    case openEndedCeiling(row: String)
    /// A row whose `regulation` is empty.
    case regulationMissing(row: String)

    public var description: String {
        switch self {
        case .endsBeforeItStarts(let row):
            "\(row): `to` is before `from`; correct the periods"
        case .overlap(let row, let other, let period):
            "\(row) and \(other) both apply to \(period): end one row (`to`) before the other starts"
        case .gap(let after, let before, let missingFrom, let missingTo):
            "no row covers \(missingFrom)…\(missingTo) between \(after) and \(before): "
                + "add a row for those periods or extend one to meet the next"
        case .riskClassRequired(let row):
            "\(row): a JKK rate needs `risk_class` (1 to 5)"
        case .riskClassNotAllowed(let row):
            "\(row): `risk_class` applies to JKK only; remove it"
        case .employerOnly(let row):
            "\(row): JKK and JKM are paid by the employer alone; use share = \"employer\""
        case .riskClassNotCovered(let riskClass):
            "JKK has rates but none for \(riskClass): add a [[wage_rate]] row with programme = \"JKK\", "
                + "risk_class = \(riskClass.rawValue)"
        case .notABPUProgramme(let row):
            "\(row): BPU workers pay JKK, JKM and JHT only; remove the row"
        case .rateOutOfRange(let row):
            "\(row): a rate must be between 0 % and 100 %"
        case .amountNotPositive(let row):
            "\(row): the amount must be above Rp 0"
        case .incomeRangeEmpty(let row):
            "\(row): `minimum` is above `maximum`"
        case .openEndedCeiling(let row):
            "\(row): a JP ceiling needs `to`; ceilings are adjusted every March, so give its last period "
                + "(usually February of the next year) and add the next ceiling from the BPJS announcement"
        case .regulationMissing(let row):
            "\(row): name the regulation the row comes from in `regulation`"
        }
    }
}
