import Foundation
import Testing

/// `salurctl agreements|budgets|payroll|bpu` through the built executable: exit codes, messages and JSON.
@Suite("salurctl premiums", .timeLimit(.minutes(5)))
struct PayrollCommandTests {
    static let ratesFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("config/bpjs-rates.toml").path

    /// A workspace whose config names the shipped rates file (copied next to it, relative path).
    func workspace() throws -> Workspace {
        let ws = try Workspace()
        try FileManager.default.copyItem(atPath: Self.ratesFile, toPath: ws.dir.file("bpjs-rates.toml"))
        try ws.dir.write("salur.toml", """
            [database]
            path = "state/salur.db"

            [premiums]
            rates_file = "bpjs-rates.toml"

            """)
        return ws
    }

    func expectExit(_ result: Salurctl.Result, _ code: Int32, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == code, "\(result)", sourceLocation: sourceLocation)
    }

    func json(_ result: Salurctl.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    static func nik(_ index: Int) -> String {
        let serial = String(index + 1)
        return "747101" + "0101" + "90" + String(repeating: "0", count: 4 - serial.count) + serial
    }

    /// Kendari's four work units, `count` staff each round-robin.
    static func payroll(_ count: Int, offset: Int = 0) -> String {
        let units = ["DLHK", "Satpol PP", "Damkar", "SDA"]
        return (["employee_id,nik,name,work_unit,gross_wage"] + (0..<count).map { i in
            "PTT-\(i + 1),\(nik(i)),Pegawai \(i + 1),\(units[i % 4]),\(2_500_000 + (i * 104_729 + offset) % 9_000_000)"
        }).joined(separator: "\n") + "\n"
    }

    static let kupang = ["--id", "KUPANG-PKS-2021", "--employer", "Pemerintah Kota Kupang", "--programs", "JKK,JKM", "--risk-class", "1",
                         "--from", "2021-04-10", "--to", "2024-04-09", "--bpjs-account", "0700000111222", "--bpjs-bank-code", "009"]
    static let kendari = ["--id", "KENDARI-PKS-2024", "--employer", "Pemerintah Kota Kendari", "--programs", "JKK,JKM,JHT,JP",
                          "--risk-class", "2", "--from", "2024-01-01", "--to", "2025-12-31", "--bpjs-account", "0700000333444",
                          "--bpjs-bank-code", "009", "--work-units", "DLHK,Satpol PP,Damkar,SDA"]

    /// A valid NIK for employee `index`, unique up to 279,972 employees.
    static func wideNIK(_ index: Int) -> String {
        let serial = String(1 + index % 9_999), day = String(1 + (index / 9_999) % 28)
        return "747101" + String(repeating: "0", count: 2 - day.count) + day + "01" + "90"
            + String(repeating: "0", count: 4 - serial.count) + serial
    }

    @Test("a payroll several windows long: a bad last line imports nothing; the good file imports every line")
    func largePayroll() async throws {
        let ws = try workspace(); defer { ws.dir.remove() }
        expectExit(try await ws.run(["agreements", "add"], Self.kendari), 0)
        let units = ["DLHK", "Satpol PP", "Damkar", "SDA"]
        let lines = ["employee_id,nik,name,work_unit,gross_wage"] + (0..<60_000).map { i in
            "PTT-\(i + 1),\(Self.wideNIK(i)),Pegawai \(i + 1),\(units[i % 4]),\(2_500_000 + (i * 104_729) % 9_000_000)"
        }
        try ws.dir.write("big.csv", (lines + ["PTT-X,\(Self.wideNIK(70_000)),Pegawai X,Dishub,3000000"]).joined(separator: "\n") + "\n")
        let bad = try await ws.run(["payroll", "import"], ["big.csv", "--period", "2024-05", "--agreement", "KENDARI-PKS-2024"])
        expectExit(bad, 65)
        #expect(bad.stderr.split(separator: "\n").map(String.init) == [
            "big.csv:60002: work_unit: unknown work unit \"Dishub\" for agreement KENDARI-PKS-2024 (it covers DLHK, Satpol PP, Damkar, SDA)",
            "1 problem found; nothing was changed.",
        ])
        expectExit(try await ws.run(["payroll", "report"], ["--period", "2024-05"]), 1)

        try ws.dir.write("big.csv", lines.joined(separator: "\n") + "\n")
        let imported = try await ws.run(["payroll", "import"], ["big.csv", "--period", "2024-05", "--agreement", "KENDARI-PKS-2024", "--json"])
        expectExit(imported, 0)
        let run = try #require(try json(imported)["run"] as? [String: Any])
        #expect(run["lines"] as? Int == 60_000)
        let deductions = try await ws.run(["payroll", "deductions"], ["--period", "2024-05", "-o", "deductions.csv"])
        expectExit(deductions, 0)
        let rows = try #require(ws.dir.read("deductions.csv")).split(separator: "\r\n").dropFirst().map { $0.split(separator: ",") }
        #expect(rows.count == 60_000)
        #expect(run["grand_total"] as? Int == rows.reduce(0) { $0 + Int($1[11])! + Int($1[12])! })
        #expect(run["employer_total"] as? Int == rows.reduce(0) { $0 + Int($1[11])! })
    }

    @Test func agreementsAndValidity() async throws {
        let ws = try workspace(); defer { ws.dir.remove() }
        let added = try await ws.run(["agreements", "add"], Self.kupang)
        expectExit(added, 0)
        #expect(added.stdout.contains("payroll periods 2021-05 to 2024-04"))
        let again = try await ws.run(["agreements", "add"], Self.kupang)
        expectExit(again, 0)
        #expect(again.stdout.contains("nothing changed"))
        let bad = try await ws.run(["agreements", "add"], Self.kendari.map { $0 == "JKK,JKM,JHT,JP" ? "JHT,JP" : $0 })
        expectExit(bad, 2)
        #expect(bad.stderr.contains("--programs: JKK and JKM are compulsory"))

        let list = try await ws.run(["agreements", "list"], ["--today", "2024-03-01", "--json"])
        expectExit(list, 0)
        #expect(list.stderr.contains("warning: agreement KUPANG-PKS-2021 (Pemerintah Kota Kupang) ends on 2024-04-09, in 39 days"))
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(entries.first?["ends_in_days"] as? Int == 39)
        #expect(entries.first?["first_period"] as? String == "2021-05")
        #expect(entries.first?["last_period"] as? String == "2024-04")
        let quiet = try await ws.run(["agreements", "list"], ["--today", "2024-02-08"])
        expectExit(quiet, 0)
        #expect(!quiet.stderr.contains("warning"), "61 days ahead: no warning yet")
        #expect(quiet.stdout.contains("in force"))

        // 2021-04 starts before the agreement (the 1st is before the 10th); 2024-04 is covered (the 1st is before the 9th).
        try ws.dir.write("kupang.csv", "employee_id,nik,name,work_unit,gross_wage\nK-1,\(Self.nik(0)),Yohanes Ndun,Alak,3000000\n")
        let april2021 = try await ws.run(["payroll", "import"], ["kupang.csv", "--period", "2021-04", "--agreement", "KUPANG-PKS-2021"])
        expectExit(april2021, 65)
        #expect(april2021.stderr.contains("period 2021-04 is outside agreement KUPANG-PKS-2021"))
        let april2024 = try await ws.run(["payroll", "import"], ["kupang.csv", "--period", "2024-04", "--agreement", "KUPANG-PKS-2021"])
        expectExit(april2024, 0)
        let may2024 = try await ws.run(["payroll", "import"], ["kupang.csv", "--period", "2024-05", "--agreement", "KUPANG-PKS-2021"])
        expectExit(may2024, 65)
        let report = try json(try await ws.run(["payroll", "report"], ["--period", "2024-04", "--json"]))
        #expect(report["grand_total"] as? Int == 16_200, "JKK 7,200 + JKM 9,000")
        #expect(report["employee_total"] as? Int == 0)
    }

    @Test func payrollImportDeductionsReportRemit() async throws {
        let ws = try workspace(); defer { ws.dir.remove() }
        expectExit(try await ws.run(["agreements", "add"], Self.kendari), 0)

        try ws.dir.write("bad.csv", """
            employee_id,nik,name,work_unit,gross_wage
            PTT-1,\(Self.nik(0)),La Ode,DLHK,3000000
            PTT-1,\(Self.nik(1)),Wa Ode,DLHK,0
            PTT-3,123,Andi,Dishub,-1

            """)
        let bad = try await ws.run(["payroll", "import"], ["bad.csv", "--period", "2024-05", "--agreement", "KENDARI-PKS-2024"])
        expectExit(bad, 65)
        #expect(bad.stderr.split(separator: "\n").map(String.init) == [
            "bad.csv:3: employee_id: duplicate employee PTT-1 in this file (first on line 2)",
            "bad.csv:3: gross_wage: wage is zero: must be above zero",
            "bad.csv:4: nik: must be 16 digits, found 3 characters",
            "bad.csv:4: work_unit: unknown work unit \"Dishub\" for agreement KENDARI-PKS-2024 (it covers DLHK, Satpol PP, Damkar, SDA)",
            "bad.csv:4: gross_wage: negative wage -1: must be above zero",
            "5 problems found; nothing was changed.",
        ])
        expectExit(try await ws.run(["payroll", "report"], ["--period", "2024-05"]), 1)

        try ws.dir.write("payroll.csv", Self.payroll(400))
        let imported = try await ws.run(["payroll", "import"], ["payroll.csv", "--period", "2024-05", "--agreement", "KENDARI-PKS-2024"])
        expectExit(imported, 0)
        #expect(imported.stdout.contains("400 employees for 2024-05"))

        let deductions = try await ws.run(["payroll", "deductions"], ["--period", "2024-05", "-o", "deductions.csv"])
        expectExit(deductions, 0)
        let csv = try #require(ws.dir.read("deductions.csv")).split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(csv.first?.joined(separator: ",") == "employee_id,nik,name,work_unit,wage,jkk,jkm,jht_employer,jht_employee,jp_employer,jp_employee,employer_total,employee_total")
        #expect(csv.count == 401)
        func column(_ name: String) -> Int { csv.dropFirst().reduce(0) { $0 + Int($1[csv[0].firstIndex(of: Substring(name))!])! } }
        for row in csv.dropFirst() {
            let v = row.dropFirst(4).map { Int($0)! }
            #expect(v[7] == v[1] + v[2] + v[3] + v[5], "employer_total = jkk + jkm + jht_employer + jp_employer")
            #expect(v[8] == v[4] + v[6], "employee_total = jht_employee + jp_employee")
        }

        let report = try await ws.run(["payroll", "report"], ["--period", "2024-05", "--json"])
        expectExit(report, 0)
        let r = try json(report)
        #expect(r["lines"] as? Int == 400)
        #expect(r["employer_total"] as? Int == column("employer_total"))
        #expect(r["employee_total"] as? Int == column("employee_total"))
        #expect(r["grand_total"] as? Int == column("employer_total") + column("employee_total"))
        let units = try #require(r["work_units"] as? [[String: Any]])
        #expect(units.map { $0["headcount"] as? Int } == [100, 100, 100, 100])
        let programmes = try #require(r["programmes"] as? [[String: Any]])
        #expect(programmes.compactMap { $0["total"] as? Int }.reduce(0, +) == r["grand_total"] as? Int)

        let json = try await ws.run(["payroll", "deductions"], ["--period", "2024-05", "--format", "json"])
        expectExit(json, 0)
        let document = try self.json(json)
        let totals = try #require(document["totals"] as? [String: Any])
        #expect(totals["grand_total"] as? Int == r["grand_total"] as? Int)
        #expect((document["rows"] as? [[String: Any]])?.compactMap { $0["employee_total"] as? Int }.reduce(0, +) == column("employee_total"))

        let human = try await ws.run(["payroll", "report"], ["--period", "2024-05", "--by", "work_unit"])
        expectExit(human, 0)
        #expect(human.stdout.contains("WORK UNIT"))
        #expect(!human.stdout.contains("PROGRAMME"))

        // Remit late: due 2024-06-15, on 2024-08-02 it is two months late.
        let remit = try await ws.run(["payroll", "remit"], ["--period", "2024-05", "--today", "2024-08-02", "--json"])
        expectExit(remit, 0)
        let queued = try self.json(remit)
        #expect(queued["queued"] as? Bool == true)
        #expect(queued["amount"] as? Int == r["grand_total"] as? Int)
        #expect(queued["due_date"] as? String == "2024-06-15")
        #expect(queued["months_late"] as? Int == 2)
        #expect(remit.stderr.contains("warning: 2024-05 is late: due 2024-06-15, today 2024-08-02, 2 months late"))
        #expect(remit.stderr.contains("information only"))
        let again = try await ws.run(["payroll", "remit"], ["--period", "2024-05", "--today", "2024-06-10"])
        expectExit(again, 0)
        #expect(again.stdout.hasPrefix("nothing queued"))
        #expect(again.stderr.isEmpty, "on time: no warning")
        let batches = try await ws.run(["batches", "list"], ["--json"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(batches.stdout.utf8)) as? [[String: Any]])
        #expect(list.count == 1)
        #expect(list.first?["program"] as? String == "BPJSTK-KENDARI-PKS-2024")
        #expect(list.first?["state"] as? String == "awaiting_approval")
        let approve = try await ws.run(["batches", "approve"], ["--all"])
        expectExit(approve, 1)
        #expect(approve.stderr.contains("maker-checker"))

        // Another file for the period: refused without --replace, then replaced (the unposted remittance is cancelled).
        try ws.dir.write("payroll-v2.csv", Self.payroll(399))
        let refused = try await ws.run(["payroll", "import"], ["payroll-v2.csv", "--period", "2024-05", "--agreement", "KENDARI-PKS-2024"])
        expectExit(refused, 1)
        #expect(refused.stderr.contains("--replace"))
        let replaced = try await ws.run(["payroll", "import"], ["payroll-v2.csv", "--period", "2024-05", "--agreement", "KENDARI-PKS-2024", "--replace"])
        expectExit(replaced, 0)
        #expect(replaced.stdout.contains("replaced revision 1 with revision 2"))
        #expect(replaced.stderr.contains("was cancelled with the replaced payroll"))
        expectExit(try await ws.run(["audit", "verify"]), 0)
    }

    @Test func budgetsAndBPU() async throws {
        let ws = try workspace(); defer { ws.dir.remove() }
        let added = try await ws.run(["budgets", "add"], ["--id", "KUKAR-2024-DISTRANSNAKER", "--amount", "1.000.000", "--agency", "Distransnaker",
                                                          "--year", "2024", "--bpjs-account", "0700000555666", "--bpjs-bank-code", "009"])
        expectExit(added, 0)
        func bpu(_ count: Int) -> String {
            (["nik,name,occupation,declared_income"] + (0..<count).map { "\(Self.nik($0)),Pekerja \($0),Nelayan,1000000" }).joined(separator: "\n") + "\n"
        }
        try ws.dir.write("may.csv", bpu(10))
        expectExit(try await ws.run(["bpu", "import"], ["may.csv", "--period", "2024-05", "--budget", "KUKAR-2024-DISTRANSNAKER"]), 0)
        try ws.dir.write("june.csv", bpu(20))
        let overdraw = try await ws.run(["bpu", "import"], ["june.csv", "--period", "2024-06", "--budget", "KUKAR-2024-DISTRANSNAKER"])
        expectExit(overdraw, 65)
        #expect(overdraw.stderr.contains("would overdraw budget KUKAR-2024-DISTRANSNAKER by Rp 104.000"), "368,000 + 736,000 − 1,000,000")
        let show = try json(try await ws.run(["budgets", "show"], ["KUKAR-2024-DISTRANSNAKER", "--json"]))
        #expect(show["spent"] as? Int == 0)
        #expect(show["committed"] as? Int == 368_000)
        #expect(show["remaining"] as? Int == 632_000)
        #expect(show["months_of_cover"] as? Int == 1, "632,000 / 368,000")
        let remit = try await ws.run(["bpu", "remit"], ["--period", "2024-05", "--budget", "KUKAR-2024-DISTRANSNAKER", "--today", "2024-06-01"])
        expectExit(remit, 0)
        #expect(remit.stdout.contains("queued remittance"))
        let list = try await ws.run(["budgets", "list"])
        expectExit(list, 0)
        #expect(list.stdout.contains("632,000"))
    }

    @Test func missingRatesFile() async throws {
        let ws = try workspace(); defer { ws.dir.remove() }
        try FileManager.default.removeItem(atPath: ws.dir.file("bpjs-rates.toml"))
        expectExit(try await ws.run(["agreements", "add"], Self.kendari), 0)
        try ws.dir.write("payroll.csv", Self.payroll(4))
        let result = try await ws.run(["payroll", "import"], ["payroll.csv", "--period", "2024-05", "--agreement", "KENDARI-PKS-2024"])
        expectExit(result, 1)
        #expect(result.stderr.contains("bpjs-rates.toml: file: cannot read the BPJS rates file"))
    }
}
