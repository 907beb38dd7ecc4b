import Foundation
import SalurTestSupport
import Testing

/// `payroll deductions --format xlsx` and `payroll report --format xlsx`, read back independently.
@Suite("salurctl payroll workbooks", .timeLimit(.minutes(5)))
struct PayrollWorkbookTests {
    @Test("deductions and report as workbooks: summary of control totals, per programme, per employee and work unit")
    func workbooks() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        #expect(try await ws.run(["agreements", "add"], PayrollCommandTests.kendari).status == 0)
        try ws.dir.write("payroll.csv", PayrollCommandTests.payroll(8))
        let imported = try await ws.run(["payroll", "import"], ["payroll.csv", "--period", "2024-03", "--agreement", "KENDARI-PKS-2024"])
        #expect(imported.status == 0, "\(imported)")
        let json = try await ws.run(["payroll", "report"], ["--period", "2024-03", "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let grand = try #require(report["grand_total"] as? Int)

        let deductions = try await ws.run(["payroll", "deductions"], ["--period", "2024-03", "--format", "xlsx", "-o", "deductions.xlsx"])
        #expect(deductions.status == 0, "\(deductions)")
        let book = try await XLSXDump.read(ws.dir.file("deductions.xlsx"))
        #expect(book.sheets.map(\.name) == ["Summary", "By programme", "Deductions"])
        let summary = try #require(book.sheet("Summary"))
        #expect(summary.row("grand_total (due to BPJS Ketenagakerjaan)")?[2]?.number == Double(grand))
        #expect(summary.row("employees")?[1]?.number == 8)
        let rows = try #require(book.sheet("Deductions"))
        #expect(rows.rows.count == 9 && rows.frozen == "A2")
        let nik = try #require(rows.column("nik")), wage = try #require(rows.column("wage")), jp = try #require(rows.column("jp_employer"))
        #expect(rows.rows[1][nik]?.isText == true && rows.rows[1][nik]?.text == PayrollCommandTests.nik(0))
        #expect(rows.rows[1][wage]?.format == "#,##0" && rows.rows[1][jp]?.format == "#,##0")
        let employeeTotal = try #require(rows.column("employee_total"))
        let deducted = rows.rows.dropFirst().compactMap { $0[employeeTotal]?.number }.reduce(0, +)
        #expect(summary.row("employee_total (deducted from pay)")?[2]?.number == deducted)
        let programmes = try #require(book.sheet("By programme"))
        #expect(programmes.row("total")?[3]?.number == Double(grand))

        let reportBook = try await ws.run(["payroll", "report"], ["--period", "2024-03", "--format", "xlsx", "-o", "report.xlsx"])
        #expect(reportBook.status == 0, "\(reportBook)")
        let read = try await XLSXDump.read(ws.dir.file("report.xlsx"))
        #expect(read.sheets.map(\.name) == ["Summary", "By programme", "By work unit"])
        let units = try #require(read.sheet("By work unit"))
        #expect(units.rows.count == 6, "four work units, the header and the total")
        #expect(units.row("total")?[1]?.number == 8 && units.row("total")?[4]?.number == Double(grand))
        #expect(read.sheet("Summary")?.row("remittance")?[1]?.text == "not queued")

        let bad = try await ws.run(["payroll", "report"], ["--period", "2024-03", "--format", "pdf"])
        #expect(bad.status == 2)
    }
}
