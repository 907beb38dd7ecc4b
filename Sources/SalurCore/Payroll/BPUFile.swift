/// The non-wage workers (BPU, bukan penerima upah) whose premiums a regency pays for one period
/// from a budget envelope: `nik,name,occupation,declared_income`.
public enum BPUFile {
    public static let required = ["nik", "name", "occupation", "declared_income"]

    /// One valid row.
    public struct Row: Sendable, Hashable {
        public let line: Int
        public let nik: NIK
        public let name: String
        /// Petani, nelayan, ojek, …
        public let occupation: String
        /// The monthly income the worker declared; premiums are computed on it.
        public let declaredIncome: Rupiah

        /// A row as validated.
        public init(line: Int, nik: NIK, name: String, occupation: String, declaredIncome: Rupiah) {
            self.line = line
            self.nik = nik
            self.name = name
            self.occupation = occupation
            self.declaredIncome = declaredIncome
        }
    }

    /// Parses and validates the whole file; throws every bad row at once. The declared-income range
    /// depends on the period, so `PremiumComputation.bpu` checks it.
    public static func parse(bytes: [UInt8], file: String) throws(ImportFailure) -> [Row] {
        let table = try CSVTable(bytes: bytes, file: file, required: required)
        var issues: [ImportIssue] = []
        var rows: [Row] = []
        rows.reserveCapacity(table.rowCount)
        let check = Check(columns: table.columns)
        var seen = Seen(capacity: table.rowCount)
        table.forEachRow(issues: &issues) { row, issues in
            if let valid = seen.row(check.fields(row), issues: &issues) { rows.append(valid) }
        }
        if !issues.isEmpty { throw ImportFailure(issues) }
        return rows
    }
}
