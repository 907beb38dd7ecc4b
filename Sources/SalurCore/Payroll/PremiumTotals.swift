/// Sums of wage earners' premium lines: every total is a sum of lines rounded on their own, never
/// a rate applied to a summed wage. Adding throws `MoneyError.overflow` rather than wrapping.
public struct PremiumTotals: Sendable, Hashable, Codable {
    /// How many lines (employees) were added.
    public private(set) var lines = 0
    /// Sum of the wages.
    public private(set) var wage = Rupiah.zero
    /// JKK, employer.
    public private(set) var jkk = Rupiah.zero
    /// JKM, employer.
    public private(set) var jkm = Rupiah.zero
    /// JHT, employer share.
    public private(set) var jhtEmployer = Rupiah.zero
    /// JHT, employee share.
    public private(set) var jhtEmployee = Rupiah.zero
    /// JP, employer share.
    public private(set) var jpEmployer = Rupiah.zero
    /// JP, employee share.
    public private(set) var jpEmployee = Rupiah.zero
    /// What the employer pays on top of wages.
    public private(set) var employerTotal = Rupiah.zero
    /// What is deducted from pay.
    public private(set) var employeeTotal = Rupiah.zero
    /// What must reach BPJS Ketenagakerjaan: employer + employee.
    public private(set) var grandTotal = Rupiah.zero

    /// No lines yet.
    public init() {}

    /// Totals as stored (sums computed elsewhere, e.g. by the database); checks that the
    /// employer, employee and grand totals are the sums of their lines.
    public init(lines: Int, wage: Rupiah, jkk: Rupiah, jkm: Rupiah, jhtEmployer: Rupiah, jhtEmployee: Rupiah,
                jpEmployer: Rupiah, jpEmployee: Rupiah) throws(MoneyError) {
        self.lines = lines
        self.wage = wage
        self.jkk = jkk
        self.jkm = jkm
        self.jhtEmployer = jhtEmployer
        self.jhtEmployee = jhtEmployee
        self.jpEmployer = jpEmployer
        self.jpEmployee = jpEmployee
        employerTotal = try Rupiah.sum([jkk, jkm, jhtEmployer, jpEmployer])
        employeeTotal = try jhtEmployee.adding(jpEmployee)
        grandTotal = try employerTotal.adding(employeeTotal)
    }

    /// Adds one employee's wage and premium lines.
    public mutating func add(wage: Rupiah, _ premiums: PremiumLines) throws(MoneyError) {
        self.wage = try self.wage.adding(wage)
        jkk = try jkk.adding(premiums.jkk)
        jkm = try jkm.adding(premiums.jkm)
        jhtEmployer = try jhtEmployer.adding(premiums.jhtEmployer)
        jhtEmployee = try jhtEmployee.adding(premiums.jhtEmployee)
        jpEmployer = try jpEmployer.adding(premiums.jpEmployer)
        jpEmployee = try jpEmployee.adding(premiums.jpEmployee)
        employerTotal = try employerTotal.adding(premiums.employerTotal)
        employeeTotal = try employeeTotal.adding(premiums.employeeTotal)
        grandTotal = try grandTotal.adding(premiums.total)
        lines += 1
    }

    /// Employer and employee amounts per programme, in BPJS order; JKK and JKM have no employee share.
    public var byProgramme: [ProgrammeTotal] {
        [ProgrammeTotal(programme: .jkk, employer: jkk, employee: .zero),
         ProgrammeTotal(programme: .jkm, employer: jkm, employee: .zero),
         ProgrammeTotal(programme: .jht, employer: jhtEmployer, employee: jhtEmployee),
         ProgrammeTotal(programme: .jp, employer: jpEmployer, employee: jpEmployee)]
    }
}

/// One programme's share of a run.
public struct ProgrammeTotal: Sendable, Hashable {
    /// JKK, JKM, JHT or JP.
    public let programme: Programme
    /// Iuran pemberi kerja.
    public let employer: Rupiah
    /// Iuran pekerja (deducted from pay).
    public let employee: Rupiah

    /// Employer + employee. Both are parts of a grand total that was summed without overflow, so
    /// this cannot overflow either; it would trap, never wrap.
    public var total: Rupiah { Rupiah(employer.value + employee.value) }
}

/// Sums of non-wage workers' (BPU) premium lines.
public struct BPUTotals: Sendable, Hashable, Codable {
    /// How many workers.
    public private(set) var lines = 0
    /// Sum of declared incomes.
    public private(set) var declaredIncome = Rupiah.zero
    /// JKK.
    public private(set) var jkk = Rupiah.zero
    /// JKM.
    public private(set) var jkm = Rupiah.zero
    /// JHT.
    public private(set) var jht = Rupiah.zero
    /// Everything, drawn from the budget envelope.
    public private(set) var total = Rupiah.zero

    /// No lines yet.
    public init() {}

    /// Adds one worker's lines.
    public mutating func add(declaredIncome income: Rupiah, _ premiums: BPULines) throws(MoneyError) {
        declaredIncome = try declaredIncome.adding(income)
        jkk = try jkk.adding(premiums.jkk)
        jkm = try jkm.adding(premiums.jkm)
        jht = try jht.adding(premiums.jht)
        total = try total.adding(premiums.total)
        lines += 1
    }
}
