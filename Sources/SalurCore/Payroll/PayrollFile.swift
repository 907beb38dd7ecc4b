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
        var check = Check(agreement: agreement, columns: table.columns, capacity: table.rowCount)
        table.forEachRow(issues: &issues) { row, issues in
            if let valid = check.row(row, issues: &issues) { rows.append(valid) }
        }
        if !issues.isEmpty { throw ImportFailure(issues) }
        return rows
    }

    /// The checks of a payroll's rows, given one after another in file order: each row's own
    /// fields, and what spans the file — an employee id or a NIK an earlier row already gave (the
    /// first line of each is kept, for rows refused for other fields too).
    struct Check {
        let agreement: Agreement
        let units: Set<String>?
        let employeeID, nik, name, workUnit, grossWage, riskClass: Int?
        var knownUnits: Set<String> = []
        var seenEmployee: [String: Int] = [:]
        var seenNIK: [NIK: Int] = [:]

        init(agreement: Agreement, columns: [String: Int], capacity: Int = 0) {
            self.agreement = agreement
            units = agreement.workUnits.map(Set.init)
            employeeID = columns["employee_id"]; nik = columns["nik"]; name = columns["name"]
            workUnit = columns["work_unit"]; grossWage = columns["gross_wage"]; riskClass = columns["risk_class"]
            seenEmployee.reserveCapacity(capacity)
            seenNIK.reserveCapacity(capacity)
        }

        /// The row, valid; or nil with its issues added to `issues`.
        mutating func row(_ row: CSVRow, issues: inout [ImportIssue]) -> Row? {
            let before = issues.count
            let employeeID = row[at: self.employeeID] ?? ""
            if let reason = textProblem(employeeID, maxLength: 32) {
                issues.append(row.issue("employee_id", reason))
            } else if let first = seenEmployee[employeeID] {
                issues.append(row.issue("employee_id", "duplicate employee \(employeeID) in this file (first on line \(first))"))
            } else {
                seenEmployee[employeeID] = row.line
            }
            let nik = row.uniqueNIK(at: self.nik, seen: &seenNIK, issues: &issues, note: ": one person, one payroll line")
            let name = row[at: self.name] ?? ""
            if let reason = textProblem(name, maxLength: 100) { issues.append(row.issue("name", reason)) }
            let workUnit = row[at: self.workUnit] ?? ""
            if knownUnits.contains(workUnit) {
                // A payroll names a handful of work units many times over: each is checked once.
            } else if let reason = textProblem(workUnit, maxLength: 64) {
                issues.append(row.issue("work_unit", reason))
            } else if let units, !units.contains(workUnit) {
                issues.append(row.issue("work_unit", "unknown work unit \"\(workUnit)\" for agreement \(agreement.id) "
                                        + "(it covers \(agreement.workUnits?.joined(separator: ", ") ?? ""))"))
            } else {
                knownUnits.insert(workUnit)
            }
            let wage = amount(row[at: grossWage] ?? "", field: "gross_wage", what: "wage", row: row, issues: &issues)
            var riskClass: RiskClass?
            if let text = row[at: self.riskClass], !text.isEmpty {
                riskClass = Int(text).flatMap(RiskClass.init(rawValue:))
                if riskClass == nil { issues.append(row.issue("risk_class", "must be 1 to 5, or empty for the agreement's class, found \"\(text)\"")) }
            }
            guard issues.count == before, let nik, let wage else { return nil }
            return Row(line: row.line, employeeID: employeeID, nik: nik, name: name, workUnit: workUnit, grossWage: wage, riskClass: riskClass)
        }
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
}
