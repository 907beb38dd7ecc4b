import Foundation
import GRDB
import SalurStore
import Testing

/// `salurctl reconcile` and the exports, through the built executable: exit codes, JSON keys, audit.
@Suite("salurctl reconcile and exports", .timeLimit(.minutes(5)))
struct ReconcileCLITests {
    /// A fixture with a config next to its database; `csv` adds a `[reconciliation.csv]` table.
    func workspace(csv: Bool = false) throws -> (ReconcileFixture, String) {
        let fixture = try ReconcileFixture()
        var text = "[database]\npath = \"salur.sqlite\"\n\n[reconciliation]\nmissing_after_days = 3\nutc_offset_hours = 7\n"
        if csv {
            text += """

                [reconciliation.csv]
                separator = ";"
                date = "Tanggal"
                date_format = "dd/MM/yyyy"
                amount = "Nominal"
                direction = "D/K"
                debit_marker = "D"
                credit_marker = "K"
                decimal_separator = ","
                thousands_separator = "."
                bank_reference = "No Ref"
                description = "Keterangan"
                account_no_column = "Rekening"

                """
        }
        let config = fixture.directory + "/salur.toml"
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        return (fixture, config)
    }

    func run(_ fixture: ReconcileFixture, _ config: String, _ arguments: [String]) async throws -> SalurctlProcess.Result {
        try await SalurctlProcess.run(arguments + ["--config", config], in: fixture.directory)
    }

    func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    @Test("reconcile, status --json, exceptions --json, resolve: the issue's keys, and every step audited")
    func reconcileFlow() async throws {
        let (fixture, config) = try workspace(); defer { fixture.remove() }
        try fixture.seed([
            .init(id: 1, account: "0012000001", bankReference: "20261123000001"),
            .init(id: 2, account: "0012000002", bankReference: "20261123000002"),
            .init(id: 3, account: "0012000003"),
        ])
        let text = StatementFixtures.statement(entries: [
            ("D", 300_000, "SLR000000000001//20261123000001", ""),
            ("D", 300_000, "SLR000000000002//20261123000002", ""),
            ("D", 6_500, "NONREF", "BIAYA ADMIN"),
        ])
        try text.write(toFile: fixture.directory + "/bank.sta", atomically: true, encoding: .utf8)

        let first = try await run(fixture, config, ["reconcile", "bank.sta", "--as-of", "2026-11-30"])
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout.contains("1 statement stored") && first.stdout.contains("2 open exceptions"), "\(first)")
        let again = try await run(fixture, config, ["reconcile", "bank.sta", "--format", "mt940", "--as-of", "2026-11-30"])
        #expect(again.status == 0 && again.stdout.contains("1 already stored (unchanged)"), "\(again)")

        let status = try await run(fixture, config, ["reconcile", "status", "--period", "2026-11", "--json"])
        #expect(status.status == 0, "\(status)")
        let object = try #require(try json(status.stdout) as? [String: Any])
        #expect(object["matched"] as? Int == 2 && object["unmatched"] as? Int == 1)
        let exceptions = try #require(object["exceptions"] as? [String: Int])
        #expect(exceptions["unknown_debit"] == 1 && exceptions["missing_from_statement"] == 1 && exceptions["duplicate_payment"] == 0)
        #expect((object["exception_amounts"] as? [String: Int])?["unknown_debit"] == 6_500)
        let human = try await run(fixture, config, ["reconcile", "status"])
        #expect(human.stdout.contains("2 / 3") && human.stdout.contains("unknown_debit"), "\(human)")

        let listed = try await run(fixture, config, ["reconcile", "exceptions", "--json"])
        let list = try #require(try json(listed.stdout) as? [[String: Any]])
        #expect(list.count == 2)
        let unknown = try #require(list.first { $0["kind"] as? String == "unknown_debit" })
        let id = try #require(unknown["id"] as? Int)
        #expect((unknown["evidence"] as? String)?.contains("bank.sta:7") == true)

        let noReason = try await run(fixture, config, ["reconcile", "resolve", String(id), "--reason", " "])
        #expect(noReason.status == 1, "\(noReason)")
        let resolved = try await run(fixture, config, ["reconcile", "resolve", String(id), "--reason", "biaya admin bulanan"])
        #expect(resolved.status == 0 && resolved.stdout.contains("resolved by"), "\(resolved)")
        let open = try await run(fixture, config, ["reconcile", "exceptions", "--json"])
        #expect((try json(open.stdout) as? [[String: Any]])?.count == 1)
        let all = try await run(fixture, config, ["reconcile", "exceptions", "--all", "--json"])
        #expect((try json(all.stdout) as? [[String: Any]])?.count == 2)

        let audit = try fixture.ledger.auditTail(limit: 10).map(\.action)
        #expect(audit == ["reconcile.statement", "reconcile.run", "reconcile.resolve"], "the re-import left no row")
        let verify = try await run(fixture, config, ["audit", "verify"])
        #expect(verify.status == 0)
    }

    @Test("salurctl reconcile of the same file again: the --json run of a full reading, and a transfer settled since is found")
    func sameFileAgain() async throws {
        let (fixture, config) = try workspace(); defer { fixture.remove() }
        try fixture.seed([
            .init(id: 1, account: "0012000001", bankReference: "20261123000001"),
            .init(id: 2, state: "in_doubt", account: "0012000002", bankReference: "20261123000002", settledAt: nil),
        ])
        try StatementFixtures.mandiri.write(toFile: fixture.directory + "/bank.sta", atomically: true, encoding: .utf8)
        let arguments = ["reconcile", "bank.sta", "--as-of", "2026-11-24", "--json"]
        let first = try await run(fixture, config, arguments)
        #expect(first.status == 0, "\(first)")
        let again = try await run(fixture, config, arguments)
        let rematched = try await run(fixture, config, ["reconcile", "--as-of", "2026-11-24", "--json"])
        func runOf(_ result: SalurctlProcess.Result) throws -> [String: Any] {
            try #require((try json(result.stdout) as? [[String: Any]])?.first?["run"] as? [String: Any])
        }
        let againRun = try runOf(again)
        #expect(againRun["statements_unchanged"] as? Int == 1 && againRun["statements_stored"] as? Int == 0)
        #expect(againRun["matches_changed"] as? Int == 0 && againRun["matched_reference"] as? Int == 2)
        #expect((againRun["open_exceptions"] as? [String: Int]) == ["debited_not_settled": 1])
        #expect((try runOf(rematched))["matched_reference"] as? Int == 2)

        try fixture.sql("UPDATE transfer SET state = 'settled', settled_at = '2026-11-23T03:00:00.000Z' WHERE id = 2")
        let settled = try runOf(try await run(fixture, config, arguments))
        #expect(settled["exceptions_cleared"] as? Int == 1 && settled["statements_unchanged"] as? Int == 1)
        #expect((settled["open_exceptions"] as? [String: Int]) ?? ["?": 1] == [:])
    }

    @Test("refused statements exit 65 with FILE:LINE and the reason; nothing is stored")
    func refusals() async throws {
        let (fixture, config) = try workspace(); defer { fixture.remove() }
        let unbalanced = StatementFixtures.statement(entries: [("D", 300_000, "SLR000000000001", "")], closing: 9_699_000)
        try unbalanced.write(toFile: fixture.directory + "/off.sta", atomically: true, encoding: .utf8)
        let off = try await run(fixture, config, ["reconcile", "off.sta"])
        #expect(off.status == 65, "\(off)")
        #expect(off.stderr.contains("off.sta:1:") && off.stderr.contains("off by -1000 rupiah"), "\(off)")

        let broken = mt940([":20:X", ":25:0011999999", ":60F:C261122IDR100,00", ":61:2611XXD1,00NTRFNONREF", ":62F:C261123IDR99,00", "-"])
        try broken.write(toFile: fixture.directory + "/broken.sta", atomically: true, encoding: .utf8)
        let parse = try await run(fixture, config, ["reconcile", "broken.sta"])
        #expect(parse.status == 65 && parse.stderr.contains("broken.sta:4: :61:"), "\(parse)")

        try "hello,world\n".write(toFile: fixture.directory + "/what.txt", atomically: true, encoding: .utf8)
        let unknown = try await run(fixture, config, ["reconcile", "what.txt"])
        #expect(unknown.status == 65 && unknown.stderr.contains("--format csv"), "\(unknown)")
        let noMapping = try await run(fixture, config, ["reconcile", "what.txt", "--format", "csv"])
        #expect(noMapping.status == 1 && noMapping.stderr.contains("[reconciliation.csv]"), "\(noMapping)")
        #expect(try fixture.count("SELECT count(*) FROM statement") == 0)
    }

    @Test("a bank CSV read through [reconciliation.csv], balances given on the command line")
    func csvStatement() async throws {
        let (fixture, config) = try workspace(csv: true); defer { fixture.remove() }
        try fixture.seed([.init(id: 1, amount: 1_500_000, account: "0012000001", bankReference: "BRI77001")])
        let csv = """
            Tanggal;Rekening;Keterangan;No Ref;Nominal;D/K
            23/11/2026;0011999999;TRF SLR000000000001 KE 0012000001;BRI77001;1.500.000,00;D
            23/11/2026;0011999999;SETORAN RKUD;BRI77002;2.000.000,00;K

            """
        try csv.write(toFile: fixture.directory + "/mutasi.csv", atomically: true, encoding: .utf8)
        let missing = try await run(fixture, config, ["reconcile", "mutasi.csv", "--format", "csv"])
        #expect(missing.status == 2 && missing.stderr.contains("--opening-balance"), "\(missing)")
        let done = try await run(fixture, config, ["reconcile", "mutasi.csv", "--format", "csv", "--opening-balance", "10000000",
                                                   "--closing-balance", "10500000", "--json"])
        #expect(done.status == 0, "\(done)")
        let runs = try #require(try json(done.stdout) as? [[String: Any]])
        let outcome = try #require(runs.first?["run"] as? [String: Any])
        #expect(outcome["matched_reference"] as? Int == 1 && outcome["statements_stored"] as? Int == 1)
        let off = try await run(fixture, config, ["reconcile", "mutasi.csv", "--format", "csv", "--opening-balance", "10000000",
                                                  "--closing-balance", "10400000"])
        #expect(off.status == 65 && off.stderr.contains("off by -100000 rupiah"), "\(off)")
    }

    /// Batch B-2026-11-0001 of two transfers — one settled and on a reconciled statement, one failed
    /// (paid to `secondName`) — for the export tests.
    func exportWorkspace(secondName: String = "Maria Bunga") async throws -> (ReconcileFixture, String) {
        let (fixture, config) = try workspace()
        try fixture.sql("""
            INSERT INTO batch (id, program, period, kind, state, item_count, amount, makers, approved_by, approved_at, created_at, updated_at)
            VALUES ('B-2026-11-0001', 'BANSOS-NT', '2026-11', 'intrabank', 'done', 2, 600000, 'maker', 'checker',
                    '2026-11-23T00:00:00.000Z', '2026-11-22T00:00:00.000Z', '2026-11-23T00:00:00.000Z')
            """)
        try fixture.seed([
            .init(id: 1, account: "0012000001", bankReference: "20261123000001", nik: "5371031502850001", batch: "B-2026-11-0001"),
            .init(id: 2, state: "failed", account: "0012000002", nik: "5371015502850002", name: secondName, batch: "B-2026-11-0001"),
        ])
        try StatementFixtures.statement(entries: [("D", 300_000, "SLR000000000001//20261123000001", "")])
            .write(toFile: fixture.directory + "/bank.sta", atomically: true, encoding: .utf8)
        #expect(try await run(fixture, config, ["reconcile", "bank.sta"]).status == 0)
        return (fixture, config)
    }

    @Test("exports: reconciliation (contract columns first, summary, JSON, Excel), statement-check, batch proof; each hash audited")
    func exports() async throws {
        let (fixture, config) = try await exportWorkspace(); defer { fixture.remove() }

        let export = try await run(fixture, config, ["export", "reconciliation", "-o", "recon.csv", "--summary", "summary.csv"])
        #expect(export.status == 0, "\(export)")
        let bytes = try #require(FileManager.default.contents(atPath: fixture.directory + "/recon.csv"))
        let lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines[0].hasPrefix("transfer_id,partner_reference_no,external_id,bank_reference_no,batch_id,program,period,nik,name,"
                                   + "account_no,amount,state,attempts,settled_at,failure_code,statement_id,"))
        #expect(lines[1].contains(",STMT20261123,1/1,5,2026-11-23,20261123000001,300000,reference,0,,false"), "\(lines[1])")
        let hash = AuditChain.sha256Hex(Array(bytes))
        #expect(export.stderr.contains("sha256 \(hash)"), "\(export)")
        let summary = try #require(FileManager.default.contents(atPath: fixture.directory + "/summary.csv"))
        let summaryText = String(decoding: summary, as: UTF8.self)
        #expect(summaryText.contains("state,failed,1,300000") && summaryText.contains("state,settled,1,300000"))
        #expect(summaryText.contains("match,reference,1,300000") && summaryText.contains("total,transfers,2,600000"))
        let audit = try fixture.ledger.auditTail(limit: 2)
        #expect(audit.map(\.action) == ["export.reconciliation", "export.reconciliation_summary"])
        #expect(audit[0].details.contains(hash) && audit[0].subject.hasSuffix("recon.csv"))
        #expect(audit[1].details.contains(AuditChain.sha256Hex(Array(summary))))

        let excel = try await run(fixture, config, ["export", "reconciliation", "--excel", "-o", "recon-excel.csv"])
        let excelBytes = try #require(FileManager.default.contents(atPath: fixture.directory + "/recon-excel.csv"))
        #expect(excel.status == 0 && Array(excelBytes.prefix(3)) == [0xEF, 0xBB, 0xBF] && excelBytes.contains(UInt8(ascii: ";")))
        let json = try await run(fixture, config, ["export", "reconciliation", "--format", "json"])
        let rows = try #require(try self.json(json.stdout) as? [[String: Any]])
        #expect(rows.count == 2 && rows[0]["amount"] as? Int == 300_000 && rows[0]["match_kind"] as? String == "reference")
        #expect(json.stderr.contains("sha256 \(AuditChain.sha256Hex(Array(json.stdout.utf8)))  (stdout)"))

        let check = try await run(fixture, config, ["export", "statement-check", "--period", "2026-11", "--format", "json"])
        #expect(check.status == 0, "\(check)")
        let statements = try #require(try self.json(check.stdout) as? [[String: Any]])
        #expect(statements.count == 1 && statements[0]["balanced"] as? Bool == true && statements[0]["matched_debits"] as? Int == 1)

        let proof = try await run(fixture, config, ["export", "batch", "B-2026-11-0001", "-o", "proof.csv"])
        #expect(proof.status == 0, "\(proof)")
        let proofText = String(decoding: try #require(FileManager.default.contents(atPath: fixture.directory + "/proof.csv")), as: UTF8.self)
        #expect(proofText.contains("B-2026-11-0001,BANSOS-NT,2026-11,1,SLR000000000001,20261123000001,2026-11-23T10:00:00+07:00,300000,******0001,"
                                   + "Yohanes Ndun,537103******0001,settled,STMT20261123,5,2026-11-23,reference"), "\(proofText)")
        #expect(!proofText.contains("0012000001") && !proofText.contains("5371031502850001"), "accounts and NIKs are masked")
        #expect(proofText.contains("SLR000000000002,,,300000,******0002,Maria Bunga"))
        #expect(try fixture.ledger.auditTail(limit: 1).first?.action == "export.batch_proof")
        let unknownBatch = try await run(fixture, config, ["export", "batch", "B-NOPE"])
        #expect(unknownBatch.status == 1)
    }
}
