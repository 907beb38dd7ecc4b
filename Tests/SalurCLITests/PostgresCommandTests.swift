import Foundation
import GRDB
import Logging
import SalurPostgres
import SalurTestSupport
import Testing

/// `salurctl` against a PostgreSQL database (`[database] url`), and `db copy` / `db migrate`.
@Suite("salurctl on PostgreSQL", .enabled(if: PostgresScratch.isEnabled), .timeLimit(.minutes(5)))
struct PostgresCommandTests {
    func expectExit(_ result: Salurctl.Result, _ code: Int32, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == code, "\(result)", sourceLocation: sourceLocation)
    }

    struct Status: Decodable, Equatable {
        let total, not_requested, requested, opened, rejected: Int
        let reasons: [String: Int]
    }

    struct Queue: Decodable, Equatable {
        struct Total: Decodable, Equatable { let count: Int; let amount: Int64 }
        let transfers: [String: Total]
        let batches: [String: Total]
    }

    /// A workspace whose config (`pg.toml`) points at a fresh PostgreSQL database, with `sections`
    /// (more TOML) after the database and batching ones.
    static func postgresWorkspace(prefix: String = "cli", sections: String = "")
        async throws -> (Workspace, url: String, passwordFile: String?) {
        let ws = try Workspace()
        let (url, passwordFile) = try await PostgresScratch.freshDatabase(prefix: prefix)
        try ws.dir.write("pg.toml", """
            [database]
            url = "\(url)"
            password_file = "\(passwordFile ?? "")"

            [batching]
            distinct_approver = false

            \(sections)
            """)
        return (ws, url, passwordFile)
    }

    func pg(_ ws: Workspace, _ command: [String], _ rest: [String] = []) async throws -> Salurctl.Result {
        try await Salurctl.run(command + ["--config", ws.dir.file("pg.toml")] + rest, in: ws.dir)
    }

    @Test("Kota Kupang on PostgreSQL: import, openings, enqueue, approve, queue, audit — as on SQLite")
    func kupang() async throws {
        let (ws, _, _) = try await Self.postgresWorkspace(); defer { ws.dir.remove() }
        expectExit(try await Salurctl.run(["demo", "seed", "--dir", "demo"], in: ws.dir), 0)
        let imported = try await pg(ws, ["recipients", "import"], ["demo/recipients.csv"])
        expectExit(imported, 0)
        #expect(imported.stdout.contains("3,000 added"))
        expectExit(try await pg(ws, ["accounts", "export-requests"], ["-o", "requests.csv"]), 0)
        let applied = try await pg(ws, ["accounts", "import-results"], ["demo/bank-results.csv"])
        expectExit(applied, 0)
        #expect(applied.stdout.contains("2,570 opened, 430 rejected"))
        let status = try await pg(ws, ["accounts", "status", "--json"])
        expectExit(status, 0)
        let decoded = try JSONDecoder().decode(Status.self, from: Data(status.stdout.utf8))
        #expect([decoded.total, decoded.opened, decoded.rejected] == [3_000, 2_570, 430] as [Int])

        let queued = try await pg(ws, ["transfers", "enqueue"], ["--program", "BANSOS-NT", "--period", "2026-11", "--amount", "300000"])
        expectExit(queued, 0)
        #expect(queued.stdout.contains("queued 2,570 transfers"))
        expectExit(try await pg(ws, ["batches", "approve"], ["--all"]), 0)
        let queue = try await pg(ws, ["queue", "status", "--json"])
        expectExit(queue, 0)
        let q = try JSONDecoder().decode(Queue.self, from: Data(queue.stdout.utf8))
        #expect(q.transfers["approved"] == Queue.Total(count: 2_570, amount: 771_000_000))

        let audit = try await pg(ws, ["audit", "verify"])
        expectExit(audit, 0)
        let daemon = try await pg(ws, ["daemon", "status", "--json"])
        expectExit(daemon, 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(daemon.stdout.utf8)) as? [String: Any])
        #expect(object["running"] as? Bool == false)
        #expect((object["engines"] as? [Any])?.isEmpty == true)
        #expect((object["database"] as? String)?.hasPrefix("postgres://") == true)

        // Premiums are served by the PostgreSQL store too.
        let payroll = try await pg(ws, ["agreements", "list"])
        expectExit(payroll, 0)
        #expect(!payroll.stderr.contains("SQLite store"))
    }

    @Test("db copy moves a SQLite treasury into an empty PostgreSQL database with the same counts, totals and audit chain; a second copy is refused")
    func copy() async throws {
        let (ws, url, _) = try await Self.postgresWorkspace(); defer { ws.dir.remove() }
        expectExit(try await Salurctl.run(["demo", "seed", "--dir", "demo", "--recipients", "500", "--opened", "430"], in: ws.dir), 0)
        expectExit(try await ws.run(["recipients", "import"], ["demo/recipients.csv"]), 0)
        expectExit(try await ws.run(["accounts", "export-requests"], ["-o", "requests.csv"]), 0)
        expectExit(try await ws.run(["accounts", "import-results"], ["demo/bank-results.csv"]), 0)
        expectExit(try await ws.run(["transfers", "enqueue"], ["--program", "BANSOS-NT", "--period", "2026-11", "--amount", "250000"]), 0)
        // The bank paid transfers 1 and 2 (as the engine would record it), and a statement is reconciled:
        // the statement file and the run's basis go across with the rest.
        try await DatabaseQueue(path: ws.database).write { db in
            try db.execute(sql: """
                UPDATE transfer SET state = 'settled', attempts = 1, bank_reference_no = '2026112300000' || id,
                    settled_at = '2026-11-23T03:00:00.000Z' WHERE id IN (1, 2)
                """)
        }
        try ws.dir.write("bank.sta", [
            ":20:STMT20261123", ":25:0011999999", ":28C:00001/001", ":60F:C261122IDR10000000,00",
            ":61:2611231123D250000,00NTRFSLR000000000001//20261123000001", ":86:TRF BANSOS-NT 2026-11",
            ":61:2611231123D250000,00NTRFSLR000000000002//20261123000002", ":86:TRF BANSOS-NT 2026-11",
            ":62F:C261123IDR9500000,00", "-",
        ].joined(separator: "\r\n") + "\r\n")
        let reconciled = try await ws.run(["reconcile"], ["bank.sta", "--as-of", "2026-11-30"])
        expectExit(reconciled, 0)
        let sqliteReconcile = try await ws.run(["reconcile", "status"], ["--period", "2026-11", "--json"])
        expectExit(sqliteReconcile, 0)
        let sqliteStatus = try await ws.run(["accounts", "status", "--json"])
        let sqliteQueue = try await ws.run(["queue", "status", "--json"])

        let passwordFile = try #require(PostgresScratch.passwordFile)
        let copied = try await Salurctl.run(["db", "copy", "--from", "sqlite:" + ws.database, "--to", url, "--password-file", passwordFile], in: ws.dir)
        expectExit(copied, 0)
        #expect(copied.stdout.contains("counts and control totals match"))
        #expect(copied.stdout.contains("recipient") && copied.stdout.contains("500"))

        let pgStatus = try await pg(ws, ["accounts", "status", "--json"])
        #expect(try JSONDecoder().decode(Status.self, from: Data(pgStatus.stdout.utf8))
                == JSONDecoder().decode(Status.self, from: Data(sqliteStatus.stdout.utf8)))
        let pgQueue = try await pg(ws, ["queue", "status", "--json"])
        #expect(try JSONDecoder().decode(Queue.self, from: Data(pgQueue.stdout.utf8)).transfers
                == JSONDecoder().decode(Queue.self, from: Data(sqliteQueue.stdout.utf8)).transfers)
        let verify = try await pg(ws, ["audit", "verify"])
        expectExit(verify, 0)

        // The statement file and the basis came across: the kept figures answer the same status, and
        // the same file again is known (on a copy without them it was parsed and matched in full).
        #expect(copied.stdout.contains("statement_file") && copied.stdout.contains("reconciliation_basis"), "\(copied)")
        let ledger = try await PostgresLedger(target: try PostgresTarget(url: url, passwordFile: passwordFile), migrate: false)
        defer { ledger.shutdown() }
        let kept = try await ledger.transaction("test SQL", audited: false) { connection in
            try await connection.query("""
                SELECT (SELECT count(*) FROM statement_file), (SELECT transfers_changed FROM reconciliation_basis WHERE id = 1)
                """, logger: Logger(label: "test")).collect().first?.decode((Int64, Int64?).self)
        }
        #expect(kept?.0 == 1 && kept?.1 == 0, "statement files and the basis's mark after the copy: \(String(describing: kept))")
        let pgReconcile = try await pg(ws, ["reconcile", "status"], ["--period", "2026-11", "--json"])
        expectExit(pgReconcile, 0)
        #expect(pgReconcile.stdout == sqliteReconcile.stdout)
        let again = try await pg(ws, ["reconcile", "bank.sta"], ["--as-of", "2026-11-30"])
        expectExit(again, 0)
        #expect(again.stdout.contains("1 already stored (unchanged)"), "\(again)")

        // The copy continues: new ids follow the copied ones, and the chain goes on.
        expectExit(try await pg(ws, ["batches", "approve"], ["--all"]), 0)
        expectExit(try await pg(ws, ["audit", "verify"]), 0)

        let twice = try await Salurctl.run(["db", "copy", "--from", "sqlite:" + ws.database, "--to", url, "--password-file", passwordFile], in: ws.dir)
        expectExit(twice, 1)
        #expect(twice.stderr.contains("already holds data"))
    }

    @Test("db migrate reports the schema steps on both stores; --check fails while steps are missing")
    func migrate() async throws {
        let (ws, _, _) = try await Self.postgresWorkspace(); defer { ws.dir.remove() }
        let first = try await pg(ws, ["db", "migrate"])
        expectExit(first, 0)
        let check = try await pg(ws, ["db", "migrate", "--check"])
        expectExit(check, 0)
        let known = PostgresLedger.knownSteps.count
        #expect(check.stdout.contains("\(known) of \(known) schema steps applied"))

        let fresh = try await ws.run(["db", "migrate", "--check"])
        expectExit(fresh, 1)
        #expect(fresh.stdout.contains("missing: v1 recipients, account openings, audit log"))
        let applied = try await ws.run(["db", "migrate"])
        expectExit(applied, 0)
        #expect(applied.stdout.contains("applied: v5 account verification"))
        expectExit(try await ws.run(["db", "migrate", "--check"]), 0)
    }
}
