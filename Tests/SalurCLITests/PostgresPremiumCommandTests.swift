import Foundation
import SalurTestSupport
import Testing

/// `salurctl agreements|budgets|payroll|bpu` against a PostgreSQL database (`[database] url`): the
/// same flow, exit codes and numbers as on SQLite (PayrollCommandTests).
@Suite("salurctl premiums on PostgreSQL", .enabled(if: PostgresScratch.isEnabled), .timeLimit(.minutes(5)))
struct PostgresPremiumCommandTests {
    func expectExit(_ result: Salurctl.Result, _ code: Int32, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == code, "\(result)", sourceLocation: sourceLocation)
    }

    func json(_ result: Salurctl.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    /// A workspace whose config points at a fresh PostgreSQL database and the shipped rates file.
    static func workspace() async throws -> Workspace {
        let (ws, _, _) = try await PostgresCommandTests.postgresWorkspace(prefix: "clipremium", sections: """
            [premiums]
            rates_file = "bpjs-rates.toml"

            """)
        try FileManager.default.copyItem(atPath: PayrollCommandTests.ratesFile, toPath: ws.dir.file("bpjs-rates.toml"))
        return ws
    }

    func pg(_ ws: Workspace, _ command: [String], _ rest: [String] = []) async throws -> Salurctl.Result {
        try await Salurctl.run(command + ["--config", ws.dir.file("pg.toml")] + rest, in: ws.dir)
    }

    @Test("Kendari's payroll and Kukar's BPU run on PostgreSQL: agreements, import, deductions, report, remit, replace, budgets")
    func premiums() async throws {
        let ws = try await Self.workspace(); defer { ws.dir.remove() }
        let added = try await pg(ws, ["agreements", "add"], PayrollCommandTests.kendari)
        expectExit(added, 0)
        #expect(added.stdout.contains("recorded agreement KENDARI-PKS-2024"))
        #expect(try await pg(ws, ["agreements", "add"], PayrollCommandTests.kendari).stdout.contains("nothing changed"))
        let other = try await pg(ws, ["agreements", "add"], PayrollCommandTests.kendari.map { $0 == "0700000333444" ? "0700000333445" : $0 })
        expectExit(other, 1)
        #expect(other.stderr.contains("already recorded with other terms"))
        let list = try await pg(ws, ["agreements", "list"], ["--today", "2024-05-01"])
        expectExit(list, 0)
        #expect(list.stdout.contains("KENDARI-PKS-2024"))
        #expect(list.stdout.contains("in force"))

        try ws.dir.write("payroll.csv", PayrollCommandTests.payroll(400))
        let imported = try await pg(ws, ["payroll", "import"], ["payroll.csv", "--period", "2024-05", "--agreement", "KENDARI-PKS-2024"])
        expectExit(imported, 0)
        #expect(imported.stdout.contains("400 employees for 2024-05"))
        let unchanged = try await pg(ws, ["payroll", "import"], ["payroll.csv", "--period", "2024-05", "--agreement", "KENDARI-PKS-2024"])
        expectExit(unchanged, 0)
        #expect(unchanged.stdout.contains("nothing changed"))

        let deductions = try await pg(ws, ["payroll", "deductions"], ["--period", "2024-05", "-o", "deductions.csv"])
        expectExit(deductions, 0)
        let csv = try #require(ws.dir.read("deductions.csv")).split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(csv.count == 401)
        func column(_ name: String) -> Int { csv.dropFirst().reduce(0) { $0 + Int($1[csv[0].firstIndex(of: Substring(name))!])! } }

        let report = try await pg(ws, ["payroll", "report"], ["--period", "2024-05", "--json"])
        expectExit(report, 0)
        let r = try json(report)
        #expect(r["lines"] as? Int == 400)
        #expect(r["grand_total"] as? Int == column("employer_total") + column("employee_total"))
        #expect((r["work_units"] as? [[String: Any]])?.map { $0["headcount"] as? Int } == [100, 100, 100, 100])

        let remit = try await pg(ws, ["payroll", "remit"], ["--period", "2024-05", "--today", "2024-06-10", "--json"])
        expectExit(remit, 0)
        let queued = try json(remit)
        #expect(queued["queued"] as? Bool == true)
        #expect(queued["amount"] as? Int == r["grand_total"] as? Int, "the remittance is the report's grand total")
        let again = try await pg(ws, ["payroll", "remit"], ["--period", "2024-05", "--today", "2024-06-10"])
        expectExit(again, 0)
        #expect(again.stdout.hasPrefix("nothing queued"))
        let batches = try await pg(ws, ["batches", "list"], ["--json"])
        let list2 = try #require(try JSONSerialization.jsonObject(with: Data(batches.stdout.utf8)) as? [[String: Any]])
        #expect(list2.map { $0["program"] as? String } == ["BPJSTK-KENDARI-PKS-2024"])
        #expect(list2.first?["amount"] as? Int == r["grand_total"] as? Int)

        try ws.dir.write("payroll-v2.csv", PayrollCommandTests.payroll(399))
        let refused = try await pg(ws, ["payroll", "import"], ["payroll-v2.csv", "--period", "2024-05", "--agreement", "KENDARI-PKS-2024"])
        expectExit(refused, 1)
        #expect(refused.stderr.contains("--replace"))
        let replaced = try await pg(ws, ["payroll", "import"], ["payroll-v2.csv", "--period", "2024-05", "--agreement", "KENDARI-PKS-2024", "--replace"])
        expectExit(replaced, 0)
        #expect(replaced.stdout.contains("replaced revision 1 with revision 2"))
        #expect(replaced.stderr.contains("was cancelled with the replaced payroll"))
        let show = try await pg(ws, ["agreements", "show", "KENDARI-PKS-2024"], ["--today", "2024-06-10", "--json"])
        expectExit(show, 0)
        let runs = try #require(try json(show)["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        let requeued = try await pg(ws, ["payroll", "remit"], ["--period", "2024-05", "--today", "2024-06-10", "--json"])
        expectExit(requeued, 0)
        #expect(try json(requeued)["queued"] as? Bool == true)
        let outside = try await pg(ws, ["payroll", "import"], ["payroll.csv", "--period", "2026-01", "--agreement", "KENDARI-PKS-2024"])
        expectExit(outside, 65)

        // BPU: an envelope of Rp 1,000,000; 10 workers fit, 20 more would overdraw (exit 65).
        expectExit(try await pg(ws, ["budgets", "add"], ["--id", "KUKAR-2024-DISTRANSNAKER", "--amount", "1.000.000", "--agency", "Distransnaker",
                                                          "--year", "2024", "--bpjs-account", "0700000555666", "--bpjs-bank-code", "009"]), 0)
        func bpu(_ count: Int) -> String {
            (["nik,name,occupation,declared_income"] + (0..<count).map { "\(PayrollCommandTests.nik($0)),Pekerja \($0),Nelayan,1000000" })
                .joined(separator: "\n") + "\n"
        }
        try ws.dir.write("may.csv", bpu(10))
        let may = try await pg(ws, ["bpu", "import"], ["may.csv", "--period", "2024-05", "--budget", "KUKAR-2024-DISTRANSNAKER"])
        expectExit(may, 0)
        #expect(may.stdout.contains("remaining Rp 632.000"))
        try ws.dir.write("june.csv", bpu(20))
        let overdraw = try await pg(ws, ["bpu", "import"], ["june.csv", "--period", "2024-06", "--budget", "KUKAR-2024-DISTRANSNAKER"])
        expectExit(overdraw, 65)
        #expect(overdraw.stderr.contains("would overdraw budget KUKAR-2024-DISTRANSNAKER"))
        let bpuRemit = try await pg(ws, ["bpu", "remit"], ["--period", "2024-05", "--budget", "KUKAR-2024-DISTRANSNAKER", "--today", "2024-06-10", "--json"])
        expectExit(bpuRemit, 0)
        #expect(try json(bpuRemit)["amount"] as? Int == 368_000)
        let budget = try json(try await pg(ws, ["budgets", "show", "KUKAR-2024-DISTRANSNAKER", "--json"]))
        #expect(budget["committed"] as? Int == 368_000)
        #expect(budget["remaining"] as? Int == 632_000)
        #expect((budget["runs"] as? [[String: Any]])?.count == 1)
        let budgets = try await pg(ws, ["budgets", "list"])
        expectExit(budgets, 0)
        #expect(budgets.stdout.contains("KUKAR-2024-DISTRANSNAKER"))
        let verify = try await pg(ws, ["audit", "verify"])
        expectExit(verify, 0)
    }
}
