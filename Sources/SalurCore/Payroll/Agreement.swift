/// A BPJS Ketenagakerjaan agreement (PKS, perjanjian kerja sama) under which an employer insures its
/// contract staff (PTT / non-ASN): which programmes, the JKK risk class, the days it is valid, the
/// BPJS account premiums are remitted to, and optionally the work units it covers.
public struct Agreement: Sendable, Hashable, Codable {
    /// The operator's code for it, e.g. `KUPANG-PKS-2021`.
    public let id: String
    /// The employer (pemberi kerja), e.g. `Pemerintah Kota Kupang`.
    public let employer: String
    /// The programmes covered; always JKK and JKM, optionally JHT and JP.
    public let programmes: Set<Programme>
    /// The workplace's JKK risk class, unless a payroll row overrides it.
    public let riskClass: RiskClass
    /// First day of validity.
    public let validFrom: CalendarDate
    /// Last day of validity, inclusive.
    public let validTo: CalendarDate
    /// BPJS Ketenagakerjaan's account at another bank, credited by the remittance (SNAP service 18).
    public let bpjsAccount: String
    /// That bank's code, sent as `beneficiaryBankCode`.
    public let bpjsBankCode: String
    /// The work units (unit kerja / OPD) whose staff it covers; `nil` for every work unit.
    public let workUnits: [String]?

    /// Checks every term; throws the first problem as `TermsError`.
    public init(id: String, employer: String, programmes: Set<Programme>, riskClass: RiskClass,
                validFrom: CalendarDate, validTo: CalendarDate, bpjsAccount: String, bpjsBankCode: String,
                workUnits: [String]?) throws(TermsError) {
        if let reason = Validate.code(id) { throw .invalid(field: "id", reason: reason) }
        if let reason = Validate.text(employer, maxLength: 100) { throw .invalid(field: "employer", reason: reason) }
        guard programmes.contains(.jkk), programmes.contains(.jkm) else {
            throw .invalid(field: "programs", reason: "JKK and JKM are compulsory: give JKK,JKM and optionally JHT and JP")
        }
        guard validFrom <= validTo else {
            throw .invalid(field: "to", reason: "\(validTo) is before the first day \(validFrom)")
        }
        if let reason = Validate.accountNo(bpjsAccount) { throw .invalid(field: "bpjs-account", reason: reason) }
        if let reason = Agreement.bankCodeProblem(bpjsBankCode) { throw .invalid(field: "bpjs-bank-code", reason: reason) }
        if let workUnits {
            if workUnits.isEmpty { throw .invalid(field: "work-units", reason: "name at least one work unit, or leave the option out for all") }
            var seen: Set<String> = []
            for unit in workUnits {
                if let reason = Validate.text(unit, maxLength: 64) { throw .invalid(field: "work-units", reason: "\"\(unit)\": \(reason)") }
                if !seen.insert(unit).inserted { throw .invalid(field: "work-units", reason: "\"\(unit)\" is named twice") }
            }
        }
        self.id = id
        self.employer = employer
        self.programmes = programmes
        self.riskClass = riskClass
        self.validFrom = validFrom
        self.validTo = validTo
        self.bpjsAccount = bpjsAccount
        self.bpjsBankCode = bpjsBankCode
        self.workUnits = workUnits
        guard firstPeriod != nil else {
            throw .invalid(field: "from", reason: "\(validFrom)…\(validTo) contains no first day of a month, so it covers no payroll "
                           + "period (a period belongs to the agreement in force on its first day)")
        }
    }

    /// The programmes in the order BPJS lists them: JKK, JKM, JHT, JP.
    public var orderedProgrammes: [Programme] { Programme.allCases.filter(programmes.contains) }

    /// Whether `period` falls under this agreement: it does when the agreement is in force on the
    /// period's first day. Back-to-back agreements (one ends the day before the next starts) thus
    /// give every month to exactly one of them, and a month is never paid twice or left out.
    public func covers(_ period: Period) -> Bool {
        let first = period.firstDay
        return validFrom <= first && first <= validTo
    }

    /// The first period covered: the month of `validFrom` if it is the 1st, else the next month.
    public var firstPeriod: Period? {
        let candidate = validFrom.day == 1 ? validFrom.period : validFrom.period.next
        return covers(candidate) ? candidate : nil
    }

    /// The last period covered: the month `validTo` falls in (its first day is never after `validTo`).
    public var lastPeriod: Period? { firstPeriod == nil ? nil : validTo.period }

    /// Whether `workUnit` belongs to this agreement.
    public func includes(workUnit: String) -> Bool { workUnits?.contains(workUnit) ?? true }

    /// A bank code as SNAP's `beneficiaryBankCode`: 3 to 11 of A–Z and 0–9 (e.g. `009`, `BNINIDJA`).
    static func bankCodeProblem(_ code: String) -> String? {
        guard (3...11).contains(code.utf8.count) else { return "must have 3 to 11 characters, found \(code.utf8.count)" }
        guard code.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) }) else {
            return "use digits and capital letters only (found \"\(code)\")"
        }
        return nil
    }
}

extension Agreement {
    /// Parses `JKK,JKM,JHT` (any case, spaces allowed); nil with the offending item otherwise.
    public static func programmes(parsing text: String) -> Result<Set<Programme>, TermsError> {
        var set: Set<Programme> = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = String(item).trimmingSpaces.uppercased()
            guard let programme = Programme(rawValue: name) else {
                return .failure(.invalid(field: "programs", reason: "\"\(item)\" is not a programme; use JKK, JKM, JHT, JP"))
            }
            guard set.insert(programme).inserted else {
                return .failure(.invalid(field: "programs", reason: "\(programme) is named twice"))
            }
        }
        return .success(set)
    }
}
