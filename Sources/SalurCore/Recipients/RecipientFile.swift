/// The recipients file an operator imports: `nik,name,program,district,phone[,account_no]`.
public enum RecipientFile {
    public static let required = ["nik", "name", "program", "district", "phone"]
    public static let optional = ["account_no"]

    /// One valid row.
    public struct Row: Sendable, Hashable {
        public let line: Int
        public let nik: NIK
        public let name: String
        public let program: String
        public let district: String
        public let phone: String
        public let accountNo: String?
    }

    /// Parses and validates the whole file; throws every bad row at once.
    public static func parse(bytes: [UInt8], file: String) throws(ImportFailure) -> [Row] {
        let table = try CSVTable(bytes: bytes, file: file, required: required, optional: optional)
        var issues: [ImportIssue] = []
        var rows: [Row] = []
        rows.reserveCapacity(table.rowCount)
        var seenNIK: [NIK: Int] = [:]
        var seenAccount: [String: Int] = [:]
        seenNIK.reserveCapacity(table.rowCount)
        table.forEachRow(issues: &issues) { row, issues in
            let before = issues.count
            let nik = row.uniqueNIK(seen: &seenNIK, issues: &issues)
            let name = row["name"] ?? ""
            if let reason = Validate.personName(name) { issues.append(row.issue("name", reason)) }
            let program = row["program"] ?? ""
            if let reason = Validate.code(program) { issues.append(row.issue("program", reason)) }
            let district = row["district"] ?? ""
            if let reason = Validate.text(district, maxLength: 64) { issues.append(row.issue("district", reason)) }
            let phone = row["phone"] ?? ""
            if let reason = Validate.phone(phone) { issues.append(row.issue("phone", reason)) }
            var accountNo: String? = nil
            if let account = row["account_no"], !account.isEmpty {
                if let reason = Validate.accountNo(account) {
                    issues.append(row.issue("account_no", reason))
                } else if let first = seenAccount[account] {
                    issues.append(row.issue("account_no", "account number already given on line \(first)"))
                } else {
                    seenAccount[account] = row.line
                    accountNo = account
                }
            }
            guard issues.count == before, let nik else { return }
            rows.append(Row(line: row.line, nik: nik, name: name, program: program, district: district,
                            phone: phone, accountNo: accountNo))
        }
        if !issues.isEmpty { throw ImportFailure(issues) }
        return rows
    }
}

/// The bank's answer to a collective account-opening request: `nik,status,account_no,reason`.
public enum OpeningResultFile {
    public static let required = ["nik", "status", "account_no", "reason"]
    public static let optional = ["name"]

    /// One valid row: the bank opened an account or refused, for one NIK.
    public struct Row: Sendable, Hashable {
        public let line: Int
        public let nik: NIK
        public let result: AccountOpening
    }

    /// Parses and validates the whole file; throws every bad row at once.
    public static func parse(bytes: [UInt8], file: String) throws(ImportFailure) -> [Row] {
        let table = try CSVTable(bytes: bytes, file: file, required: required, optional: optional)
        var issues: [ImportIssue] = []
        var rows: [Row] = []
        rows.reserveCapacity(table.rowCount)
        var seenNIK: [NIK: Int] = [:]
        var seenAccount: [String: Int] = [:]
        table.forEachRow(issues: &issues) { row, issues in
            let before = issues.count
            let nik = row.uniqueNIK(seen: &seenNIK, issues: &issues)
            let account = row["account_no"] ?? ""
            let reason = row["reason"] ?? ""
            var result: AccountOpening?
            switch row["status"]?.lowercased() ?? "" {
            case "opened":
                if account.isEmpty {
                    issues.append(row.issue("account_no", "required when status is opened"))
                } else if let problem = Validate.accountNo(account) {
                    issues.append(row.issue("account_no", problem))
                } else if let first = seenAccount[account] {
                    issues.append(row.issue("account_no", "account number already given on line \(first)"))
                } else {
                    seenAccount[account] = row.line
                    result = .opened(accountNo: account)
                }
            case "rejected":
                if reason.isEmpty {
                    issues.append(row.issue("reason", "required when status is rejected"))
                } else if let problem = Validate.text(reason, maxLength: 200) {
                    issues.append(row.issue("reason", problem))
                } else {
                    result = .rejected(reason: reason)
                }
            case let other:
                issues.append(row.issue("status", "must be opened or rejected, found \"\(other)\""))
            }
            guard issues.count == before, let nik, let result else { return }
            rows.append(Row(line: row.line, nik: nik, result: result))
        }
        if !issues.isEmpty { throw ImportFailure(issues) }
        return rows
    }
}
