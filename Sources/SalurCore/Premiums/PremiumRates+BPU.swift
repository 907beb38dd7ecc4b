extension PremiumRates {
    /// A non-wage worker's (BPU) premiums for `period` on the income they declared.
    ///
    /// The declared income must lie within the `[[bpu_income]]` range in force (inclusive); outside
    /// it the income is refused, not clamped. A percentage line is income × rate rounded half-up on
    /// its own; a flat line is its amount. Throws `PremiumError` for an income outside the range, a
    /// period with no range or no rule for JKK, JKM or JHT, or an overflow.
    public func bpuLines(declaredIncome: Rupiah, period: Period) throws(PremiumError) -> BPULines {
        let range = try bpuIncomeRange(in: period)
        guard range.minimum <= declaredIncome, declaredIncome <= range.maximum else {
            throw .declaredIncomeOutOfRange(
                declaredIncome: declaredIncome, minimum: range.minimum, maximum: range.maximum, period: period)
        }

        func line(_ programme: Programme) throws(PremiumError) -> Rupiah {
            switch try bpuRate(programme, in: period) {
            case .percentOfIncome(let rate): try premiumLine(declaredIncome, rate)
            case .flat(let amount): amount
            }
        }

        let jkk = try line(.jkk), jkm = try line(.jkm), jht = try line(.jht)
        do { return try BPULines(jkk: jkk, jkm: jkm, jht: jht) } catch { throw .overflow(error) }
    }
}
