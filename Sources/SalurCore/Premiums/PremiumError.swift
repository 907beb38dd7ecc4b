/// Why a premium could not be computed. Nothing is ever guessed: a missing rate, ceiling or income
/// range is an error telling the operator what to add to `config/bpjs-rates.toml`.
public enum PremiumError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The monthly wage is Rp 0 or less.
    case wageNotPositive(wage: Rupiah)
    /// No `[[wage_rate]]` row for this programme and share (and risk class, for JKK) covers the period.
    case noRateInForce(programme: Programme, share: PremiumShare, riskClass: RiskClass?, period: Period)
    /// No `[[jp_ceiling]]` row covers the period.
    case noJPWageCeiling(period: Period)
    /// No `[[bpu_rate]]` row for this programme covers the period.
    case noBPURateInForce(programme: Programme, period: Period)
    /// No `[[bpu_income]]` row covers the period.
    case noBPUIncomeRange(period: Period)
    /// The declared income is outside the range in force; it is refused, never clamped.
    case declaredIncomeOutOfRange(declaredIncome: Rupiah, minimum: Rupiah, maximum: Rupiah, period: Period)
    /// An amount does not fit in 64-bit whole rupiah.
    case overflow(MoneyError)

    public var description: String {
        switch self {
        case .wageNotPositive(let wage):
            return "monthly wage \(wage) is not above Rp 0: correct the wage before computing premiums"
        case .noRateInForce(let programme, let share, let riskClass, let period):
            let which = [programme.rawValue, riskClass?.description, share.rawValue + " share"]
                .compactMap { $0 }.joined(separator: " ")
            return "no \(which) rate is in force for \(period): add a [[wage_rate]] row covering \(period) "
                + "to bpjs-rates.toml, or check the payroll period"
        case .noJPWageCeiling(let period):
            return "no JP wage ceiling (batas upah tertinggi JP) is in force for \(period): add the ceiling "
                + "BPJS Ketenagakerjaan announced for \(period) to bpjs-rates.toml as a [[jp_ceiling]] row; "
                + "Salur does not carry a ceiling forward"
        case .noBPURateInForce(let programme, let period):
            return "no BPU \(programme.rawValue) rate is in force for \(period): add a [[bpu_rate]] row "
                + "covering \(period) to bpjs-rates.toml, or check the period"
        case .noBPUIncomeRange(let period):
            return "no BPU declared-income range is in force for \(period): add a [[bpu_income]] row "
                + "covering \(period) to bpjs-rates.toml, or check the period"
        case .declaredIncomeOutOfRange(let income, let minimum, let maximum, let period):
            return "declared income \(income) is outside the range BPU premiums allow for \(period), "
                + "\(minimum) to \(maximum) inclusive: correct the declared income (it is not rounded into the range)"
        case .overflow(let error):
            return error.description
        }
    }
}
