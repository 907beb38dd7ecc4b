/// A regency's budget envelope (pagu anggaran) for the premiums of non-wage workers (BPU), e.g.
/// `KUKAR-2021-DISTRANSNAKER`, Rp 1,700,000,000, Distransnaker, 2021.
public struct BudgetEnvelope: Sendable, Hashable, Codable {
    /// The operator's code for it.
    public let id: String
    /// The agency (OPD) whose budget it is.
    public let agency: String
    /// The fiscal year; it pays for that year's periods only.
    public let year: Int
    /// The envelope.
    public let amount: Rupiah
    /// BPJS Ketenagakerjaan's account BPU premiums are remitted to; needed only to remit.
    public let bpjsAccount: String?
    /// That bank's code.
    public let bpjsBankCode: String?

    /// Checks every term; throws the first problem as `TermsError`.
    public init(id: String, agency: String, year: Int, amount: Rupiah, bpjsAccount: String?,
                bpjsBankCode: String?) throws(TermsError) {
        if let reason = Validate.code(id) { throw .invalid(field: "id", reason: reason) }
        if let reason = Validate.text(agency, maxLength: 100) { throw .invalid(field: "agency", reason: reason) }
        guard (2000...9999).contains(year) else { throw .invalid(field: "year", reason: "must be a four-digit year from 2000, found \(year)") }
        guard amount > .zero else { throw .invalid(field: "amount", reason: "must be above zero") }
        switch (bpjsAccount, bpjsBankCode) {
        case (nil, nil): break
        case (let account?, let code?):
            if let reason = Validate.accountNo(account) { throw .invalid(field: "bpjs-account", reason: reason) }
            if let reason = Agreement.bankCodeProblem(code) { throw .invalid(field: "bpjs-bank-code", reason: reason) }
        default:
            throw .invalid(field: "bpjs-account", reason: "give both --bpjs-account and --bpjs-bank-code, or neither")
        }
        self.id = id
        self.agency = agency
        self.year = year
        self.amount = amount
        self.bpjsAccount = bpjsAccount
        self.bpjsBankCode = bpjsBankCode
    }

    /// Whether the envelope pays for `period`: its year is the fiscal year.
    public func covers(_ period: Period) -> Bool { period.year == year }
}

/// How much of an envelope is used: `spent` went to BPJS (the run's remittance settled),
/// `committed` is imported runs not yet settled, `remaining` the rest.
public struct EnvelopeUse: Sendable, Hashable {
    /// The envelope.
    public let amount: Rupiah
    /// Runs whose remittance settled at the bank.
    public let spent: Rupiah
    /// Runs imported whose remittance has not settled (not queued, queued, posting, in doubt or failed).
    public let committed: Rupiah
    /// amount − spent − committed.
    public let remaining: Rupiah
    /// The total of the latest period's run: the run rate `monthsOfCover` divides by; nil without runs.
    public let lastMonthRunRate: Rupiah?

    /// Use of `amount` given what is spent and committed; throws on overflow.
    public init(amount: Rupiah, spent: Rupiah, committed: Rupiah, lastMonthRunRate: Rupiah?) throws(MoneyError) {
        self.amount = amount
        self.spent = spent
        self.committed = committed
        remaining = try amount.subtracting(spent).subtracting(committed)
        self.lastMonthRunRate = lastMonthRunRate
    }

    /// Whole months the remaining amount pays at the last month's run rate (rounded down); nil
    /// without a run to measure by.
    public var monthsOfCover: Int? {
        guard let rate = lastMonthRunRate, rate > .zero else { return nil }
        return Int(max(0, remaining.value) / rate.value)
    }

    /// By how much a new run of `total` would overdraw the envelope; nil when it fits.
    public func overdraw(by total: Rupiah) -> Rupiah? {
        guard let after = try? remaining.subtracting(total) else { return total }
        return after < .zero ? Rupiah(-after.value) : nil
    }
}
