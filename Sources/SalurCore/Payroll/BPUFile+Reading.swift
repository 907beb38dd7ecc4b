extension BPUFile {
    /// One window of a BPU file, read, checked and computed.
    public typealias Part = PremiumPart<BPULine, BPUTotals>

    /// A BPU file being read, checked and computed a window at a time (see `PremiumReading`): the
    /// rows, issues and lines of `parse` and then `PremiumComputation.bpu` over the whole file.
    public typealias Reading = PremiumReading<BPULine, BPUTotals>

    /// The checks of one BPU row that need no other row: each field on its own.
    struct Check: Sendable {
        let nik, name, occupation, declaredIncome: Int?

        init(columns: [String: Int]) {
            nik = columns["nik"]; name = columns["name"]; occupation = columns["occupation"]; declaredIncome = columns["declared_income"]
        }

        /// The row's fields, each checked on its own.
        func fields(_ row: CSVRow) -> Fields {
            var nikIssues: [ImportIssue] = []
            let nik = row.nik(at: self.nik, issues: &nikIssues)
            var issues: [ImportIssue] = []
            let name = row[at: self.name] ?? ""
            if let reason = PayrollFile.textProblem(name, maxLength: 100) { issues.append(row.issue("name", reason)) }
            let occupation = row[at: self.occupation] ?? ""
            if let reason = PayrollFile.textProblem(occupation, maxLength: 64) { issues.append(row.issue("occupation", reason)) }
            let income = PayrollFile.amount(row[at: declaredIncome] ?? "", field: "declared_income", what: "declared income",
                                            row: row, issues: &issues)
            var valid: Row?
            if let nik, issues.isEmpty, let income {
                valid = Row(line: row.line, nik: nik, name: name, occupation: occupation, declaredIncome: income)
            }
            return Fields(row: row, nik: nik, nikIssues: nikIssues, issues: issues, valid: valid)
        }
    }

    /// One BPU row's fields checked on their own (`Check`).
    struct Fields: Sendable {
        let row: CSVRow
        /// The NIK, or nil with why in `nikIssues`.
        let nik: NIK?
        let nikIssues: [ImportIssue]
        /// The issues of the fields after the NIK, in field order.
        let issues: [ImportIssue]
        /// The row, when every field is valid on its own.
        let valid: Row?
    }

    /// What spans a BPU file's rows, given one after another in file order: a NIK an earlier row
    /// already gave (the first line of each is kept, for rows refused for other fields too).
    struct Seen {
        var niks: [UInt64: Int] = [:]

        init(capacity: Int = 0) {
            niks.reserveCapacity(capacity)
        }

        /// The row, valid; or nil with its issues added to `issues`, in field order.
        mutating func row(_ fields: Fields, issues: inout [ImportIssue]) -> Row? {
            let before = issues.count
            issues += fields.nikIssues
            _ = fields.row.uniqueNIK(fields.nik, seen: &niks, issues: &issues)
            issues += fields.issues
            guard issues.count == before else { return nil }
            return fields.valid
        }
    }

    /// A BPU file's rows checked on their own (`Check`) and their premiums computed, then in file
    /// order checked across rows (`Seen`) and summed (`PremiumComputation.BPURun`).
    struct Rules: PremiumRowRules {
        let fieldChecks: Check
        var seen = Seen()
        var run: PremiumComputation.BPURun

        struct Checked: Sendable {
            let fields: Fields
            /// The row's premiums, when its fields are valid on their own.
            let premiums: Result<BPULines, PremiumError>?
        }

        func check(_ row: CSVRow) -> Checked {
            let fields = fieldChecks.fields(row)
            return Checked(fields: fields, premiums: fields.valid.map(run.premiums))
        }

        mutating func take(_ checked: Checked, issues: inout [ImportIssue], computing: Bool) throws(PremiumRunRefusal) -> BPULine? {
            guard let valid = seen.row(checked.fields, issues: &issues), computing, let premiums = checked.premiums else { return nil }
            return try run.add(valid, premiums)
        }

        var totals: BPUTotals { run.totals }
        var unpriced: [ImportIssue] { run.issues }
    }
}

extension PremiumReading where Line == BPULine, Totals == BPUTotals {
    /// Reads the BPU file at `path` (naming it `file` in issues) window by window; throws if its
    /// header cannot be read. `windowsAtOnce` windows are checked side by side (1: one at a time);
    /// `expectedRows`, about how many rows it has, sizes what is kept of them once.
    public convenience init(path: String, file: String, period: Period, rates: PremiumRates,
                            windowsAtOnce: Int = PremiumReading.windowsAtOnce, expectedRows: Int = 0) throws(ImportFailure) {
        try self.init(CSVWindows.opening(path: path, file: file), period: period, rates: rates, windowsAtOnce: windowsAtOnce,
                      expectedRows: expectedRows)
    }

    /// Reads a BPU file held in memory, window by window as a file on disk is.
    public convenience init(bytes: [UInt8], file: String, period: Period, rates: PremiumRates,
                            windowsAtOnce: Int = PremiumReading.windowsAtOnce, expectedRows: Int = 0) throws(ImportFailure) {
        try self.init(CSVWindows(bytes: bytes, file: file), period: period, rates: rates, windowsAtOnce: windowsAtOnce,
                      expectedRows: expectedRows)
    }

    private convenience init(_ windows: CSVWindows, period: Period, rates: PremiumRates, windowsAtOnce: Int,
                             expectedRows: Int) throws(ImportFailure) {
        let run = PremiumComputation.BPURun(period: period, rates: rates, file: windows.file)
        try self.init(windows, required: BPUFile.required, optional: [], windowsAtOnce: windowsAtOnce) { columns in
            BPUFile.Rules(fieldChecks: BPUFile.Check(columns: columns), seen: BPUFile.Seen(capacity: expectedRows), run: run)
        }
    }
}
