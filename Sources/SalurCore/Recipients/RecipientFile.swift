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

    /// Parses and validates the whole file, held in memory; throws every bad row at once (see `Reading`).
    public static func parse(bytes: [UInt8], file: String) throws(ImportFailure) -> [Row] {
        try Reading(bytes: bytes, file: file).rows()
    }

    /// Every issue of the file, as a check row after row would give them: in line order, within a
    /// line the duplicate NIK first, then the row's own issues in their order, then the duplicate
    /// account number. Duplicates are every line after the first that gives the same NIK (or
    /// account number), with that first line. Only the first `ImportIssue.limit + 1` of each kind
    /// are needed to know the first `ImportIssue.limit` of all.
    static func merged(own: [ImportIssue], duplicateNIKs: [(line: Int, first: Int)], duplicateAccounts: [(line: Int, first: Int)],
                       file: String) -> [ImportIssue] {
        let early = duplicateNIKs.sorted { $0.line < $1.line }.prefix(ImportIssue.limit + 1).map { line, first in
            ImportIssue(file: file, line: line, field: "nik", reason: "duplicate NIK in this file (first on line \(first))")
        }
        let late = duplicateAccounts.sorted { $0.line < $1.line }.prefix(ImportIssue.limit + 1).map { line, first in
            ImportIssue(file: file, line: line, field: "account_no", reason: "account number already given on line \(first)")
        }
        guard !own.isEmpty || !early.isEmpty || !late.isEmpty else { return [] }
        var keyed = early.enumerated().map { (line: $0.element.line, rank: 0, order: $0.offset, issue: $0.element) }
        keyed += own.enumerated().map { (line: $0.element.line, rank: 1, order: $0.offset, issue: $0.element) }
        keyed += late.enumerated().map { (line: $0.element.line, rank: 2, order: $0.offset, issue: $0.element) }
        keyed.sort { ($0.line, $0.rank, $0.order) < ($1.line, $1.rank, $1.order) }
        return keyed.map(\.issue)
    }

    /// Every line that repeats a key an earlier line gave, with that first line — found by sorting.
    static func repeats<Key: Comparable>(_ keyed: [(Key, Int)]) -> [(line: Int, first: Int)] {
        let sorted = keyed.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        var found: [(line: Int, first: Int)] = []
        var first = 0
        for index in sorted.indices {
            if index > 0, sorted[index].0 == sorted[index - 1].0 {
                found.append((sorted[index].1, sorted[first].1))
            } else {
                first = index
            }
        }
        return found
    }

    /// The file's column indices, looked up once.
    struct Columns: Sendable {
        let nik, name, program, district, phone, accountNo: Int?
        init(_ columns: [String: Int]) {
            nik = columns["nik"]; name = columns["name"]; program = columns["program"]
            district = columns["district"]; phone = columns["phone"]; accountNo = columns["account_no"]
        }
    }

    /// Checks one row on its own: a valid row joins `part.rows`; a refused one adds its issues and
    /// the keys it gives (which still count for the duplicate checks).
    static func check(_ row: CSVRow, _ columns: Columns, into part: inout Part) {
        let before = part.issues.count
        let nik = row.nik(at: columns.nik, issues: &part.issues)
        let name = row[at: columns.name] ?? ""
        if let reason = Validate.personName(name) { part.issues.append(row.issue("name", reason)) }
        let program = row[at: columns.program] ?? ""
        if let reason = Validate.code(program) { part.issues.append(row.issue("program", reason)) }
        let district = row[at: columns.district] ?? ""
        if let reason = Validate.text(district, maxLength: 64) { part.issues.append(row.issue("district", reason)) }
        let phone = row[at: columns.phone] ?? ""
        if let reason = Validate.phone(phone) { part.issues.append(row.issue("phone", reason)) }
        var accountNo: String? = nil
        if let account = row[at: columns.accountNo], !account.isEmpty {
            if let reason = Validate.accountNo(account) {
                part.issues.append(row.issue("account_no", reason))
            } else {
                accountNo = account
            }
        }
        guard part.issues.count == before, let nik else {
            if nik != nil || accountNo != nil { part.refused.append(Keys(line: row.line, nik: nik, account: accountNo)) }
            return
        }
        part.rows.append(Row(line: row.line, nik: nik, name: name, program: program, district: district,
                             phone: phone, accountNo: accountNo))
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

    /// Parses and validates the whole file, held in memory; throws every bad row at once (see `Reading`).
    public static func parse(bytes: [UInt8], file: String) throws(ImportFailure) -> [Row] {
        try Reading(bytes: bytes, file: file).rows()
    }
}

extension OpeningResultFile: CSVImportFile {
    /// A results file being read and checked a window at a time (see `CSVImportReading`). What
    /// spans the whole file, a NIK or an account number given twice, is found by whoever takes
    /// the parts — a store, in a temporary table of the keys seen so far (`OpeningResultImport`),
    /// or `rows()` in memory — and handed to `finish`: a file of any size is checked in bounded
    /// memory.
    public typealias Reading = CSVImportReading<OpeningResultFile>
    /// One window of the file, checked.
    public typealias Part = ImportPart<Row>

    public static func checker(columns: [String: Int], file: String) -> Check {
        Check(nik: columns["nik"], status: columns["status"], account: columns["account_no"], reason: columns["reason"])
    }

    /// The checks of one row on its own. The keys a row gives — its NIK when valid, the account
    /// number it opens when valid — count for the duplicate checks across the file whether the
    /// row is refused or not (a refused row's in `part.refused`).
    public struct Check: CSVImportChecker {
        let nik, status, account, reason: Int?

        public func check(_ row: CSVRow, into part: inout Part) {
            let before = part.issues.count
            let nik = row.nik(at: self.nik, issues: &part.issues)
            let account = row[at: self.account] ?? ""
            let reason = row[at: self.reason] ?? ""
            var result: AccountOpening?
            var opens: String?
            switch row[at: status]?.lowercased() ?? "" {
            case "opened":
                if account.isEmpty {
                    part.issues.append(row.issue("account_no", "required when status is opened"))
                } else if let problem = Validate.accountNo(account) {
                    part.issues.append(row.issue("account_no", problem))
                } else {
                    opens = account
                    result = .opened(accountNo: account)
                }
            case "rejected":
                if reason.isEmpty {
                    part.issues.append(row.issue("reason", "required when status is rejected"))
                } else if let problem = Validate.text(reason, maxLength: 200) {
                    part.issues.append(row.issue("reason", problem))
                } else {
                    result = .rejected(reason: reason)
                }
            case let other:
                part.issues.append(row.issue("status", "must be opened or rejected, found \"\(other)\""))
            }
            guard part.issues.count == before, let nik, let result else {
                if nik != nil || opens != nil { part.refused.append(RecipientFile.Keys(line: row.line, nik: nik, account: opens)) }
                return
            }
            part.rows.append(Row(line: row.line, nik: nik, result: result))
        }
    }
}

extension CSVImportReading where File == OpeningResultFile {
    /// Every row, the whole file held in memory once it is read and found valid: the duplicates
    /// found by sorting every row's keys.
    public func rows() throws(ImportFailure) -> [OpeningResultFile.Row] {
        var rows: [OpeningResultFile.Row] = []
        var keys = RecipientFile.KeyRepeats()
        while let part = nextPart() {
            rows += part.rows
            keys.add(part.keys)
        }
        try finish(duplicateNIKs: keys.niks, duplicateAccounts: keys.accounts)
        return rows
    }
}
