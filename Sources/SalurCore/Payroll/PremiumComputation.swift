/// One employee's premiums in a payroll run.
public struct PayrollLine: Sendable, Hashable {
    /// The payroll row.
    public let row: PayrollFile.Row
    /// The risk class applied: the row's own, else the agreement's.
    public let riskClass: RiskClass
    /// Each line rounded on its own.
    public let premiums: PremiumLines
}

/// One non-wage worker's premiums in a BPU run.
public struct BPULine: Sendable, Hashable {
    /// The BPU row.
    public let row: BPUFile.Row
    /// Each line rounded on its own.
    public let premiums: BPULines
}

/// Why a whole run was refused (as opposed to bad rows, which come as `ImportFailure`).
public enum PremiumRunRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The period does not belong to the agreement (see `Agreement.covers`).
    case periodOutsideAgreement(agreement: Agreement, period: Period)
    /// A BPU period outside the budget's fiscal year.
    case periodOutsideBudgetYear(budget: String, year: Int, period: Period)
    /// The rate table has no rule for the period, or a total does not fit in 64 bits.
    case premium(PremiumError)

    public var description: String {
        switch self {
        case .periodOutsideAgreement(let agreement, let period):
            let span: String = switch (agreement.firstPeriod, agreement.lastPeriod) {
            case (let first?, let last?): "it covers \(first) to \(last)"
            default: "it covers no period"
            }
            return "period \(period) is outside agreement \(agreement.id) (valid \(agreement.validFrom) to \(agreement.validTo)): "
                + "a period belongs to the agreement in force on its first day (\(period.firstDay)), and \(span); "
                + "record the agreement that covers \(period) (salurctl agreements add) and import under it"
        case .periodOutsideBudgetYear(let budget, let year, let period):
            return "period \(period) is outside budget \(budget)'s fiscal year \(year): a budget envelope pays premiums for "
                + "its own year's periods only"
        case .premium(let error):
            return error.description
        }
    }
}

/// Computes runs from validated rows. Pure: the same rows, terms, period and rates always give the
/// same lines, each rounded on its own, and totals that are sums of those lines.
public enum PremiumComputation {
    /// A payroll run: every employee's lines under `agreement` for `period`.
    ///
    /// Throws `PremiumRunRefusal` when the period is outside the agreement or the rate table has no
    /// rule for it (every row would fail alike), and `ImportFailure` listing rows whose premiums
    /// cannot be computed (an amount too large for 64 bits).
    public static func payroll(_ rows: [PayrollFile.Row], agreement: Agreement, period: Period, rates: PremiumRates,
                               file: String) throws -> (lines: [PayrollLine], totals: PremiumTotals) {
        guard agreement.covers(period) else { throw PremiumRunRefusal.periodOutsideAgreement(agreement: agreement, period: period) }
        var lines: [PayrollLine] = []
        lines.reserveCapacity(rows.count)
        var run = PayrollRun(agreement: agreement, period: period, rates: rates, file: file)
        for row in rows {
            if let line = try run.line(row) { lines.append(line) }
        }
        if !run.issues.isEmpty { throw ImportFailure(run.issues) }
        return (lines, run.totals)
    }

    /// A payroll's lines computed one row at a time, in file order, and the sums of those computed
    /// so far: what `payroll(_:agreement:period:rates:file:)` does, for a file read a window at a time.
    public struct PayrollRun: Sendable {
        let agreement: Agreement
        let period: Period
        let rates: PremiumRates
        let file: String
        /// The rates of `period` for the agreement's programmes, looked up once.
        let card: PremiumRates.Card
        /// The sums of the lines computed so far.
        public private(set) var totals = PremiumTotals()
        /// Rows whose premiums cannot be computed (an amount too large for 64 bits), in file order:
        /// at most `ImportIssue.limit + 1`, as many as a refusal reports.
        public private(set) var issues: [ImportIssue] = []

        public init(agreement: Agreement, period: Period, rates: PremiumRates, file: String) {
            self.agreement = agreement
            self.period = period
            self.rates = rates
            self.file = file
            card = PremiumRates.Card(rates, programmes: agreement.programmes, period: period)
        }

        /// `row`'s line, added to `totals`; nil when its premiums cannot be computed (the reason is
        /// added to `issues`). Throws `PremiumRunRefusal` when the rate table has no rule for it or
        /// a total does not fit in 64 bits.
        public mutating func line(_ row: PayrollFile.Row) throws(PremiumRunRefusal) -> PayrollLine? {
            try add(row, premiums(row))
        }

        /// `row`'s premiums, or why they cannot be computed: the part of `line` that needs no
        /// other row, made for many rows at once.
        func premiums(_ row: PayrollFile.Row) -> Result<PremiumLines, PremiumError> {
            Result { () throws(PremiumError) in try card.lines(wage: row.grossWage, riskClass: row.riskClass ?? agreement.riskClass) }
        }

        /// `line(row)` from `row`'s premiums computed beforehand (`premiums(row)`).
        mutating func add(_ row: PayrollFile.Row, _ computed: Result<PremiumLines, PremiumError>) throws(PremiumRunRefusal) -> PayrollLine? {
            let premiums: PremiumLines
            switch computed {
            case .success(let lines):
                premiums = lines
            case .failure(let error):
                switch error {
                case .overflow, .wageNotPositive:
                    if issues.count <= ImportIssue.limit {
                        issues.append(ImportIssue(file: file, line: row.line, field: "gross_wage", reason: error.description))
                    }
                    return nil
                default:
                    throw .premium(error)
                }
            }
            do throws(MoneyError) {
                try totals.add(wage: row.grossWage, premiums)
            } catch {
                throw .premium(.overflow(error))
            }
            return PayrollLine(row: row, riskClass: row.riskClass ?? agreement.riskClass, premiums: premiums)
        }
    }

    /// A BPU run: every worker's lines for `period`, all paid from the envelope.
    ///
    /// Throws `PremiumRunRefusal` when the rate table has no BPU rule for the period, and
    /// `ImportFailure` for rows whose declared income is outside the range in force.
    public static func bpu(_ rows: [BPUFile.Row], period: Period, rates: PremiumRates,
                           file: String) throws -> (lines: [BPULine], totals: BPUTotals) {
        var lines: [BPULine] = []
        lines.reserveCapacity(rows.count)
        var run = BPURun(period: period, rates: rates, file: file)
        for row in rows {
            if let line = try run.line(row) { lines.append(line) }
        }
        if !run.issues.isEmpty { throw ImportFailure(run.issues) }
        return (lines, run.totals)
    }

    /// A BPU run's lines computed one row at a time, in file order, and the sums of those computed
    /// so far: what `bpu(_:period:rates:file:)` does, for a file read a window at a time.
    public struct BPURun: Sendable {
        let period: Period
        let rates: PremiumRates
        let file: String
        /// The sums of the lines computed so far.
        public private(set) var totals = BPUTotals()
        /// Rows whose declared income is outside the range in force (or whose premiums do not fit
        /// in 64 bits), in file order: at most `ImportIssue.limit + 1`, as many as a refusal reports.
        public private(set) var issues: [ImportIssue] = []

        public init(period: Period, rates: PremiumRates, file: String) {
            self.period = period
            self.rates = rates
            self.file = file
        }

        /// `row`'s line, added to `totals`; nil when its premiums cannot be computed (the reason is
        /// added to `issues`). Throws `PremiumRunRefusal` when the rate table has no BPU rule for the
        /// period or a total does not fit in 64 bits.
        public mutating func line(_ row: BPUFile.Row) throws(PremiumRunRefusal) -> BPULine? {
            try add(row, premiums(row))
        }

        /// `row`'s premiums, or why they cannot be computed: the part of `line` that needs no other row.
        func premiums(_ row: BPUFile.Row) -> Result<BPULines, PremiumError> {
            Result { () throws(PremiumError) in try rates.bpuLines(declaredIncome: row.declaredIncome, period: period) }
        }

        /// `line(row)` from `row`'s premiums computed beforehand (`premiums(row)`).
        mutating func add(_ row: BPUFile.Row, _ computed: Result<BPULines, PremiumError>) throws(PremiumRunRefusal) -> BPULine? {
            let premiums: BPULines
            switch computed {
            case .success(let lines):
                premiums = lines
            case .failure(let error):
                switch error {
                case .overflow, .declaredIncomeOutOfRange:
                    if issues.count <= ImportIssue.limit {
                        issues.append(ImportIssue(file: file, line: row.line, field: "declared_income", reason: error.description))
                    }
                    return nil
                default:
                    throw .premium(error)
                }
            }
            do throws(MoneyError) {
                try totals.add(declaredIncome: row.declaredIncome, premiums)
            } catch {
                throw .premium(.overflow(error))
            }
            return BPULine(row: row, premiums: premiums)
        }
    }
}
