import Foundation
import SalurCore
import SalurReports
import SalurStore
import SalurTestSupport
import Testing

/// `export reconciliation` and `export batch` written as the store reads them, a page at a time:
/// the same rows, bytes and cells as the whole tables, a file that is never left half written, and
/// an audited SHA-256 that is the file's.
@Suite("Exports written as they are read", .timeLimit(.minutes(5)))
struct StreamedExportTests {
    static let batchID = "B-2026-11-0001"
    static let batchSQL = """
        INSERT INTO batch (id, program, period, kind, state, item_count, amount, makers, approved_by, approved_at, created_at, updated_at)
        VALUES ('B-2026-11-0001', 'BANSOS-NT', '2026-11', 'intrabank', 'done', 20, 6000000, 'maker', 'checker',
                '2026-11-23T00:00:00.000Z', '2026-11-22T00:00:00.000Z', '2026-11-23T00:00:00.000Z')
        """

    /// `count` transfers: every fifth failed, the even ones in the batch; settled ones below 30 are
    /// on the statement (transfer 7 debited twice), the others are missing from it.
    static func seeds(_ count: Int64) -> [ReconcileFixture.Seed] {
        (1...count).map { id in
            let digits = String(repeating: "0", count: 6 - String(id).count) + String(id)
            return .init(id: id, state: id % 5 == 0 ? "failed" : "settled", account: "0012" + digits, bankReference: "20261123" + digits,
                         nik: "53710315028" + String(digits.suffix(5)), name: id == 3 ? "=cmd|' /C calc'!A0" : "Penerima \(id)",
                         batch: id % 2 == 0 ? batchID : nil)
        }
    }

    static var statement: String {
        let paid = seeds(40).filter { $0.state == "settled" && $0.id < 30 }
        return StatementFixtures.statement(entries: (paid + paid.filter { $0.id == 7 }).map { seed in
            ("D", seed.amount, seed.partnerReference + "//" + (seed.bankReference ?? ""), "")
        })
    }

    @Test("pages of 1, 3 and 16 transfers put together are the whole: every filter, every match, duplicate and exception; written a page at a time, the same CSV and JSON bytes as the whole table", arguments: ReconBackend.available)
    func pagesMakeTheWhole(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.sql(Self.batchSQL)
        try await f.seed(Self.seeds(40))
        try await f.reconcile(Self.statement, today: "2026-11-30")

        let whole = try await f.store.reconciledTransfers(from: nil, to: nil, batchID: nil)
        #expect(whole.map(\.transfer.transferID) == Array(1...40))
        #expect(whole.filter { $0.matchKind == "reference" }.count == 24)
        #expect(whole.first { $0.transfer.transferID == 7 }?.duplicates == 1)
        #expect(whole.filter { $0.openExceptions.contains("missing_from_statement") }.map(\.transfer.transferID) == [31, 32, 33, 34, 36, 37, 38, 39])
        for size in [1, 3, 16] {
            for (from, batch) in [(nil, nil), ("2026-11-23", nil), (nil, Self.batchID as String?)] as [(String?, String?)] {
                let expected = try await f.store.reconciledTransfers(from: from, to: nil, batchID: batch)
                var pages: [[ReconciledTransfer]] = []
                try await f.store.reconciledTransfers(from: from, to: nil, batchID: batch, pageSize: size) { pages.append($0) }
                #expect(pages.allSatisfy { $0.count <= size } && pages.count == (expected.count + size - 1) / size)
                #expect(pages.flatMap { $0 } == expected, "pages of \(size), from \(from ?? "-"), batch \(batch ?? "-")")
            }
            var pages: [[ReconciledTransfer]] = []
            try await f.store.reconciledTransfers(from: nil, to: nil, batchID: nil, pageSize: size) { pages.append($0) }
            for format in [ExportTextWriter.Format.csv(excel: false), .csv(excel: true), .json] {
                var writer = ExportTextWriter(columns: ReconciliationExport.columns, format: format)
                var bytes = writer.start()
                for page in pages { bytes += writer.rows(ReconciliationExport.rows(page)) }
                bytes += writer.end()
                let table = ReconciliationExport.table(whole)
                #expect(bytes == (format == .json ? table.json() : table.csv(excel: format == .csv(excel: true))), "\(format), pages of \(size)")
            }
            var summary = ReconciliationSummary()
            for page in pages { summary.add(page) }
            #expect(summary.table == ReconciliationExport.summary(whole))
        }
        #expect(try await f.store.reconciledTransfers(from: "2026-12-01", to: nil, batchID: nil).isEmpty)
        var none = 0
        try await f.store.reconciledTransfers(from: nil, to: nil, batchID: "B-NONE", pageSize: 5) { _ in none += 1 }
        #expect(none == 0, "no transfers: no page")
    }

    @Test("a throw from the page's reader stops the reading and comes back out", arguments: ReconBackend.available)
    func throwStops(_ backend: ReconBackend) async throws {
        struct Stop: Error {}
        let f = try await backend.open(); defer { f.close() }
        try await f.sql(Self.batchSQL)
        try await f.seed(Self.seeds(10))
        var seen = 0
        await #expect(throws: Stop.self) {
            try await f.store.reconciledTransfers(from: nil, to: nil, batchID: nil, pageSize: 3) { _ in
                seen += 1
                if seen == 2 { throw Stop() }
            }
        }
        #expect(seen == 2)
        #expect(try await f.store.reconciledTransfers(from: nil, to: nil, batchID: nil).count == 10, "the store reads on afterwards")
    }

    // MARK: salurctl

    func workspace(transfers: Int64) async throws -> (ReconcileFixture, String, ReconcileCLITests) {
        let cli = ReconcileCLITests()
        let (fixture, config) = try cli.workspace()
        try fixture.sql(Self.batchSQL)
        try fixture.seed(Self.seeds(transfers))
        try Self.statement.write(toFile: fixture.directory + "/bank.sta", atomically: true, encoding: .utf8)
        #expect(try await cli.run(fixture, config, ["reconcile", "bank.sta", "--as-of", "2026-11-30"]).status == 0)
        return (fixture, config, cli)
    }

    /// What the exports hold, read whole: every transfer, the batch, and the batch's transfers.
    func wholeTables(_ fixture: ReconcileFixture) async throws -> ([ReconciledTransfer], BatchSummary, [ReconciledTransfer]) {
        let batch = try #require(try await fixture.ledger.batches(state: nil, id: Self.batchID).first)
        return (try fixture.ledger.reconciledTransfers(from: nil, to: nil), batch,
                try fixture.ledger.reconciledTransfers(from: nil, to: nil, batchID: Self.batchID))
    }

    /// The `sha256` the last audit row records.
    func auditedSHA256(_ fixture: ReconcileFixture) throws -> String? {
        let details = try #require(try fixture.ledger.auditTail(limit: 1).first?.details)
        return (try JSONSerialization.jsonObject(with: Data(details.utf8)) as? [String: Any])?["sha256"] as? String
    }

    func file(_ fixture: ReconcileFixture, _ name: String) throws -> [UInt8] {
        Array(try #require(FileManager.default.contents(atPath: fixture.directory + "/" + name)))
    }

    @Test("export reconciliation and batch read 4 rows at a time: the bytes (CSV, Excel CSV, JSON, to a file or standard output) the whole tables give; the audit's SHA-256 and stderr's are the file's")
    func cliTextEqualsWhole() async throws {
        let (fixture, config, cli) = try await workspace(transfers: 40); defer { fixture.remove() }
        let (records, batch, lines) = try await wholeTables(fixture)
        let proof = BatchProofExport.table(batch: batch, transfers: lines, utcOffsetHours: 7)
        let cases: [([String], [UInt8])] = [
            (["export", "reconciliation"], ReconciliationExport.table(records).csv(excel: false)),
            (["export", "reconciliation", "--excel"], ReconciliationExport.table(records).csv(excel: true)),
            (["export", "reconciliation", "--format", "json"], ReconciliationExport.table(records).json()),
            (["export", "batch", Self.batchID], proof.csv(excel: false)),
            (["export", "batch", Self.batchID, "--format", "json"],
             BatchProofExport.json(header: BatchProofExport.header(batch: batch, transfers: lines), lines: proof)),
        ]
        for (index, (arguments, expected)) in cases.enumerated() {
            let name = "export-\(index)"
            let written = try await cli.run(fixture, config, arguments + ["--rows-per-read", "4", "-o", name])
            #expect(written.status == 0, "\(written)")
            let bytes = try file(fixture, name)
            #expect(bytes == expected, "\(arguments)")
            #expect(try auditedSHA256(fixture) == AuditChain.sha256Hex(bytes), "\(arguments)")
            #expect(written.stderr.contains("sha256 \(AuditChain.sha256Hex(bytes))  \(name) "), "\(written)")

            let piped = try await cli.run(fixture, config, arguments + ["--rows-per-read", "3"])
            #expect(piped.status == 0 && Array(piped.stdout.utf8) == expected, "\(arguments) to standard output")
            #expect(try auditedSHA256(fixture) == AuditChain.sha256Hex(expected))
        }
        let summarised = try await cli.run(fixture, config, ["export", "reconciliation", "--rows-per-read", "7", "-o", "r.csv",
                                                             "--summary", "summary.csv"])
        #expect(summarised.status == 0)
        #expect(try file(fixture, "summary.csv") == ReconciliationExport.summary(records).csv(excel: false))
        #expect(summarised.stderr.hasSuffix("\n40 transfers: failed 8 (Rp 2,400,000), settled 32 (Rp 9,600,000)\n"), "\(summarised)")
        let proofRun = try await cli.run(fixture, config, ["export", "batch", Self.batchID, "--rows-per-read", "3", "-o", "p.csv"])
        #expect(proofRun.stderr.contains("batch \(Self.batchID): 20 items, Rp"), "\(proofRun)")
    }

    /// Every cell of a sheet as text, with its type and format, and the sheet's frozen pane, filter and widths.
    func cells(_ sheet: XLSXDump.Sheet) -> [String] {
        [sheet.name, sheet.frozen ?? "-", sheet.autofilter ?? "-", sheet.widths.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: " ")]
            + sheet.rows.map { row in
                row.sorted { $0.key < $1.key }.map { _, c in
                    "\(c.ref) \(c.type) \(c.text ?? "-") \(c.number.map { String($0) } ?? "-") \(c.flag.map { String($0) } ?? "-") \(c.format) \(c.bold) \(c.formula)"
                }.joined(separator: " | ")
            }
    }

    @Test("export reconciliation and batch --format xlsx read 4 rows at a time: the cells of the whole workbook, summary sheet first; the audit's SHA-256 is the file's")
    func cliWorkbookEqualsWhole() async throws {
        let (fixture, config, cli) = try await workspace(transfers: 40); defer { fixture.remove() }
        let (records, batch, lines) = try await wholeTables(fixture)
        let cases: [([String], Workbook)] = [
            (["export", "reconciliation"], Workbook([.init("Summary", ReconciliationExport.summary(records)),
                                                     .init("Transfers", ReconciliationExport.table(records))])),
            (["export", "batch", Self.batchID], Workbook([.init("Batch", BatchProofExport.header(batch: batch, transfers: lines)),
                                                          .init("Lines", BatchProofExport.table(batch: batch, transfers: lines, utcOffsetHours: 7))])),
        ]
        for (index, (arguments, workbook)) in cases.enumerated() {
            let name = "book-\(index).xlsx"
            let written = try await cli.run(fixture, config, arguments + ["--format", "xlsx", "--rows-per-read", "4", "-o", name])
            #expect(written.status == 0, "\(written)")
            #expect(try auditedSHA256(fixture) == AuditChain.sha256Hex(try file(fixture, name)))
            let whole = fixture.directory + "/whole-\(index).xlsx"
            try Data(try workbook.xlsx()).write(to: URL(fileURLWithPath: whole))
            let streamed = try await XLSXDump.read(fixture.directory + "/" + name), expected = try await XLSXDump.read(whole)
            #expect(streamed.sheets.map(\.name) == workbook.sheets.map(\.name))
            #expect(streamed.sheets.map(cells) == expected.sheets.map(cells), "\(arguments)")
        }
    }

    @Test("an export that fails midway (the file size limit reached) leaves the file it would replace as it was, and no other file")
    func failureMidway() async throws {
        let (fixture, config, cli) = try await workspace(transfers: 300); defer { fixture.remove() }
        #expect(try await cli.run(fixture, config, ["export", "reconciliation", "-o", "recon.csv"]).status == 0)
        let before = try file(fixture, "recon.csv")
        #expect(before.count > 40_000)
        let audited = try fixture.ledger.auditTail(limit: 100).filter { $0.action == "export.reconciliation" }.count

        let salurctl = try BuiltProduct.path("salurctl", override: "SALURCTL")
        for destination in ["recon.csv", "fresh.csv"] {
            // Writes past 16 KiB fail with EFBIG (the signal that would kill the process is ignored).
            let failed = try await BuiltProduct.run("/bin/sh", ["-c", "trap '' XFSZ; ulimit -f 32; exec \"$0\" \"$@\"", salurctl,
                                                                "export", "reconciliation", "--rows-per-read", "10", "-o", destination,
                                                                "--config", config], in: fixture.directory)
            #expect(failed.status != 0, "\(failed)")
            #expect(failed.stderr.contains("cannot write \(destination)") && failed.stderr.contains("too large"), "\(failed)")
        }
        #expect(try file(fixture, "recon.csv") == before, "the earlier export is untouched")
        #expect(!FileManager.default.fileExists(atPath: fixture.directory + "/fresh.csv"))
        let left = try FileManager.default.contentsOfDirectory(atPath: fixture.directory).filter { $0.hasSuffix(".tmp") }
        #expect(left.isEmpty, "\(left)")
        #expect(try fixture.ledger.auditTail(limit: 100).filter { $0.action == "export.reconciliation" }.count == audited,
                "a failed export is not audited")
    }
}
