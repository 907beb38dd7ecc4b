import Foundation
import Testing

/// `salurctl premiums rates` and the built-in rate table, through the built executable with a
/// minimal config (no `[premiums] rates_file`).
@Suite("salurctl premiums rates", .timeLimit(.minutes(5)))
struct PremiumRatesCommandTests {
    func json(_ result: Salurctl.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result)")
    }

    @Test("a minimal config computes this month's payroll and Kupang's first PKS period with the built-in table")
    func payrollWithoutRatesFile() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        #expect(try await ws.run(["agreements", "add"], PayrollCommandTests.kupang).status == 0)
        try ws.dir.write("kupang.csv", "employee_id,nik,name,work_unit,gross_wage\nK-1,\(PayrollCommandTests.nik(0)),Yohanes Ndun,Alak,3000000\n")
        let june2021 = try await ws.run(["payroll", "import"], ["kupang.csv", "--period", "2021-06", "--agreement", "KUPANG-PKS-2021"])
        #expect(june2021.status == 0, "\(june2021)")
        let report = try json(try await ws.run(["payroll", "report"], ["--period", "2021-06", "--json"]))
        #expect(report["grand_total"] as? Int == 16_200, "JKK 0.24 % 7,200 + JKM 0.30 % 9,000")

        let renewed = ["--id", "KUPANG-PKS-2026", "--employer", "Pemerintah Kota Kupang", "--programs", "JKK,JKM,JHT,JP",
                       "--risk-class", "1", "--from", "2026-01-01", "--to", "2027-12-31", "--bpjs-account", "0700000111222",
                       "--bpjs-bank-code", "009"]
        #expect(try await ws.run(["agreements", "add"], renewed).status == 0)
        try ws.dir.write("high.csv", "employee_id,nik,name,work_unit,gross_wage\nK-2,\(PayrollCommandTests.nik(1)),Maria Fanggidae,Alak,12000000\n")
        let november = try await ws.run(["payroll", "import"], ["high.csv", "--period", "2026-11", "--agreement", "KUPANG-PKS-2026"])
        #expect(november.status == 0, "\(november)")
        let deductions = try await ws.run(["payroll", "deductions"], ["--period", "2026-11", "--format", "json"])
        let rows = try #require(try json(deductions)["rows"] as? [[String: Any]])
        #expect(rows.first?["jp_employer"] as? Int == 221_726, "2 % of the March 2026 ceiling, Rp 11,086,300")
        let march2027 = try await ws.run(["payroll", "import"], ["high.csv", "--period", "2027-03", "--agreement", "KUPANG-PKS-2026"])
        #expect(march2027.status == 65)
        #expect(march2027.stderr.contains("no JP wage ceiling"), "\(march2027)")
    }

    @Test("premiums rates: what is in force for a period, where it comes from; exit 1 for a period the table does not cover")
    func ratesCommand() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        let november = try await ws.run(["premiums", "rates"], ["--period", "2026-11", "--today", "2026-12-06", "--json"])
        #expect(november.status == 0, "\(november)")
        let document = try json(november)
        #expect(document["table"] as? String == "built-in bpjs-rates.toml")
        #expect(document["covered_from"] as? String == "2015-07")
        #expect(document["covered_through"] as? String == "2027-02")
        #expect(document["ends_in_days"] as? Int == 84)
        let ceiling = try #require(document["jp_ceiling"] as? [String: Any])
        #expect(ceiling["amount"] as? Int == 11_086_300)
        #expect((ceiling["source"] as? String)?.contains("5.11 %") == true)
        let wage = try #require(document["wage_rates"] as? [[String: Any]])
        #expect(wage.count == 10)
        #expect(wage.first.map { [$0["programme"] as? String, $0["percent"] as? String, $0["regulation"] as? String] }
                == ["JKK", "0.24", "PP 44/2015"])
        #expect(november.stderr.isEmpty, "84 days before the table ends: no warning")

        let text = try await ws.run(["premiums", "rates"], ["--period", "2021-06", "--today", "2026-12-06"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("JP wage ceiling: Rp 8.754.600 (2021-03 to 2022-02)"), "\(text.stdout)")

        let before = try await ws.run(["premiums", "rates"], ["--period", "2015-06", "--today", "2026-12-06"])
        #expect(before.status == 1)
        #expect(before.stderr.contains("does not cover 2015-06"))
        #expect(before.stderr.contains("no JP wage ceiling"))
        let bad = try await ws.run(["premiums", "rates"], ["--period", "2026-13"])
        #expect(bad.status == 2, "\(bad)")
    }

    @Test("agreements list, daemon status and premiums rates warn from 60 days before the table ends")
    func tableEndWarning() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        #expect(try await ws.run(["agreements", "add"], PayrollCommandTests.kupang).status == 0)
        let early = try await ws.run(["agreements", "list"], ["--today", "2026-12-29"])
        #expect(early.status == 0, "\(early)")
        #expect(!early.stderr.contains("BPJS rate table"), "61 days before 2027-02-28: \(early.stderr)")
        let due = try await ws.run(["agreements", "list"], ["--today", "2026-12-31"])
        #expect(due.status == 0, "\(due)")
        #expect(due.stderr.contains("warning: the BPJS rate table (built-in bpjs-rates.toml) covers payroll periods up to 2027-02 and ends in 59 days"),
                "\(due.stderr)")
        #expect(due.stderr.contains("add the row for 2027-03"))
        let status = try await ws.run(["daemon", "status"], ["--today", "2027-03-02"])
        #expect(status.status == 0, "\(status)")
        #expect(status.stderr.contains("ended 2 days ago"), "\(status.stderr)")
        let rates = try await ws.run(["premiums", "rates"], ["--today", "2027-02-01", "--period", "2027-02"])
        #expect(rates.status == 0)
        #expect(rates.stderr.contains("ends in 27 days"))
    }
}
