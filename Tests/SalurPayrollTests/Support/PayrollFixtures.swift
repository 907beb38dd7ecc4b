import Foundation
import SalurSQLite
import Testing
import SalurConfig
import SalurCore
import SalurStore
import SalurTestSupport

/// The source tree's `config/bpjs-rates.toml`, the agreements of the issue, and payroll files.
enum PayrollFixture {
    static let ratesPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("config/bpjs-rates.toml").path

    /// The rates the project ships, loaded once.
    static let rates: PremiumRates = {
        do { return try BPJSRatesFile.load(path: ratesPath) } catch { preconditionFailure("\(ratesPath): \(error)") }
    }()

    static func day(_ text: String) -> CalendarDate { CalendarDate(text)! }
    static func period(_ text: String) -> Period { Period(text)! }

    /// Kota Kupang's PKS: JKK + JKM, risk class 1, 2021-04-10 to 2024-04-09.
    static let kupang = try! Agreement(
        id: "KUPANG-PKS-2021", employer: "Pemerintah Kota Kupang", programmes: [.jkk, .jkm], riskClass: .veryLow,
        validFrom: day("2021-04-10"), validTo: day("2024-04-09"), bpjsAccount: "0700000111222", bpjsBankCode: "009", workUnits: nil)

    /// Kota Kendari: all four programmes, risk class 2, four work units.
    static let kendari = try! Agreement(
        id: "KENDARI-PKS-2024", employer: "Pemerintah Kota Kendari", programmes: [.jkk, .jkm, .jht, .jp], riskClass: .low,
        validFrom: day("2024-01-01"), validTo: day("2025-12-31"), bpjsAccount: "0700000333444", bpjsBankCode: "009",
        workUnits: ["DLHK", "Satpol PP", "Damkar", "SDA"])

    /// Kendari's headcounts per work unit (the example): DLHK 501, Satpol PP 353, Damkar 217, SDA 10.
    static let kendariUnits: [(unit: String, count: Int)] = [("DLHK", 501), ("Satpol PP", 353), ("Damkar", 217), ("SDA", 10)]

    /// A valid NIK for person `index` (Kota Kendari region codes 7471xx), unique up to 20,000 people.
    static func nik(_ index: Int) -> String {
        let district = 1 + index % 10
        let serial = index / 10
        let day = 1 + serial % 28, month = 1 + (serial / 28) % 12, number = 1 + serial / 336
        func pad(_ value: Int, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(value).count)) + String(value) }
        return "7471" + pad(district, 2) + pad(day, 2) + pad(month, 2) + "90" + pad(number, 4)
    }

    /// A Kendari payroll with the headcounts (1,081 staff) unless `units` says otherwise;
    /// wages spread from Rp 2,500,000 to above the JP ceiling.
    static func kendariCSV(units: [(unit: String, count: Int)] = kendariUnits, wageOffset: Int = 0) -> String {
        var lines = ["employee_id,nik,name,work_unit,gross_wage"]
        var index = 0
        for (unit, count) in units {
            for _ in 0..<count {
                let wage = 2_500_000 + (index * 7_919 + wageOffset) % 9_000_000
                lines.append("PTT-\(index + 1),\(nik(index)),Pegawai \(index + 1),\(unit),\(wage)")
                index += 1
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A BPU file of `count` workers declaring `income` each.
    static func bpuCSV(count: Int, income: Int = 1_000_000) -> String {
        (["nik,name,occupation,declared_income"] + (0..<count).map { "\(nik($0)),Pekerja \($0 + 1),Nelayan,\(income)" })
            .joined(separator: "\n") + "\n"
    }

    static func source(_ name: String, _ text: String) -> SourceFile {
        SourceFile(path: name, sha256: AuditChain.sha256Hex(Array(text.utf8)))
    }

    static let rules = BatchingRules(maxItems: 500, maxAmount: Rupiah(10_000_000_000), approvalRequired: true)
}

/// A fresh ledger in its own temporary folder.
struct PayrollStore {
    let directory: String
    let ledger: SQLiteLedger

    init() throws {
        directory = NSTemporaryDirectory() + "salur-payroll-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        ledger = try SQLiteLedger(path: directory + "/salur.sqlite", clock: .testDay)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// Parses, computes and imports a payroll, as `salurctl payroll import` does.
    @discardableResult
    func importPayroll(_ csv: String, file: String = "payroll.csv", agreement: Agreement, period: String,
                       replace: Bool = false, actor: String = "maker") throws -> PremiumImportResult {
        let rows = try PayrollFile.parse(bytes: Array(csv.utf8), file: file, agreement: agreement)
        let run = try PremiumComputation.payroll(rows, agreement: agreement, period: Period(period)!, rates: PayrollFixture.rates, file: file)
        return try ledger.importPayroll(agreementID: agreement.id, period: Period(period)!, lines: run.lines, totals: run.totals,
                                        source: PayrollFixture.source(file, csv), replace: replace, actor: actor)
    }

    /// Parses, computes and imports a BPU run, as `salurctl bpu import` does.
    @discardableResult
    func importBPU(_ csv: String, file: String = "bpu.csv", budget: String, period: String, replace: Bool = false) throws -> PremiumImportResult {
        let rows = try BPUFile.parse(bytes: Array(csv.utf8), file: file)
        let run = try PremiumComputation.bpu(rows, period: Period(period)!, rates: PayrollFixture.rates, file: file)
        return try ledger.importBPU(budgetID: budget, period: Period(period)!, lines: run.lines, totals: run.totals,
                                    source: PayrollFixture.source(file, csv), replace: replace, actor: "maker")
    }
}
