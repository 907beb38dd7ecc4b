/// The BPJS Ketenagakerjaan rate table, validated: rates, JP wage ceilings and BPU rules, each
/// with the payroll periods it applies to.
///
/// Rates come from a rates table (through `Source`): the one Salur ships (`config/bpjs-rates.toml`,
/// built into SalurConfig) or a treasury's own file, so a rate change is a data change that an
/// operator can see and review; nothing here knows a rate.
public struct PremiumRates: Sendable, Hashable {
    /// The rows the table was built from, as given.
    public let source: Source

    /// The table, or every problem with it (`Source.validate()`).
    public init(_ source: Source) throws(RateTableError) {
        try source.validate()
        self.source = source
    }

    /// The highest wage JP is computed on in `period`, or `PremiumError.noJPWageCeiling`.
    public func jpWageCeiling(in period: Period) throws(PremiumError) -> Rupiah {
        guard let row = source.jpCeilings.first(where: { covers($0.from, $0.to, period) }) else {
            throw .noJPWageCeiling(period: period)
        }
        return row.amount
    }

    /// The wage rate in force for one programme and share; `riskClass` is used for JKK only.
    func wageRate(
        _ programme: Programme, _ share: PremiumShare, riskClass: RiskClass, in period: Period
    ) throws(PremiumError) -> BasisPoints {
        let wantedClass = programme == .jkk ? riskClass : nil
        guard let row = source.wageRates.first(where: {
            $0.programme == programme && $0.share == share && $0.riskClass == wantedClass
                && covers($0.from, $0.to, period)
        }) else {
            throw .noRateInForce(programme: programme, share: share, riskClass: wantedClass, period: period)
        }
        return row.rate
    }

    /// The BPU rule in force for one programme.
    func bpuRate(_ programme: Programme, in period: Period) throws(PremiumError) -> Source.BPUContribution {
        guard let row = source.bpuRates.first(where: { $0.programme == programme && covers($0.from, $0.to, period) })
        else { throw .noBPURateInForce(programme: programme, period: period) }
        return row.contribution
    }

    /// The BPU declared-income range in force.
    func bpuIncomeRange(in period: Period) throws(PremiumError) -> Source.BPUIncomeRange {
        guard let row = source.bpuIncomes.first(where: { covers($0.from, $0.to, period) }) else {
            throw .noBPUIncomeRange(period: period)
        }
        return row
    }

    func covers(_ from: Period, _ to: Period?, _ period: Period) -> Bool {
        from <= period && to.map { period <= $0 } ?? true
    }
}

/// `amount × rate`, rounded half-up once, with overflow as a `PremiumError`.
func premiumLine(_ amount: Rupiah, _ rate: BasisPoints) throws(PremiumError) -> Rupiah {
    do { return try amount.applying(rate) } catch { throw .overflow(error) }
}
