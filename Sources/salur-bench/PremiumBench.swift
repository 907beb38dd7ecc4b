import ArgumentParser
import Foundation
import SalurCLI
import SalurConfig
import SalurCore
import SalurSQLite
import SalurStore

/// Issue figures: computing and storing BPJS premiums for a large payroll — read and validate the
/// CSV, compute every line (each rounded on its own), store run and lines in one transaction — as
/// an operator runs it, `salurctl payroll import` on a file (a child process: its time and its own
/// peak RSS), beside the same work done in memory in this process (the file parsed whole, then
/// computed, then stored), and the report over the stored lines.
struct PremiumBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "premium", abstract: "Compute and store BPJS premiums for 1,000,000 payroll lines (goal ≤ 3 s, ≤ 256 MiB).")

    @Option(help: "How many payroll lines.") var lines = 1_000_000
    @Option(help: "Folder for the files (default: the temporary folder); use the disk the database will live on.") var dir: String?
    @Option(help: "The BPJS rates file (default: config/bpjs-rates.toml of this source tree).") var rates: String?
    /// Keeps the folder (its path printed), with `fresh.sqlite`, the database before the import, to profile
    /// `salurctl payroll import` by hand.
    @Flag(help: .hidden) var keep = false

    static let workUnits = ["DLHK", "Satpol PP", "Damkar", "SDA", "Dinkes", "Disdik", "Dishub", "BPKAD"]

    /// The goals of issue 16.
    static let goalSeconds = 3.0
    static let goalRSSMiB = 256.0

    func run() async throws {
        guard lines > 0 else { throw ValidationError("--lines must be above zero") }
        let salurctl = (CommandLine.arguments[0] as NSString).deletingLastPathComponent + "/salurctl"
        guard FileManager.default.isExecutableFile(atPath: salurctl) else {
            throw ValidationError("salurctl not found at \(salurctl): build it in the same configuration (swift build -c release)")
        }
        let folder = try Bench.folder(dir, "premium")
        defer { if keep { print("kept \(folder)") } else { try? FileManager.default.removeItem(atPath: folder) } }
        let ratesPath = rates ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/bpjs-rates.toml").path
        let table = try BPJSRatesFile.load(path: ratesPath)

        let (csv, generate) = Bench.time { Self.payrollCSV(lines: lines) }
        let file = folder + "/payroll.csv"
        try Data(csv).write(to: URL(fileURLWithPath: file))
        print("generated a payroll of \(lines) lines (\(csv.count / 1_048_576) MiB) in \(Bench.f(generate)) s")

        let agreement = try Agreement(id: "BENCH-PKS", employer: "Pemerintah Kota Kendari", programmes: [.jkk, .jkm, .jht, .jp],
                                      riskClass: .low, validFrom: CalendarDate("2024-01-01")!, validTo: CalendarDate("2025-12-31")!,
                                      bpjsAccount: "1234567890", bpjsBankCode: "009", workUnits: Self.workUnits)
        let period = Period("2024-05")!

        // `salurctl payroll import FILE` as an operator runs it: the file read, checked, computed
        // and stored a window at a time.
        let database = folder + "/salur/salur.sqlite"
        _ = try SQLiteLedger(path: database).addAgreement(agreement, actor: "bench")
        let config = folder + "/salur.toml"
        try "[database]\npath = \"\(database)\"\n\n[premiums]\nrates_file = \"\(ratesPath)\"\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        if keep { try FileManager.default.copyItem(atPath: database, toPath: folder + "/fresh.sqlite") }
        let imported = try Self.child(salurctl, ["payroll", "import", file, "--period", period.description, "--agreement", agreement.id,
                                                 "--config", config], folder: folder)
        guard imported.status == 0 else { throw ValidationError("salurctl payroll import exited \(imported.status)") }
        print("salurctl payroll import: \(Bench.f(imported.seconds)) s, \(Bench.f(Double(lines) / imported.seconds, 0)) lines/s, "
              + "peak RSS \(Bench.f(imported.peakMiB, 0)) MiB (goal ≤ \(Bench.f(Self.goalSeconds, 0)) s and "
              + "≤ \(Bench.f(Self.goalRSSMiB, 0)) MiB at 1,000,000)")
        // Reading, checking and computing alone, in this process: windows checked side by side (as
        // salurctl does), and one window at a time (as the streamed import did before).
        func readOnly(windowsAtOnce: Int) throws -> (PremiumTotals, Double) {
            try Bench.time { () throws -> PremiumTotals in
                let reading = try PayrollFile.Reading(path: file, file: file, agreement: agreement, period: period, rates: table,
                                                      windowsAtOnce: windowsAtOnce, expectedRows: lines)
                while reading.nextPart() != nil {}
                return try reading.finish()
            }
        }
        let (checked, checkOnly) = try readOnly(windowsAtOnce: PayrollFile.Reading.windowsAtOnce)
        let (checkedOne, checkOne) = try readOnly(windowsAtOnce: 1)
        print("  reading, checking and computing alone: \(Bench.f(checkOnly)) s with \(PayrollFile.Reading.windowsAtOnce) windows "
              + "side by side; baseline one window at a time \(Bench.f(checkOne)) s (the storing overlaps either)")

        // Baseline, in this process: the file parsed whole, every line computed, then stored.
        let ledger = try SQLiteLedger(path: folder + "/memory/salur.sqlite")
        _ = try ledger.addAgreement(agreement, actor: "bench")
        let (rows, parse) = try Bench.time { try PayrollFile.parse(bytes: csv, file: file, agreement: agreement) }
        let (run, compute) = try Bench.time { try PremiumComputation.payroll(rows, agreement: agreement, period: period, rates: table, file: file) }
        let (_, store) = try Bench.time {
            try ledger.importPayroll(agreementID: agreement.id, period: period, lines: run.lines, totals: run.totals,
                                     source: SourceFile(path: file, sha256: AuditChain.sha256Hex(csv)), replace: false, actor: "bench")
        }
        let total = parse + compute + store
        print("baseline in memory:      \(Bench.f(total)) s (parse+validate \(Bench.f(parse)) s, compute \(Bench.f(compute)) s, "
              + "store \(Bench.f(store)) s), peak RSS of this process \(Bench.f(Bench.peakRSSMiB(), 0)) MiB (with the generated file)")

        let streamed = try SQLiteLedger(path: database)
        let (report, reportTime) = try Bench.time { try streamed.payrollReport(agreementID: agreement.id, period: period) }
        print("payroll report:  \(Bench.f(reportTime * 1000, 0)) ms; grand total \(report.totals.grandTotal) over \(report.totals.lines) lines "
              + "(in memory \(run.totals.grandTotal): \(report.totals == run.totals && checked == run.totals && checkedOne == run.totals ? "equal" : "DIFFERENT"))")

        // `salurctl bpu import` of as many workers, read a window at a time like the payroll.
        let bpu = Self.bpuCSV(workers: lines)
        let bpuFile = folder + "/bpu.csv"
        try Data(bpu).write(to: URL(fileURLWithPath: bpuFile))
        let budget = try BudgetEnvelope(id: "BENCH-BPU", agency: "Distransnaker", year: 2024, amount: Rupiah(1_000_000_000_000_000),
                                        bpjsAccount: "1234567890", bpjsBankCode: "009")
        _ = try SQLiteLedger(path: database).addBudget(budget, actor: "bench")
        let bpuImport = try Self.child(salurctl, ["bpu", "import", bpuFile, "--period", period.description, "--budget", budget.id,
                                                  "--config", config], folder: folder)
        guard bpuImport.status == 0 else { throw ValidationError("salurctl bpu import exited \(bpuImport.status)") }
        let bpuRun = try streamed.premiumRuns(kind: .bpu, owner: budget.id).first
        print("salurctl bpu import of \(lines) workers (\(bpu.count / 1_048_576) MiB): \(Bench.f(bpuImport.seconds)) s, "
              + "peak RSS \(Bench.f(bpuImport.peakMiB, 0)) MiB; \(bpuRun?.lines ?? 0) lines stored")
    }

    /// `salurctl` run through /usr/bin/time, which forks: a child spawned straight from this process
    /// starts its peak RSS at this process's (posix_spawn shares its memory until exec).
    static func child(_ salurctl: String, _ arguments: [String], folder: String) throws -> (status: Int32, seconds: Double, peakMiB: Double) {
        let peakFile = folder + "/salurctl.peak"
        let run = try Bench.child("/usr/bin/time", ["-f", "%M", "-o", peakFile, salurctl] + arguments, quiet: true)
        let peakKiB = Double((try? String(contentsOfFile: peakFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        return (run.status, run.seconds, peakKiB / 1024)
    }

    /// `nik,name,occupation,declared_income`: incomes from Rp 1,000,000 to about Rp 10,000,000.
    static func bpuCSV(workers: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(workers * 56)
        out.append(contentsOf: "nik,name,occupation,declared_income\n".utf8)
        let occupations = ["Nelayan", "Petani", "Pengemudi ojek", "Pedagang"]
        for index in 0..<workers {
            let income = 1_000_000 + (index * 7_919) % 9_000_000
            let line = "\(DemoData.nik(index, female: index % 2 == 1)),Pekerja \(index + 1),\(occupations[index % occupations.count]),\(income)\n"
            out.append(contentsOf: line.utf8)
        }
        return out
    }

    /// `employee_id,nik,name,work_unit,gross_wage`: wages from Rp 2,500,000 to about Rp 14,000,000, so some
    /// lines exceed the JP ceiling; one row in ten carries its own risk class.
    static func payrollCSV(lines: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(lines * 64)
        out.append(contentsOf: "employee_id,nik,name,work_unit,gross_wage,risk_class\n".utf8)
        var random = UInt64(0x5A1A_2024)
        for index in 0..<lines {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let wage = 2_500_000 + Int((random >> 33) % 11_500_000)
            let riskClass = index % 10 == 0 ? String(1 + index % 5) : ""
            let line = "PTT-\(index + 1),\(DemoData.nik(index, female: index % 2 == 1)),Pegawai \(index + 1),"
                + "\(workUnits[index % workUnits.count]),\(wage),\(riskClass)\n"
            out.append(contentsOf: line.utf8)
        }
        return out
    }
}
