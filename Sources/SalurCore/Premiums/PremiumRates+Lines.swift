extension PremiumRates {
    /// A wage earner's premiums for `period`, one line per programme and share.
    ///
    /// Each line is its base × the rate in force, rounded half-up to the rupiah on its own
    /// (`Rupiah.applying`). The base is the monthly wage, except for JP, whose base is the wage
    /// capped at the JP wage ceiling in force. Programmes not in `programmes` give Rp 0, and need no
    /// rate for the period. Throws `PremiumError` for a wage of Rp 0 or less, a covered programme with
    /// no rate in force, JP with no ceiling in force, or an overflow.
    public func lines(
        wage: Rupiah, riskClass: RiskClass, programmes: Set<Programme>, period: Period
    ) throws(PremiumError) -> PremiumLines {
        guard wage > .zero else { throw .wageNotPositive(wage: wage) }

        var jkk = Rupiah.zero, jkm = Rupiah.zero
        var jhtEmployer = Rupiah.zero, jhtEmployee = Rupiah.zero
        var jpEmployer = Rupiah.zero, jpEmployee = Rupiah.zero

        if programmes.contains(.jkk) {
            jkk = try premiumLine(wage, wageRate(.jkk, .employer, riskClass: riskClass, in: period))
        }
        if programmes.contains(.jkm) {
            jkm = try premiumLine(wage, wageRate(.jkm, .employer, riskClass: riskClass, in: period))
        }
        if programmes.contains(.jht) {
            jhtEmployer = try premiumLine(wage, wageRate(.jht, .employer, riskClass: riskClass, in: period))
            jhtEmployee = try premiumLine(wage, wageRate(.jht, .employee, riskClass: riskClass, in: period))
        }
        if programmes.contains(.jp) {
            let base = min(wage, try jpWageCeiling(in: period))
            jpEmployer = try premiumLine(base, wageRate(.jp, .employer, riskClass: riskClass, in: period))
            jpEmployee = try premiumLine(base, wageRate(.jp, .employee, riskClass: riskClass, in: period))
        }

        do {
            return try PremiumLines(jkk: jkk, jkm: jkm, jhtEmployer: jhtEmployer, jhtEmployee: jhtEmployee,
                                    jpEmployer: jpEmployer, jpEmployee: jpEmployee)
        } catch {
            throw .overflow(error)
        }
    }
}
