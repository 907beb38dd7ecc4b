/// One wage earner's premiums for one period: each line rounded on its own, totals summed from the
/// rounded lines (so a total can differ by a rupiah from rounding the summed rate).
public struct PremiumLines: Sendable, Hashable {
    /// JKK, jaminan kecelakaan kerja (employer).
    public let jkk: Rupiah
    /// JKM, jaminan kematian (employer).
    public let jkm: Rupiah
    /// JHT, jaminan hari tua, employer share.
    public let jhtEmployer: Rupiah
    /// JHT, jaminan hari tua, employee share (deducted from pay).
    public let jhtEmployee: Rupiah
    /// JP, jaminan pensiun, employer share.
    public let jpEmployer: Rupiah
    /// JP, jaminan pensiun, employee share (deducted from pay).
    public let jpEmployee: Rupiah

    /// JKK + JKM + JHT employer + JP employer: what the employer pays on top of the wage.
    public let employerTotal: Rupiah
    /// JHT employee + JP employee: what is deducted from the employee's pay.
    public let employeeTotal: Rupiah
    /// Employer total + employee total: what is remitted to BPJS Ketenagakerjaan.
    public let total: Rupiah

    /// Lines as computed; the totals are summed here once, so reading them never overflows.
    /// Throws `MoneyError.overflow` when a total does not fit in 64 bits.
    public init(
        jkk: Rupiah, jkm: Rupiah, jhtEmployer: Rupiah, jhtEmployee: Rupiah, jpEmployer: Rupiah, jpEmployee: Rupiah
    ) throws(MoneyError) {
        self.jkk = jkk
        self.jkm = jkm
        self.jhtEmployer = jhtEmployer
        self.jhtEmployee = jhtEmployee
        self.jpEmployer = jpEmployer
        self.jpEmployee = jpEmployee
        employerTotal = try Rupiah.sum([jkk, jkm, jhtEmployer, jpEmployer])
        employeeTotal = try Rupiah.sum([jhtEmployee, jpEmployee])
        total = try employerTotal.adding(employeeTotal)
    }
}
