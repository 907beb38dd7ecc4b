import Foundation
import Logging
import PostgresNIO
import SalurPostgres
import SalurStore
import SalurTestSupport
import Testing

/// `salurctl reconcile` and `salurctl export` against a PostgreSQL database (`[database] url`).
@Suite("salurctl reconcile and export on PostgreSQL", .enabled(if: PostgresScratch.isEnabled), .timeLimit(.minutes(5)))
struct PostgresReconcileCommandTests {
    func expectExit(_ result: Salurctl.Result, _ code: Int32, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == code, "\(result)", sourceLocation: sourceLocation)
    }

    func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    @Test("demo transfers paid, a bank statement reconciled (twice), an exception resolved, every export written and audited")
    func reconcileAndExport() async throws {
        let (ws, url, passwordFile) = try await PostgresCommandTests.postgresWorkspace(prefix: "clirecon", sections: """
            [reconciliation]
            missing_after_days = 3
            utc_offset_hours = 7

            """)
        defer { ws.dir.remove() }
        func pg(_ command: [String], _ rest: [String] = []) async throws -> Salurctl.Result {
            try await Salurctl.run(command + ["--config", ws.dir.file("pg.toml")] + rest, in: ws.dir)
        }
        expectExit(try await Salurctl.run(["demo", "seed", "--dir", "demo", "--recipients", "5", "--opened", "5"], in: ws.dir), 0)
        expectExit(try await pg(["recipients", "import"], ["demo/recipients.csv"]), 0)
        expectExit(try await pg(["accounts", "export-requests"], ["-o", "requests.csv"]), 0)
        expectExit(try await pg(["accounts", "import-results"], ["demo/bank-results.csv"]), 0)
        expectExit(try await pg(["transfers", "enqueue"], ["--program", "BANSOS-NT", "--period", "2026-11", "--amount", "300000"]), 0)
        expectExit(try await pg(["batches", "approve"], ["--all"]), 0)

        // The bank paid transfers 1 and 2 (as the engine would record it); 3 is settled but on no statement.
        let ledger = try await PostgresLedger(target: try PostgresTarget(url: url, passwordFile: passwordFile), migrate: false)
        defer { ledger.shutdown() }
        try await ledger.transaction("test SQL", audited: false) { connection in
            _ = try await connection.query("""
                UPDATE transfer SET state = 'settled', attempts = 1, bank_reference_no = '2026112300000' || id,
                    settled_at = '2026-11-23T03:00:00.000Z' WHERE id IN (1, 2, 3)
                """, logger: Logger(label: "test"))
        }
        let batch = try #require(try await ledger.batches(state: nil, id: nil).first?.id)
        try ws.dir.write("bank.sta", [
            ":20:STMT20261123", ":25:0011999999", ":28C:00001/001", ":60F:C261122IDR10000000,00",
            ":61:2611231123D300000,00NTRFSLR000000000001//20261123000001", ":86:TRF BANSOS-NT 2026-11",
            ":61:2611231123D300000,00NTRFSLR000000000002//20261123000002", ":86:TRF BANSOS-NT 2026-11",
            ":61:2611231123D6500,00NTRFNONREF", ":86:BIAYA ADMIN",
            ":62F:C261123IDR9393500,00", "-",
        ].joined(separator: "\r\n") + "\r\n")

        let first = try await pg(["reconcile", "bank.sta"], ["--as-of", "2026-11-30", "--json"])
        expectExit(first, 0)
        let runs = try #require(try json(first.stdout) as? [[String: Any]])
        let run = try #require(runs.first?["run"] as? [String: Any])
        #expect(run["statements_stored"] as? Int == 1 && run["matched_reference"] as? Int == 2 && run["exceptions_opened"] as? Int == 2,
                "\(first)")
        let again = try await pg(["reconcile", "bank.sta"], ["--as-of", "2026-11-30"])
        expectExit(again, 0)
        #expect(again.stdout.contains("1 already stored (unchanged)") && again.stdout.contains("2 open exceptions"), "\(again)")

        let status = try await pg(["reconcile", "status"], ["--period", "2026-11", "--json"])
        expectExit(status, 0)
        let object = try #require(try json(status.stdout) as? [String: Any])
        #expect(object["matched"] as? Int == 2 && object["unmatched"] as? Int == 1 && object["statements"] as? Int == 1, "\(status)")
        let exceptions = try #require(object["exceptions"] as? [String: Int])
        #expect(exceptions["unknown_debit"] == 1 && exceptions["missing_from_statement"] == 1)

        let listed = try await pg(["reconcile", "exceptions"], ["--json"])
        expectExit(listed, 0)
        let list = try #require(try json(listed.stdout) as? [[String: Any]])
        let unknown = try #require(list.first { $0["kind"] as? String == "unknown_debit" })
        #expect((unknown["evidence"] as? String)?.contains("bank.sta:9") == true, "\(unknown)")
        let id = try #require(unknown["id"] as? Int)
        expectExit(try await pg(["reconcile", "resolve", String(id)], ["--reason", " "]), 1)
        let resolved = try await pg(["reconcile", "resolve", String(id)], ["--reason", "biaya admin bulanan"])
        expectExit(resolved, 0)
        #expect(resolved.stdout.contains("resolved by"), "\(resolved)")
        let all = try await pg(["reconcile", "exceptions"], ["--all", "--json"])
        #expect((try json(all.stdout) as? [[String: Any]])?.count == 2)
        let flagged = try await pg(["reconcile", "flagged"])
        expectExit(flagged, 0)
        #expect(flagged.stdout.contains("no recipient flagged."))
        expectExit(try await pg(["reconcile"], ["--as-of", "2026-11-30"]), 0)

        let export = try await pg(["export", "reconciliation"], ["-o", "recon.csv", "--summary", "summary.csv"])
        expectExit(export, 0)
        let bytes = try #require(FileManager.default.contents(atPath: ws.dir.file("recon.csv")))
        let lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines[0].hasPrefix("transfer_id,partner_reference_no,"))
        #expect(lines[1].contains(",STMT20261123,1/1,5,2026-11-23,20261123000001,300000,reference,0,,false"), "\(lines[1])")
        #expect(export.stderr.contains("sha256 \(AuditChain.sha256Hex(Array(bytes)))"), "\(export)")
        let check = try await pg(["export", "statement-check"], ["--period", "2026-11", "--format", "json"])
        expectExit(check, 0)
        let statements = try #require(try json(check.stdout) as? [[String: Any]])
        #expect(statements.count == 1 && statements[0]["balanced"] as? Bool == true && statements[0]["matched_debits"] as? Int == 2)
        let proof = try await pg(["export", "batch", batch], ["-o", "proof.csv"])
        expectExit(proof, 0)
        #expect(proof.stderr.contains("on a bank statement 2 (Rp 600,000)"), "\(proof)")

        let audit = try await ledger.auditTail(limit: 7).map(\.action)
        #expect(audit == ["reconcile.statement", "reconcile.run", "reconcile.resolve", "export.reconciliation",
                          "export.reconciliation_summary", "export.statement_check", "export.batch_proof"], "\(audit)")
        expectExit(try await pg(["audit", "verify"]), 0)
    }
}
