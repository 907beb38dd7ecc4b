extension PremiumRates.Source {
    /// Checks the table, collecting every problem rather than stopping at the first: rows that end
    /// before they start, overlaps and gaps inside a series, risk classes and shares the law does not
    /// have, out-of-range rates and amounts, open-ended JP ceilings, rows without a regulation.
    public func validate() throws(RateTableError) {
        var problems: [RateTableProblem] = []

        for row in wageRates {
            let name = row.description
            problems += Self.commonProblems(name: name, from: row.from, to: row.to, regulation: row.regulation)
            if row.programme == .jkk, row.riskClass == nil { problems.append(.riskClassRequired(row: name)) }
            if row.programme != .jkk, row.riskClass != nil { problems.append(.riskClassNotAllowed(row: name)) }
            if row.programme.isEmployerOnly, row.share == .employee { problems.append(.employerOnly(row: name)) }
            if !Self.isPercentage(row.rate) { problems.append(.rateOutOfRange(row: name)) }
        }
        let jkkClasses = Set(wageRates.filter { $0.programme == .jkk }.compactMap(\.riskClass))
        if !jkkClasses.isEmpty {
            for riskClass in RiskClass.allCases where !jkkClasses.contains(riskClass) {
                problems.append(.riskClassNotCovered(riskClass))
            }
        }

        for row in jpCeilings {
            let name = row.description
            problems += Self.commonProblems(name: name, from: row.from, to: row.to, regulation: row.regulation)
            if row.to == nil { problems.append(.openEndedCeiling(row: name)) }
            if row.amount <= .zero { problems.append(.amountNotPositive(row: name)) }
        }

        for row in bpuRates {
            let name = row.description
            problems += Self.commonProblems(name: name, from: row.from, to: row.to, regulation: row.regulation)
            if row.programme == .jp { problems.append(.notABPUProgramme(row: name)) }
            switch row.contribution {
            case .percentOfIncome(let rate):
                if !Self.isPercentage(rate) { problems.append(.rateOutOfRange(row: name)) }
            case .flat(let amount):
                if amount <= .zero { problems.append(.amountNotPositive(row: name)) }
            }
        }

        for row in bpuIncomes {
            let name = row.description
            problems += Self.commonProblems(name: name, from: row.from, to: row.to, regulation: row.regulation)
            if row.minimum <= .zero { problems.append(.amountNotPositive(row: name)) }
            if row.minimum > row.maximum { problems.append(.incomeRangeEmpty(row: name)) }
        }

        // Series: rows that must tile the periods they cover without overlap or gap.
        let wageSeries = Dictionary(grouping: wageRates) {
            WageSeries(programme: $0.programme, share: $0.share, riskClass: $0.riskClass)
        }
        for key in wageSeries.keys.sorted() {
            problems += Self.coverageProblems(wageSeries[key, default: []].map { ($0.from, $0.to, $0.description) })
        }
        problems += Self.coverageProblems(jpCeilings.map { ($0.from, $0.to, $0.description) })
        let bpuSeries = Dictionary(grouping: bpuRates, by: \.programme)
        for programme in Programme.allCases {
            problems += Self.coverageProblems(bpuSeries[programme, default: []].map { ($0.from, $0.to, $0.description) })
        }
        problems += Self.coverageProblems(bpuIncomes.map { ($0.from, $0.to, $0.description) })

        if !problems.isEmpty { throw RateTableError(problems: problems) }
    }

    /// Problems any kind of row can have: a range that runs backwards, or no regulation named.
    private static func commonProblems(name: String, from: Period, to: Period?, regulation: String) -> [RateTableProblem] {
        var problems: [RateTableProblem] = []
        if let to, to < from { problems.append(.endsBeforeItStarts(row: name)) }
        if regulation.allSatisfy({ $0 == " " || $0 == "\t" }) { problems.append(.regulationMissing(row: name)) }
        return problems
    }

    private static func isPercentage(_ rate: BasisPoints) -> Bool { (0...10_000).contains(rate.value) }

    /// Overlaps and gaps in one series. Rows are taken in order of `from`, each compared with the row
    /// reaching furthest so far, so a long row overlapping several short ones is reported for each.
    private static func coverageProblems(_ rows: [(from: Period, to: Period?, name: String)]) -> [RateTableProblem] {
        // A backwards row is reported by commonProblems; leaving it out keeps this pass meaningful.
        let ordered = rows.enumerated()
            .filter { row in row.element.to.map { $0 >= row.element.from } ?? true }
            .sorted { ($0.element.from, $0.offset) < ($1.element.from, $1.offset) }
            .map(\.element)
        guard var reach = ordered.first else { return [] }
        var problems: [RateTableProblem] = []
        for row in ordered.dropFirst() {
            guard let reachEnd = reach.to else {
                problems.append(.overlap(row: reach.name, other: row.name, period: row.from))
                continue
            }
            if row.from <= reachEnd {
                problems.append(.overlap(row: reach.name, other: row.name, period: row.from))
            } else if row.from.index > reachEnd.index + 1 {
                problems.append(.gap(after: reach.name, before: row.name,
                                     missingFrom: Period(index: reachEnd.index + 1),
                                     missingTo: Period(index: row.from.index - 1)))
            }
            if let rowEnd = row.to, rowEnd <= reachEnd { continue }
            reach = row
        }
        return problems
    }
}

/// The key of one series of wage rates: rows with the same key must tile time.
private struct WageSeries: Hashable, Comparable {
    let programme: Programme
    let share: PremiumShare
    let riskClass: RiskClass?

    static func < (lhs: WageSeries, rhs: WageSeries) -> Bool {
        let order = Programme.allCases
        func rank(_ key: WageSeries) -> (Int, Int, Int) {
            (order.firstIndex(of: key.programme) ?? 0, key.share == .employer ? 0 : 1, key.riskClass?.rawValue ?? 0)
        }
        return rank(lhs) < rank(rhs)
    }
}
