/// One-off payments an operator imports: `nik,amount,program,period,remark`.
public enum TransferFile {
    public static let required = ["nik", "amount", "program", "period", "remark"]

    /// One valid row.
    public struct Row: Sendable, Hashable {
        public let line: Int
        public let nik: NIK
        public let amount: Rupiah
        public let program: String
        public let period: Period
        public let remark: String
    }

    /// Parses and validates the whole file; throws every bad row at once.
    public static func parse(bytes: [UInt8], file: String) throws(ImportFailure) -> [Row] {
        let table = try CSVTable(bytes: bytes, file: file, required: required)
        var issues: [ImportIssue] = []
        var rows: [Row] = []
        var seen: [String: Int] = [:]
        table.forEachRow(issues: &issues) { row, issues in
            let before = issues.count
            let nik = row.nik(issues: &issues)
            let amountText = row["amount"] ?? ""
            var amount: Rupiah?
            switch Rupiah.operatorAmount(amountText) {
            case .success(let value): amount = value
            case .failure(let refusal): issues.append(row.issue("amount", refusal.description))
            }
            let program = row["program"] ?? ""
            if let reason = Validate.code(program) { issues.append(row.issue("program", reason)) }
            let periodText = row["period"] ?? ""
            var period: Period?
            switch Period.operatorPeriod(periodText) {
            case .success(let value): period = value
            case .failure(let refusal): issues.append(row.issue("period", refusal.description))
            }
            let remark = row["remark"] ?? ""
            if let reason = TransferRemark.problem(remark) { issues.append(row.issue("remark", reason)) }
            if let nik, let period {
                let key = "\(nik.digits)|\(program)|\(period)"
                if let first = seen[key] {
                    issues.append(row.issue("nik", "duplicate payment for this NIK, programme and period (first on line \(first))"))
                } else {
                    seen[key] = row.line
                }
            }
            guard issues.count == before, let nik, let amount, let period else { return }
            rows.append(Row(line: row.line, nik: nik, amount: amount, program: program, period: period, remark: remark))
        }
        if !issues.isEmpty { throw ImportFailure(issues) }
        return rows
    }
}
