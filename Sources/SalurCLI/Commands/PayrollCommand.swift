import ArgumentParser
import Foundation
import SalurConfig
import SalurCore
import SalurReports
import SalurStore

struct PayrollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payroll",
        abstract: "BPJS Ketenagakerjaan premiums of contract staff: import a payroll, the deductions file, the report, the remittance.",
        discussion: "Every premium line is the wage (for JP, the wage up to the ceiling in force) times its rate, rounded half up "
            + "to the rupiah on its own; totals are sums of those lines. Rates come from the built-in table, or the file [premiums] rates_file names (see `salurctl premiums rates`).",
        subcommands: [Import.self, Deductions.self, Report.self, Remit.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a period's payroll (employee_id,nik,name,work_unit,gross_wage[,risk_class]) under an agreement; all or nothing.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The CSV file.") var file: String
        @Option(help: "The payroll period, YYYY-MM.") var period: String
        @Option(help: "The agreement (PKS) the staff are insured under.") var agreement: String
        @Flag(help: "Replace the period's payroll imported from another file (only until its remittance is posted).") var replace = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let period = try PremiumCLI.period(period)
            let configuration = try global.load()
            let ledger = try await PremiumCLI.ledger(configuration)
            let terms = try await ledger.agreement(id: agreement).agreement
            let result = try await PremiumCLI.refusals {
                guard terms.covers(period) else { throw PremiumRunRefusal.periodOutsideAgreement(agreement: terms, period: period) }
                let rates = try BPJSRatesFile.load(configured: configuration.premiums.ratesFile)
                // A file on disk is read, checked, computed and stored a window at a time, in one
                // transaction; a bad line anywhere still imports nothing.
                let input = try WindowedInput(file)
                let reading = if let bytes = input.bytes {
                    try PayrollFile.Reading(bytes: bytes, file: file, agreement: terms, period: period, rates: rates,
                        expectedRows: input.rows)
                } else {
                    try PayrollFile.Reading(path: file, file: file, agreement: terms, period: period, rates: rates,
                        expectedRows: input.rows)
                }
                let bar = ProgressBar.onStandardError("importing \(TerminalText.escaped(file))", total: input.rows, quiet: json)
                reading.onRowsTaken = { bar.update(done: $0) }
                return try await bar.around(total: input.rows) {
                    try await ledger.importPayroll(agreementID: terms.id, period: period, file: reading, source: input.source,
                                                  replace: replace, actor: OperatorIdentity.current())
                }
            }
            PremiumCLI.printImport(result, json: json, what: "employees")
            if json { try Output.json(ImportJSON(result)) }
        }
    }

    struct Deductions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One row per employee: wage, every premium line, employer_total, and employee_total (what payroll deducts from net pay).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The payroll period, YYYY-MM.") var period: String
        @Option(help: "The agreement, when several have a payroll for the period.") var agreement: String?
        @Option(help: "csv, json or xlsx (an Excel workbook: a summary sheet, the totals per programme, the deductions).") var format = "csv"
        @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?

        static let columns = ["employee_id", "nik", "name", "work_unit", "wage", "jkk", "jkm", "jht_employer", "jht_employee",
                              "jp_employer", "jp_employee", "employer_total", "employee_total"]

        func validate() throws {
            guard ["csv", "json", "xlsx"].contains(format) else { throw ValidationError("--format must be csv, json or xlsx") }
            try ExportCommand.refuseWorkbookOnTerminal(format: format, output: output)
        }

        func run() async throws {
            let period = try PremiumCLI.period(period)
            let (run, rows) = try await PremiumCLI.refusals { try await global.store(.readOnly).payrollDeductions(agreementID: agreement, period: period) }
            var totals = PremiumTotals()
            for row in rows { try totals.add(wage: row.wage, row.premiums) }
            let bytes: [UInt8]
            if format == "json" {
                let document = DeductionsJSON(agreement: run.agreementID ?? "", period: period.description, revision: run.revision,
                                              rows: rows.map(DeductionJSON.init), totals: TotalsJSON(totals))
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                bytes = Array(try encoder.encode(document)) + [0x0A]
            } else if format == "xlsx" {
                let summary = PremiumWorkbook.summary(agreement: run.agreementID ?? "", employer: nil, period: period, revision: run.revision,
                                                      source: run.sourcePath, totals: totals, remittance: nil)
                let book = Workbook([
                    .init("Summary", summary), .init("By programme", PremiumWorkbook.programmes(totals, covered: Set(Programme.allCases))),
                    .init("Deductions", PremiumWorkbook.deductions(rows, columns: Self.columns)),
                ])
                let bar = ProgressBar.onStandardError("writing the workbook", total: book.sheets.reduce(0) { $0 + $1.table.rows.count },
                                                      quiet: false)
                defer { bar.finish() }
                bytes = try ExportCommand.xlsx(book, progress: bar.advance)
            } else {
                let bar = ProgressBar.onStandardError("writing", total: rows.count, quiet: false)
                defer { bar.finish(done: rows.count) }
                var writer = CSVWriter()
                writer.write(Self.columns)
                for (index, row) in rows.enumerated() {
                    if (index + 1) % 10_000 == 0 { bar.advance(by: 10_000) }
                    let p = row.premiums
                    writer.write([.text(row.employeeID), .numeral(row.nik), .text(row.name), .text(row.workUnit)]
                                 + [row.wage, p.jkk, p.jkm, p.jhtEmployer, p.jhtEmployee, p.jpEmployer, p.jpEmployee,
                                    p.employerTotal, p.employeeTotal].map { CSVCell.number($0.value) })
                }
                bytes = writer.output
            }
            if let output { try Output.writeAtomically(bytes, to: output) } else { FileHandle.standardOutput.write(Data(bytes)) }
            PremiumCLI.note("\(Output.grouped(rows.count)) employees, \(period) of agreement \(run.agreementID ?? ""): deducted from pay "
                            + "(employee_total) Rp \(totals.employeeTotal.grouped), employer Rp \(totals.employerTotal.grouped), "
                            + "grand total Rp \(totals.grandTotal.grouped); sha256 \(AuditChain.sha256Hex(bytes))")
        }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lines, employer and employee totals per programme, headcount per work unit, and the grand total due to BPJS.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The payroll period, YYYY-MM.") var period: String
        @Option(help: "The agreement, when several have a payroll for the period.") var agreement: String?
        @Option(help: "Show only this breakdown: work_unit or programme (default both; --json always has both).") var by: String?
        @Flag(help: "Print JSON.") var json = false
        @Option(help: "text, json or xlsx (an Excel workbook: a summary sheet, the totals per programme and per work unit).")
        var format: String?
        @Option(name: .shortAndLong, help: "With --format xlsx: write the workbook to this file.") var output: String?

        func validate() throws {
            if let by, !["work_unit", "programme"].contains(by) { throw ValidationError("--by must be work_unit or programme") }
            if let format, !["text", "json", "xlsx"].contains(format) { throw ValidationError("--format must be text, json or xlsx") }
            if json && (format ?? "json") != "json" { throw ValidationError("--json is --format json; give one of them") }
            try ExportCommand.refuseWorkbookOnTerminal(format: format ?? "", output: output)
        }

        func run() async throws {
            let period = try PremiumCLI.period(period)
            let report = try await PremiumCLI.refusals { try await global.store(.readOnly).payrollReport(agreementID: agreement, period: period) }
            if json || format == "json" { return try Output.json(ReportJSON(report)) }
            let a = report.agreement, t = report.totals, run = report.run
            let remittance = run.remittance.map { "\($0.partnerReferenceNo) \($0.state)" + ($0.batchID.map { " (batch \($0))" } ?? "") }
            if format == "xlsx" {
                let summary = PremiumWorkbook.summary(agreement: a.id, employer: a.employer, period: period, revision: run.revision,
                                                      source: run.sourcePath, totals: t, remittance: remittance ?? "not queued")
                let bytes = try ExportCommand.xlsx(Workbook([
                    .init("Summary", summary), .init("By programme", PremiumWorkbook.programmes(t, covered: a.programmes)),
                    .init("By work unit", PremiumWorkbook.workUnits(report)),
                ]))
                if let output { try Output.writeAtomically(bytes, to: output) } else { FileHandle.standardOutput.write(Data(bytes)) }
                PremiumCLI.note("payroll report \(period), agreement \(a.id): grand total Rp \(t.grandTotal.grouped); "
                                + "sha256 \(AuditChain.sha256Hex(bytes))")
                return
            }
            print("payroll \(period), agreement \(a.id) (\(a.employer)), revision \(run.revision) from \(run.sourcePath)")
            print("\(Output.grouped(t.lines)) lines, wages Rp \(t.wage.grouped)")
            if by != "work_unit" {
                let covered = t.byProgramme.filter { a.programmes.contains($0.programme) }
                print("")
                print(Output.table(["PROGRAMME", "EMPLOYER", "EMPLOYEE", "TOTAL"],
                                   covered.map { [$0.programme.rawValue, $0.employer.grouped, $0.employee.grouped, $0.total.grouped] }
                                   + [["total", t.employerTotal.grouped, t.employeeTotal.grouped, t.grandTotal.grouped]],
                                   right: [1, 2, 3]))
            }
            if by != "programme" {
                print("")
                print(Output.table(["WORK UNIT", "HEADCOUNT", "EMPLOYER", "EMPLOYEE", "TOTAL"], report.workUnits.map {
                    [$0.workUnit, Output.grouped($0.headcount), $0.employerTotal.grouped, $0.employeeTotal.grouped, $0.total.grouped]
                } + [["total", Output.grouped(t.lines), t.employerTotal.grouped, t.employeeTotal.grouped, t.grandTotal.grouped]],
                                   right: [1, 2, 3, 4]))
            }
            print("")
            print("grand total to BPJS Ketenagakerjaan: \(t.grandTotal), due \(period.remittanceDueDate); remittance: "
                  + (remittance ?? "not queued (salurctl payroll remit --period \(period))"))
        }
    }

    struct Remit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue the period's grand total to the agreement's BPJS account: one interbank transfer, in a batch a checker approves.",
            discussion: "Due the 15th of the following month; a late period is warned about with BPJS's penalty of 2 % per month late "
                + "(information only: the transfer is the premiums). A second remit for the same period queues nothing.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The payroll period, YYYY-MM.") var period: String
        @Option(help: "The agreement, when several have a payroll for the period.") var agreement: String?
        @Option(help: "Measure lateness from this day, YYYY-MM-DD (default: today's local date).") var today: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let period = try PremiumCLI.period(period)
            let day = try PremiumCLI.today(today)
            let configuration = try global.load()
            let ledger = try await PremiumCLI.ledger(configuration)
            let result = try await PremiumCLI.refusals {
                try await ledger.remitPayroll(agreementID: agreement, period: period, actor: OperatorIdentity.current(),
                                        rules: configuration.batchingRules)
            }
            try PremiumCLI.printRemit(result, today: day, json: json)
        }
    }
}

/// What the premium commands share: loading, dates, refusals and their exit codes, and output.
enum PremiumCLI {
    /// `agreements list` warns this many days or fewer before an agreement ends.
    static let renewalNoticeDays = 60

    /// The store `[database]` names: the SQLite file or PostgreSQL.
    static func ledger(_ configuration: SalurConfiguration) async throws -> any SalurStoreBackend {
        try await configuration.openStore(access: .create).store
    }

    static func period(_ text: String) throws -> Period {
        switch Period.operatorPeriod(text) {
        case .success(let period): return period
        case .failure(let refusal): throw CLIError("--period: \(refusal)", exit: .usage)
        }
    }

    /// `--today`, else the local date of this machine (the treasury's time zone).
    static func today(_ text: String?) throws -> CalendarDate {
        if let text {
            guard let day = CalendarDate(text) else { throw CLIError("--today must be YYYY-MM-DD, found \(text)", exit: .usage) }
            return day
        }
        let parts = Calendar.current.dateComponents([.year, .month, .day], from: Date())
        guard let day = CalendarDate(year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0) else {
            throw CLIError("cannot read today's date from the system clock")
        }
        return day
    }

    /// Options that make bad terms: exit 2, naming the option.
    static func terms<T>(_ body: () throws(TermsError) -> T) throws -> T {
        do { return try body() } catch { throw CLIError(error.description, exit: .usage) }
    }

    /// Runs `body`, turning refusals of the data into exit 65 and refusals of the state into exit 1.
    static func refusals<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let refusal as PremiumRunRefusal {
            throw CLIError(refusal.description, exit: .dataError)
        } catch let error as PremiumRunError {
            if case .overdraw = error { throw CLIError(error.description, exit: .dataError) }
            throw CLIError(error.description, exit: .failure)
        } catch let error as MoneyError {
            throw CLIError(error.description, exit: .dataError)
        }
    }

    static func warn(_ text: String) { FileHandle.standardError.write(Data("warning: \(text)\n".utf8)) }
    static func note(_ text: String) { FileHandle.standardError.write(Data("\(text)\n".utf8)) }

    static func programmes(_ agreement: Agreement) -> String { agreement.orderedProgrammes.map(\.rawValue).joined(separator: "+") }

    static func periods(_ agreement: Agreement) -> String {
        guard let first = agreement.firstPeriod, let last = agreement.lastPeriod else { return "none" }
        return "\(first) to \(last)"
    }

    static func runsTable(_ runs: [PremiumRunSummary]) -> String {
        if runs.isEmpty { return "no runs imported yet" }
        return Output.table(["PERIOD", "REV", "LINES", "GRAND TOTAL", "DUE", "REMITTANCE", "STATE", "IMPORTED BY", "FILE"], runs.map { r in
            [r.period.description, String(r.revision), Output.grouped(r.lines), r.grandTotal.grouped, r.period.remittanceDueDate.description,
             r.remittance?.partnerReferenceNo ?? "-", r.remittance?.state ?? "not queued", r.importedBy, r.sourcePath]
        }, right: [1, 2, 3])
    }

    static func printImport(_ result: PremiumImportResult, json: Bool, what: String) {
        let run = result.run
        if case .replaced(_, let cancelled?) = result.outcome {
            warn("the queued remittance \(cancelled.partnerReferenceNo) (\(cancelled.amount)"
                 + (cancelled.batchID.map { ", batch \($0)" } ?? "") + ") was cancelled with the replaced payroll; queue the new total with "
                 + "`salurctl \(run.kind == .payroll ? "payroll remit --period \(run.period)" : "bpu remit --period \(run.period) --budget \(run.budgetID ?? "")")`")
        }
        guard !json else { return }
        let noun = run.lines == 1 ? String(what.dropLast()) : what
        let head = "\(run.sourcePath): \(Output.grouped(run.lines)) \(noun) for \(run.period) under \(run.owner)"
        let money = run.kind == .payroll
            ? "employer Rp \(run.employerTotal.grouped), deducted from pay Rp \(run.employeeTotal.grouped), grand total Rp \(run.grandTotal.grouped)"
            : "premiums Rp \(run.grandTotal.grouped) drawn from the envelope"
        switch result.outcome {
        case .unchanged:
            print("\(head): already imported from the same file (revision \(run.revision)); nothing changed.")
        case .imported:
            print("\(head): \(money), due to BPJS Ketenagakerjaan by \(run.period.remittanceDueDate).")
        case .replaced(let previous, _):
            print("\(head): replaced revision \(previous) with revision \(run.revision): \(money), due by \(run.period.remittanceDueDate).")
        }
    }

    static func printRemit(_ result: RemitResult, today: CalendarDate, json: Bool) throws {
        let run = result.run, remittance = result.remittance
        let lateness = RemittanceLateness(period: run.period, today: today)
        var penalty: Rupiah?
        if lateness.isLate, remittance.state != "settled" {
            let amount = try lateness.penalty(on: run.grandTotal)
            penalty = amount
            warn("\(run.period) is late: due \(lateness.dueDate), today \(today), \(lateness.monthsLate) month\(lateness.monthsLate == 1 ? "" : "s") "
                 + "late; BPJS Ketenagakerjaan charges a penalty (denda) of 2 % per month late, about \(amount) on \(run.grandTotal) "
                 + "(information only: not added to the transfer)")
        }
        if json { return try Output.json(RemitJSON(result, lateness: lateness, penalty: penalty)) }
        let account = "BPJS Ketenagakerjaan account \(Validate.maskedAccount(result.beneficiaryAccount)) (bank \(result.beneficiaryBankCode))"
        if !result.queued {
            print("nothing queued: the remittance for \(run.period) of \(run.owner) is already queued: \(remittance.partnerReferenceNo), "
                  + "\(remittance.amount), \(remittance.state)" + (remittance.batchID.map { ", batch \($0)" } ?? "") + ".")
            return
        }
        let batch = remittance.batchID.map { id in
            remittance.state == "awaiting_approval" ? "batch \(id), awaiting a checker's approval (salurctl batches approve \(id))" : "batch \(id), \(remittance.state)"
        } ?? remittance.state
        print("queued remittance \(remittance.partnerReferenceNo): \(remittance.amount) to \(account) for \(run.period) of \(run.owner), "
              + "\(batch); due \(lateness.dueDate).")
    }
}

/// A premium run in `--json` output.
struct RunJSON: Encodable {
    let kind, period, source_path, source_sha256, imported_by, imported_at, due_date: String
    let agreement, budget: String?
    let revision, lines: Int
    let employer_total, employee_total, grand_total: Int64
    let remittance: RemittanceJSON?

    init(_ r: PremiumRunSummary) {
        kind = r.kind.rawValue; period = r.period.description; source_path = r.sourcePath; source_sha256 = r.sourceSHA256
        imported_by = r.importedBy; imported_at = r.importedAt; due_date = r.period.remittanceDueDate.description
        agreement = r.agreementID; budget = r.budgetID; revision = r.revision; lines = r.lines
        employer_total = r.employerTotal.value; employee_total = r.employeeTotal.value; grand_total = r.grandTotal.value
        remittance = r.remittance.map(RemittanceJSON.init)
    }
}

/// A remittance transfer in `--json` output.
struct RemittanceJSON: Encodable {
    let partner_reference_no, state: String
    let batch: String?
    let amount: Int64
    let attempts: Int
    let settled_at: String?

    init(_ r: RemittanceStatus) {
        partner_reference_no = r.partnerReferenceNo; state = r.state; batch = r.batchID; amount = r.amount.value
        attempts = r.attempts; settled_at = r.settledAt
    }
}

/// `payroll import --json` / `bpu import --json`.
struct ImportJSON: Encodable {
    let outcome: String
    let previous_revision: Int?
    let cancelled_remittance: RemittanceJSON?
    let run: RunJSON

    init(_ result: PremiumImportResult) {
        switch result.outcome {
        case .imported: outcome = "imported"; previous_revision = nil; cancelled_remittance = nil
        case .unchanged: outcome = "unchanged"; previous_revision = nil; cancelled_remittance = nil
        case .replaced(let previous, let cancelled):
            outcome = "replaced"; previous_revision = previous; cancelled_remittance = cancelled.map(RemittanceJSON.init)
        }
        run = RunJSON(result.run)
    }
}

/// `payroll remit --json` / `bpu remit --json`.
struct RemitJSON: Encodable {
    let queued: Bool
    let period, due_date, beneficiary_account, beneficiary_bank_code: String
    let agreement, budget: String?
    let amount: Int64
    let remittance: RemittanceJSON
    let batches: [String]
    let months_late: Int
    let penalty_information: Int64?

    init(_ r: RemitResult, lateness: RemittanceLateness, penalty: Rupiah?) {
        queued = r.queued; period = r.run.period.description; due_date = lateness.dueDate.description
        beneficiary_account = r.beneficiaryAccount; beneficiary_bank_code = r.beneficiaryBankCode
        agreement = r.run.agreementID; budget = r.run.budgetID; amount = r.remittance.amount.value
        remittance = RemittanceJSON(r.remittance); batches = r.batches; months_late = lateness.monthsLate
        penalty_information = penalty?.value
    }
}

/// Premium totals in `--json` output; every total is a sum of lines.
struct TotalsJSON: Encodable {
    let lines: Int
    let wage, jkk, jkm, jht_employer, jht_employee, jp_employer, jp_employee, employer_total, employee_total, grand_total: Int64

    init(_ t: PremiumTotals) {
        lines = t.lines; wage = t.wage.value; jkk = t.jkk.value; jkm = t.jkm.value; jht_employer = t.jhtEmployer.value
        jht_employee = t.jhtEmployee.value; jp_employer = t.jpEmployer.value; jp_employee = t.jpEmployee.value
        employer_total = t.employerTotal.value; employee_total = t.employeeTotal.value; grand_total = t.grandTotal.value
    }
}

/// One row of `payroll deductions --format json`: the CSV's columns as keys.
struct DeductionJSON: Encodable {
    let employee_id, nik, name, work_unit: String
    let risk_class: Int
    let wage, jkk, jkm, jht_employer, jht_employee, jp_employer, jp_employee, employer_total, employee_total: Int64

    init(_ row: DeductionRow) {
        let p = row.premiums
        employee_id = row.employeeID; nik = row.nik; name = row.name; work_unit = row.workUnit; risk_class = row.riskClass
        wage = row.wage.value; jkk = p.jkk.value; jkm = p.jkm.value; jht_employer = p.jhtEmployer.value
        jht_employee = p.jhtEmployee.value; jp_employer = p.jpEmployer.value; jp_employee = p.jpEmployee.value
        employer_total = p.employerTotal.value; employee_total = p.employeeTotal.value
    }
}

/// `payroll deductions --format json`.
struct DeductionsJSON: Encodable {
    let agreement, period: String
    let revision: Int
    let rows: [DeductionJSON]
    let totals: TotalsJSON
}

/// `payroll report --json`.
struct ReportJSON: Encodable {
    struct ProgrammeJSON: Encodable {
        let programme: String
        let covered: Bool
        let employer, employee, total: Int64
    }
    struct WorkUnitJSON: Encodable {
        let work_unit: String
        let headcount: Int
        let employer_total, employee_total, total: Int64
    }

    let agreement, employer, period, due_date, source_path: String
    let revision, lines: Int
    let wage_total, employer_total, employee_total, grand_total: Int64
    let programmes: [ProgrammeJSON]
    let work_units: [WorkUnitJSON]
    let remittance: RemittanceJSON?

    init(_ report: PayrollReport) {
        let t = report.totals, a = report.agreement
        agreement = a.id; employer = a.employer; period = report.run.period.description
        due_date = report.run.period.remittanceDueDate.description; source_path = report.run.sourcePath
        revision = report.run.revision; lines = t.lines; wage_total = t.wage.value
        employer_total = t.employerTotal.value; employee_total = t.employeeTotal.value; grand_total = t.grandTotal.value
        programmes = t.byProgramme.map {
            ProgrammeJSON(programme: $0.programme.rawValue, covered: a.programmes.contains($0.programme),
                          employer: $0.employer.value, employee: $0.employee.value, total: $0.total.value)
        }
        work_units = report.workUnits.map {
            WorkUnitJSON(work_unit: $0.workUnit, headcount: $0.headcount, employer_total: $0.employerTotal.value,
                         employee_total: $0.employeeTotal.value, total: $0.total.value)
        }
        remittance = report.run.remittance.map(RemittanceJSON.init)
    }
}
