extension PayrollFile {
    /// One window of a payroll, read, checked and computed.
    public typealias Part = PremiumPart<PayrollLine, PremiumTotals>

    /// A payroll being read, checked and computed a window at a time (see `PremiumReading`): the
    /// rows, issues and lines of `parse` and then `PremiumComputation.payroll` over the whole file.
    public typealias Reading = PremiumReading<PayrollLine, PremiumTotals>

    /// A payroll's rows checked on their own (`Check`) and their premiums computed, then in file
    /// order checked across rows (`Seen`) and summed (`PremiumComputation.PayrollRun`).
    struct Rules: PremiumRowRules {
        let fieldChecks: Check
        var seen = Seen()
        var run: PremiumComputation.PayrollRun

        struct Checked: Sendable {
            let fields: Fields
            /// The row's premiums, when its fields are valid on their own.
            let premiums: Result<PremiumLines, PremiumError>?
        }

        func check(_ row: CSVRow) -> Checked {
            let fields = fieldChecks.fields(row)
            return Checked(fields: fields, premiums: fields.valid.map(run.premiums))
        }

        mutating func take(_ checked: Checked, issues: inout [ImportIssue], computing: Bool) throws(PremiumRunRefusal) -> PayrollLine? {
            guard let valid = seen.row(checked.fields, issues: &issues), computing, let premiums = checked.premiums else { return nil }
            return try run.add(valid, premiums)
        }

        var totals: PremiumTotals { run.totals }
        var unpriced: [ImportIssue] { run.issues }
    }
}

extension PremiumReading where Line == PayrollLine, Totals == PremiumTotals {
    /// Reads the payroll at `path` (naming it `file` in issues) window by window; throws if its
    /// header cannot be read. `windowsAtOnce` windows are checked side by side (1: one at a time);
    /// `expectedRows`, about how many rows it has, sizes what is kept of them once.
    public convenience init(path: String, file: String, agreement: Agreement, period: Period,
                            rates: PremiumRates, windowsAtOnce: Int = PremiumReading.windowsAtOnce,
                            expectedRows: Int = 0) throws(ImportFailure) {
        try self.init(CSVWindows.opening(path: path, file: file), agreement: agreement, period: period, rates: rates,
                      windowsAtOnce: windowsAtOnce, expectedRows: expectedRows)
    }

    /// Reads a payroll held in memory, window by window as a file on disk is.
    public convenience init(bytes: [UInt8], file: String, agreement: Agreement, period: Period,
                            rates: PremiumRates, windowsAtOnce: Int = PremiumReading.windowsAtOnce,
                            expectedRows: Int = 0) throws(ImportFailure) {
        try self.init(CSVWindows(bytes: bytes, file: file), agreement: agreement, period: period, rates: rates,
                      windowsAtOnce: windowsAtOnce, expectedRows: expectedRows)
    }

    private convenience init(_ windows: CSVWindows, agreement: Agreement, period: Period, rates: PremiumRates,
                             windowsAtOnce: Int, expectedRows: Int) throws(ImportFailure) {
        let run = PremiumComputation.PayrollRun(agreement: agreement, period: period, rates: rates, file: windows.file)
        try self.init(windows, required: PayrollFile.required, optional: PayrollFile.optional, windowsAtOnce: windowsAtOnce) { columns in
            PayrollFile.Rules(fieldChecks: PayrollFile.Check(agreement: agreement, columns: columns),
                              seen: PayrollFile.Seen(capacity: expectedRows), run: run)
        }
    }
}
