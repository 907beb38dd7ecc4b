extension PremiumRates {
    /// Every row of the table in force for one period, and what no row covers: what
    /// `salurctl premiums rates` shows.
    public struct InForce: Sendable, Equatable {
        /// The period asked about.
        public let period: Period
        /// `[[wage_rate]]` rows in force: JKK by risk class, JKM, JHT and JP by share.
        public let wageRates: [Source.WageRate]
        /// The `[[jp_ceiling]]` row in force, if any.
        public let jpCeiling: Source.JPCeiling?
        /// `[[bpu_rate]]` rows in force.
        public let bpuRates: [Source.BPURate]
        /// The `[[bpu_income]]` row in force, if any.
        public let bpuIncome: Source.BPUIncomeRange?
        /// What a premium of this period would be refused for: one `PremiumError` per missing row.
        public let missing: [PremiumError]
    }

    /// The rows in force for `period`, in the order a payroll line uses them.
    public func inForce(_ period: Period) -> InForce {
        var wage: [Source.WageRate] = []
        var missing: [PremiumError] = []
        let series: [(Programme, PremiumShare, RiskClass?)] =
            RiskClass.allCases.map { (.jkk, .employer, $0) }
            + [(.jkm, .employer, nil), (.jht, .employer, nil), (.jht, .employee, nil), (.jp, .employer, nil), (.jp, .employee, nil)]
        for (programme, share, riskClass) in series {
            if let row = source.wageRates.first(where: {
                $0.programme == programme && $0.share == share && $0.riskClass == riskClass && covers($0.from, $0.to, period)
            }) {
                wage.append(row)
            } else {
                missing.append(.noRateInForce(programme: programme, share: share, riskClass: riskClass, period: period))
            }
        }
        let ceiling = source.jpCeilings.first { covers($0.from, $0.to, period) }
        if ceiling == nil { missing.append(.noJPWageCeiling(period: period)) }
        var bpu: [Source.BPURate] = []
        for programme in [Programme.jkk, .jkm, .jht] {
            if let row = source.bpuRates.first(where: { $0.programme == programme && covers($0.from, $0.to, period) }) {
                bpu.append(row)
            } else {
                missing.append(.noBPURateInForce(programme: programme, period: period))
            }
        }
        let income = source.bpuIncomes.first { covers($0.from, $0.to, period) }
        if income == nil { missing.append(.noBPUIncomeRange(period: period)) }
        return InForce(period: period, wageRates: wage, jpCeiling: ceiling, bpuRates: bpu, bpuIncome: income, missing: missing)
    }

    /// The first period every row kind of the table covers (the earliest `from` after which
    /// nothing is missing), or nil for an empty table.
    public var coveredFrom: Period? {
        let starts = source.wageRates.map(\.from) + source.jpCeilings.map(\.from) + source.bpuRates.map(\.from) + source.bpuIncomes.map(\.from)
        return starts.min()
    }

    /// The last period the table covers in full, and the row that ends it: the earliest end among
    /// the series whose last row has a `to` (the JP ceiling, every year). nil when every series
    /// is open-ended.
    public var end: (period: Period, row: String)? {
        var ends: [(Period, String)] = []
        func last<Row>(_ rows: [Row], key: (Row) -> String, from: (Row) -> Period, to: (Row) -> Period?, describe: (Row) -> String) {
            for (_, group) in Dictionary(grouping: rows, by: key) {
                guard let final = group.max(by: { from($0) < from($1) }), let end = to(final) else { continue }
                ends.append((end, describe(final)))
            }
        }
        last(source.wageRates, key: { "\($0.programme)/\($0.share)/\($0.riskClass?.rawValue ?? 0)" },
             from: \.from, to: \.to, describe: \.description)
        last(source.jpCeilings, key: { _ in "jp" }, from: \.from, to: \.to, describe: \.description)
        last(source.bpuRates, key: { $0.programme.rawValue }, from: \.from, to: \.to, describe: \.description)
        last(source.bpuIncomes, key: { _ in "income" }, from: \.from, to: \.to, describe: \.description)
        return ends.min { ($0.0, $0.1) < ($1.0, $1.1) }.map { (period: $0.0, row: $0.1) }
    }

    /// How many days from `today` to the last day the table covers (0 on that day, negative
    /// after it), or nil when the table does not end.
    public func daysLeft(from today: CalendarDate) -> Int? {
        guard let end, let last = CalendarDate(year: end.period.year, month: end.period.month,
                                                   day: CalendarDate.days(in: end.period)) else { return nil }
        return today.days(to: last)
    }
}
