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
        try Card(self, programmes: programmes, period: period).lines(wage: wage, riskClass: riskClass)
    }

    /// What `lines(wage:riskClass:programmes:period:)` looks up in the table for one period and set
    /// of programmes, looked up once for a whole payroll rather than once a line: each rate (or why
    /// there is none), in the order a line uses them, so a line is refused for the same first reason.
    struct Card: Sendable {
        let jkk, jkm, jht, jp: Bool
        /// JKK by risk class (`rawValue - 1`).
        let jkkRates: [Result<BasisPoints, PremiumError>]
        let jkmRate, jhtEmployerRate, jhtEmployeeRate, jpEmployerRate, jpEmployeeRate: Result<BasisPoints, PremiumError>
        let jpCeiling: Result<Rupiah, PremiumError>

        init(_ rates: PremiumRates, programmes: Set<Programme>, period: Period) {
            func rate(_ programme: Programme, _ share: PremiumShare, _ riskClass: RiskClass = .veryLow) -> Result<BasisPoints, PremiumError> {
                Result { () throws(PremiumError) in try rates.wageRate(programme, share, riskClass: riskClass, in: period) }
            }
            jkk = programmes.contains(.jkk); jkm = programmes.contains(.jkm)
            jht = programmes.contains(.jht); jp = programmes.contains(.jp)
            jkkRates = RiskClass.allCases.sorted { $0.rawValue < $1.rawValue }.map { rate(.jkk, .employer, $0) }
            jkmRate = rate(.jkm, .employer)
            jhtEmployerRate = rate(.jht, .employer); jhtEmployeeRate = rate(.jht, .employee)
            jpEmployerRate = rate(.jp, .employer); jpEmployeeRate = rate(.jp, .employee)
            jpCeiling = Result { () throws(PremiumError) in try rates.jpWageCeiling(in: period) }
        }

        /// The lines of `wage` in `riskClass` (see `PremiumRates.lines`).
        func lines(wage: Rupiah, riskClass: RiskClass) throws(PremiumError) -> PremiumLines {
            guard wage > .zero else { throw .wageNotPositive(wage: wage) }

            var jkk = Rupiah.zero, jkm = Rupiah.zero
            var jhtEmployer = Rupiah.zero, jhtEmployee = Rupiah.zero
            var jpEmployer = Rupiah.zero, jpEmployee = Rupiah.zero

            if self.jkk { jkk = try premiumLine(wage, jkkRates[riskClass.rawValue - 1].get()) }
            if self.jkm { jkm = try premiumLine(wage, jkmRate.get()) }
            if jht {
                jhtEmployer = try premiumLine(wage, jhtEmployerRate.get())
                jhtEmployee = try premiumLine(wage, jhtEmployeeRate.get())
            }
            if jp {
                let base = min(wage, try jpCeiling.get())
                jpEmployer = try premiumLine(base, jpEmployerRate.get())
                jpEmployee = try premiumLine(base, jpEmployeeRate.get())
            }

            do {
                return try PremiumLines(jkk: jkk, jkm: jkm, jhtEmployer: jhtEmployer, jhtEmployee: jhtEmployee,
                                        jpEmployer: jpEmployer, jpEmployee: jpEmployee)
            } catch {
                throw .overflow(error)
            }
        }
    }
}
