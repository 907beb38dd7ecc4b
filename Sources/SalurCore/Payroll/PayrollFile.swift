/// The payroll an operator imports for one period under one agreement:
/// `employee_id,nik,name,work_unit,gross_wage[,risk_class]`.
public enum PayrollFile {
    public static let required = ["employee_id", "nik", "name", "work_unit", "gross_wage"]
    public static let optional = ["risk_class"]

    /// One valid row.
    public struct Row: Sendable, Hashable {
        public let line: Int
        /// The employer's own number for the employee (NIP / nomor pegawai).
        public let employeeID: String
        public let nik: NIK
        public let name: String
        /// Unit kerja / OPD, e.g. `DLHK`, `Satpol PP`.
        public let workUnit: String
        /// Gross monthly wage (upah), the base of every premium.
        public let grossWage: Rupiah
        /// The row's own JKK risk class, overriding the agreement's; nil when the column is absent or empty.
        public let riskClass: RiskClass?

        /// A row as validated.
        public init(line: Int, employeeID: String, nik: NIK, name: String, workUnit: String, grossWage: Rupiah, riskClass: RiskClass?) {
            self.line = line
            self.employeeID = employeeID
            self.nik = nik
            self.name = name
            self.workUnit = workUnit
            self.grossWage = grossWage
            self.riskClass = riskClass
        }
    }

    /// Parses and validates the whole file against `agreement` (its work units); throws every bad row at once.
    public static func parse(bytes: [UInt8], file: String, agreement: Agreement) throws(ImportFailure) -> [Row] {
        let table = try CSVTable(bytes: bytes, file: file, required: required, optional: optional)
        var issues: [ImportIssue] = []
        var rows: [Row] = []
        rows.reserveCapacity(table.rowCount)
        let check = Check(agreement: agreement, columns: table.columns)
        var seen = Seen(capacity: table.rowCount)
        table.forEachRow(issues: &issues) { row, issues in
            if let valid = seen.row(check.fields(row), issues: &issues) { rows.append(valid) }
        }
        if !issues.isEmpty { throw ImportFailure(issues) }
        return rows
    }

    /// The checks of one payroll row that need no other row: each field on its own. Made for many
    /// rows at once, on several threads, when a file is read a window at a time.
    struct Check: Sendable {
        let agreement: Agreement
        let units: Set<String>?
        let employeeID, nik, name, workUnit, grossWage, riskClass: Int?

        init(agreement: Agreement, columns: [String: Int]) {
            self.agreement = agreement
            units = agreement.workUnits.map(Set.init)
            employeeID = columns["employee_id"]; nik = columns["nik"]; name = columns["name"]
            workUnit = columns["work_unit"]; grossWage = columns["gross_wage"]; riskClass = columns["risk_class"]
        }

        /// The row's fields, each checked on its own.
        func fields(_ row: CSVRow) -> Fields {
            let employeeID = row[at: self.employeeID] ?? ""
            let employeeProblem = textProblem(employeeID, maxLength: 32)
            var nikIssues: [ImportIssue] = []
            let nik = row.nik(at: self.nik, issues: &nikIssues)
            var issues: [ImportIssue] = []
            let name = row[at: self.name] ?? ""
            if let reason = textProblem(name, maxLength: 100) { issues.append(row.issue("name", reason)) }
            let workUnit = row[at: self.workUnit] ?? ""
            if let reason = textProblem(workUnit, maxLength: 64) {
                issues.append(row.issue("work_unit", reason))
            } else if let units, !units.contains(workUnit) {
                issues.append(row.issue("work_unit", "unknown work unit \"\(workUnit)\" for agreement \(agreement.id) "
                                        + "(it covers \(agreement.workUnits?.joined(separator: ", ") ?? ""))"))
            }
            let wage = amount(row[at: grossWage] ?? "", field: "gross_wage", what: "wage", row: row, issues: &issues)
            var riskClass: RiskClass?
            if let text = row[at: self.riskClass], !text.isEmpty {
                riskClass = Int(text).flatMap(RiskClass.init(rawValue:))
                if riskClass == nil { issues.append(row.issue("risk_class", "must be 1 to 5, or empty for the agreement's class, found \"\(text)\"")) }
            }
            var valid: Row?
            if employeeProblem == nil, let nik, issues.isEmpty, let wage {
                valid = Row(line: row.line, employeeID: employeeID, nik: nik, name: name, workUnit: workUnit, grossWage: wage, riskClass: riskClass)
            }
            return Fields(row: row, employeeID: employeeID, employeeProblem: employeeProblem, nik: nik, nikIssues: nikIssues,
                          issues: issues, valid: valid)
        }
    }

    /// One payroll row's fields checked on their own (`Check`).
    struct Fields: Sendable {
        let row: CSVRow
        let employeeID: String
        /// Why the employee id is refused on its own.
        let employeeProblem: String?
        /// The NIK, or nil with why in `nikIssues`.
        let nik: NIK?
        let nikIssues: [ImportIssue]
        /// The issues of the fields after the NIK, in field order.
        let issues: [ImportIssue]
        /// The row, when every field is valid on its own.
        let valid: Row?
    }

    /// What spans a payroll's rows, given one after another in file order: an employee id or a
    /// NIK an earlier row already gave (the first line of each is kept, for rows refused for other
    /// fields too).
    struct Seen {
        var employees: [String: Int] = [:]
        var niks: [UInt64: Int] = [:]

        init(capacity: Int = 0) {
            employees.reserveCapacity(capacity)
            niks.reserveCapacity(capacity)
        }

        /// The row, valid; or nil with its issues added to `issues`, in field order.
        mutating func row(_ fields: Fields, issues: inout [ImportIssue]) -> Row? {
            let before = issues.count
            let row = fields.row
            if let reason = fields.employeeProblem {
                issues.append(row.issue("employee_id", reason))
            } else if let first = Self.first(fields.employeeID, line: row.line, in: &employees) {
                issues.append(row.issue("employee_id", "duplicate employee \(fields.employeeID) in this file (first on line \(first))"))
            }
            issues += fields.nikIssues
            _ = row.uniqueNIK(fields.nik, seen: &niks, issues: &issues, note: ": one person, one payroll line")
            issues += fields.issues
            guard issues.count == before else { return nil }
            return fields.valid
        }

        /// The line `key` was first given on; nil (and `line` kept for it) when it is new. One lookup.
        static func first(_ key: String, line: Int, in seen: inout [String: Int]) -> Int? {
            let count = seen.count
            let first = value(&seen[key, default: line])
            return seen.count == count ? first : nil
        }

        private static func value(_ value: inout Int) -> Int { value }
    }

    /// `Validate.text`, answering printable ASCII (nearly every payroll field) without looking up
    /// Unicode properties, which dominated the time of a million-row import.
    static func textProblem(_ text: String, maxLength: Int) -> String? {
        let utf8 = text.utf8
        guard !utf8.isEmpty, utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return Validate.text(text, maxLength: maxLength) }
        return utf8.count > maxLength ? "longer than \(maxLength) characters" : nil
    }

    /// A positive whole-rupiah amount, or an issue saying why not.
    static func amount(_ text: String, field: String, what: String, row: CSVRow, issues: inout [ImportIssue]) -> Rupiah? {
        if let plain = plainAmount(text) { return plain }
        if text.hasPrefix("-") {
            issues.append(row.issue(field, "negative \(what) \(text): must be above zero"))
            return nil
        }
        if text.allSatisfy({ $0 == "0" }), !text.isEmpty {
            issues.append(row.issue(field, "\(what) is zero: must be above zero"))
            return nil
        }
        switch Rupiah.operatorAmount(text) {
        case .success(let value): return value
        case .failure(let refusal):
            issues.append(row.issue(field, refusal.description))
            return nil
        }
    }

    /// Digits only, without a leading zero, up to `Rupiah.largestTransfer`: nearly every amount in a
    /// file, which `Rupiah.operatorAmount` takes as it stands. Read here without allocating; nil
    /// for anything else, left to `operatorAmount` (and its refusals).
    static func plainAmount(_ text: String) -> Rupiah? {
        var text = text
        return text.withUTF8 { bytes -> Rupiah? in
            guard (1...18).contains(bytes.count), bytes[0] != UInt8(ascii: "0") else { return nil }
            var value: Int64 = 0
            for byte in bytes {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            return value <= Rupiah.largestTransfer.value ? Rupiah(value) : nil
        }
    }
}
