import Foundation
import SalurCore
import SalurReports
import SalurStore
import SalurTestSupport
import Testing

/// Excel workbooks (`--format xlsx`), read back with an independent reader (scripts/xlsx-dump.py).
@Suite("Excel workbooks", .timeLimit(.minutes(5)))
struct WorkbookTests {
    func write(_ workbook: Workbook) async throws -> XLSXDump {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("salur-\(UUID().uuidString).xlsx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(try workbook.xlsx()).write(to: URL(fileURLWithPath: path))
        return try await XLSXDump.read(path)
    }

    @Test("typed cells: rupiah and counts as numbers with separators, dates, time stamps with their zone, text never a formula")
    func typedCells() async throws {
        let table = ExportTable(columns: ["transfer_id", "name", "amount", "attempts", "entry_value_date", "settled_at", "paid_at",
                                          "entry_amount", "balanced", "failure_code"], rows: [
            [.integer(17), .text("=HYPERLINK(\"http://x\",\"klik\")"), .integer(1_250_000), .integer(3), .text("2026-11-23"),
             .text("2026-11-23T03:00:00.250Z"), .text("2026-11-23T10:00:00+07:00"), .amount(Sen(1_234_567)), .flag(true), .null],
            [.integer(18), .text("+62812 @SUM(A1)"), .integer(-6_500), .integer(12_000), .text("not a date"),
             .text("soon"), .text(""), .text("300000"), .flag(false), .text("4031802")],
        ])
        let dump = try await write(Workbook([.init("Transfers", table)]))
        let sheet = try #require(dump.sheet("Transfers"))
        #expect(sheet.frozen == "A2")
        #expect(sheet.autofilter == "A1:J3")
        #expect(sheet.rows.count == 3)
        let header = sheet.rows[0]
        #expect(header.count == 10 && header.values.allSatisfy { $0.bold && $0.isText })
        let first = sheet.rows[1], second = sheet.rows[2]
        #expect(first[0]?.number == 17 && first[0]?.format == "0")
        #expect(first[1]?.isText == true && first[1]?.text == "=HYPERLINK(\"http://x\",\"klik\")" && first[1]?.formula == false)
        #expect(second[1]?.isText == true && second[1]?.text == "+62812 @SUM(A1)")
        #expect(first[2]?.number == 1_250_000 && first[2]?.format == "#,##0")
        #expect(second[2]?.number == -6_500)
        #expect(second[3]?.number == 12_000 && second[3]?.format == "#,##0")
        #expect(first[4]?.number == XLSXDump.serial(year: 2026, month: 11, day: 23) && first[4]?.format == "yyyy-mm-dd")
        #expect(second[4]?.text == "not a date")
        let stamp = try #require(first[5]?.number)
        #expect(abs(stamp - (XLSXDump.serial(year: 2026, month: 11, day: 23) + (3 * 3600 + 0.25) / 86_400)) < 1e-9)
        #expect(first[5]?.format == "yyyy-mm-dd hh:mm:ss \"UTC\"")
        #expect(first[6]?.format == "yyyy-mm-dd hh:mm:ss \"+07:00\"")
        #expect(second[5]?.text == "soon" && second[6] == nil)
        #expect(first[7]?.number == 12345.67 && first[7]?.format == "#,##0.00")
        #expect(second[7]?.text == "300000", "text that is not an amount in sen stays text")
        #expect(first[8]?.flag == true && second[8]?.flag == false)
        #expect(first[9] == nil, "an absent value is an empty cell")
        #expect(second[9]?.isText == true && second[9]?.text == "4031802", "a code stays text")
        #expect((sheet.widths[1] ?? 0) >= 30 && (sheet.widths[0] ?? 0) >= 8 && sheet.widths.values.allSatisfy { $0 <= 60 })
    }

    @Test("amounts in sen: whole rupiah as #,##0, with sen as #,##0.00")
    func senAmounts() async throws {
        let table = ExportTable(columns: ["debit_total", "interest_amount"], rows: [
            [.amount(Sen(1_234_567)), .amount(Sen(30_000_000))], [.amount(Sen(-5)), .null],
        ])
        let sheet = try #require(try await write(Workbook([.init("Statements", table)])).sheet("Statements"))
        #expect(sheet.rows[1][0]?.number == 12_345.67 && sheet.rows[1][0]?.format == "#,##0.00")
        #expect(sheet.rows[1][1]?.number == 300_000 && sheet.rows[1][1]?.format == "#,##0")
        #expect(sheet.rows[2][0]?.number == -0.05 && sheet.rows[2][1] == nil)
    }

    @Test("one sheet per section in the order given; bad sheet names are refused")
    func sheets() async throws {
        let summary = ExportTable(columns: ["section", "key", "count", "amount"], rows: [[.text("total"), .text("transfers"), .integer(2), .integer(600_000)]])
        let dump = try await write(Workbook([.init("Summary", summary), .init("Transfers", ExportTable(columns: ["amount"]))]))
        #expect(dump.sheets.map(\.name) == ["Summary", "Transfers"])
        #expect(dump.sheet("Summary")?.row("total", "transfers")?[3]?.number == 600_000)
        #expect(dump.sheet("Transfers")?.rows.count == 1)
        #expect(throws: Workbook.WriteError.self) { try Workbook([.init("a/b", summary)]).xlsx() }
        #expect(throws: Workbook.WriteError.self) { try Workbook([.init("Summary", summary), .init("summary", summary)]).xlsx() }
    }

    @Test("export reconciliation, statement-check and batch --format xlsx: a summary sheet of control totals, each hash audited")
    func exports() async throws {
        let cli = ReconcileCLITests()
        let (fixture, config) = try await cli.exportWorkspace(secondName: "=cmd|' /C calc'!A0"); defer { fixture.remove() }

        let export = try await cli.run(fixture, config, ["export", "reconciliation", "--format", "xlsx", "-o", "recon.xlsx"])
        #expect(export.status == 0, "\(export)")
        let bytes = try #require(FileManager.default.contents(atPath: fixture.directory + "/recon.xlsx"))
        #expect(export.stderr.contains("sha256 \(AuditChain.sha256Hex(Array(bytes)))"))
        #expect(try fixture.ledger.auditTail(limit: 1).first?.action == "export.reconciliation")
        let recon = try await XLSXDump.read(fixture.directory + "/recon.xlsx")
        #expect(recon.sheets.map(\.name) == ["Summary", "Transfers"])
        let summary = try #require(recon.sheet("Summary"))
        #expect(summary.row("total", "transfers")?[2]?.number == 2 && summary.row("total", "transfers")?[3]?.number == 600_000)
        #expect(summary.row("state", "settled")?[3]?.format == "#,##0")
        let transfers = try #require(recon.sheet("Transfers"))
        #expect(transfers.rows.count == 3 && transfers.frozen == "A2")
        let amount = try #require(transfers.column("amount")), nik = try #require(transfers.column("nik"))
        let name = try #require(transfers.column("name")), settled = try #require(transfers.column("settled_at"))
        #expect(transfers.rows[1][amount]?.number == 300_000 && transfers.rows[1][amount]?.format == "#,##0")
        #expect(transfers.rows[1][nik]?.isText == true && transfers.rows[1][nik]?.text == "5371031502850001", "a NIK stays text")
        #expect(transfers.rows[2][name]?.isText == true && transfers.rows[2][name]?.formula == false)
        #expect(transfers.rows[1][settled]?.format.hasPrefix("yyyy-mm-dd hh:mm:ss") == true)

        let check = try await cli.run(fixture, config, ["export", "statement-check", "--period", "2026-11", "--format", "xlsx", "-o", "check.xlsx"])
        #expect(check.status == 0, "\(check)")
        let checkBook = try await XLSXDump.read(fixture.directory + "/check.xlsx")
        #expect(checkBook.sheets.map(\.name) == ["Summary", "Statements"])
        #expect(checkBook.sheet("Summary")?.row("debits", "matched")?[3]?.number == 300_000)
        #expect(checkBook.sheet("Summary")?.row("statements", "all")?[2]?.number == 1)
        let statements = try #require(checkBook.sheet("Statements"))
        let opening = try #require(statements.column("opening_date"))
        #expect(statements.rows[1][opening]?.format == "yyyy-mm-dd")

        let proof = try await cli.run(fixture, config, ["export", "batch", "B-2026-11-0001", "--format", "xlsx", "-o", "proof.xlsx"])
        #expect(proof.status == 0, "\(proof)")
        let proofBook = try await XLSXDump.read(fixture.directory + "/proof.xlsx")
        #expect(proofBook.sheets.map(\.name) == ["Batch", "Lines"])
        let batch = try #require(proofBook.sheet("Batch"))
        #expect(batch.rows[1][try #require(batch.column("settled_amount"))]?.number == 300_000)
        #expect(proofBook.sheet("Lines")?.rows.count == 3)

        let refused = try await cli.run(fixture, config, ["export", "reconciliation", "--format", "xlsx", "--excel", "-o", "x.xlsx"])
        #expect(refused.status == 2 && refused.stderr.contains("--excel is a CSV dialect"), "\(refused)")
    }
}
