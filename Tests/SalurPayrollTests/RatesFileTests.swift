import Foundation
import Testing
import SalurConfig
import SalurCore

/// `bpjs-rates.toml`, read strictly: every problem with its line, rate-table problems with the row's origin.
@Suite("BPJS rates file")
struct RatesFileTests {
    static let file = "/etc/salur/bpjs-rates.toml"

    func errors(_ text: String) -> [String] {
        do {
            let rates = try BPJSRatesFile.parse(text: text, file: Self.file)
            Issue.record("expected ConfigErrors, got \(rates.source.wageRates.count) wage rates")
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    static let jkm = """
        [[wage_rate]]
        programme = "JKM"
        share = "employer"
        percent = "0.30"
        from = "2023-03"
        regulation = "PP 44/2015"

        """

    @Test("the shipped file loads, every row with its origin line")
    func shippedFile() throws {
        let rates = try BPJSRatesFile.load(path: PayrollFixture.ratesPath)
        #expect(rates.source.wageRates.count == 10)
        #expect(rates.source.jpCeilings.count == 12)
        #expect(rates.source.jpCeilings.suffix(3).map(\.amount) == [Rupiah(10_042_300), Rupiah(10_547_400), Rupiah(11_086_300)])
        #expect(rates.source.bpuRates.count == 3)
        #expect(rates.source.bpuIncomes.count == 1)
        let text = try String(contentsOfFile: PayrollFixture.ratesPath, encoding: .utf8)
        let headers = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .filter { $0.element.hasPrefix("[[wage_rate]]") }.map { "\(PayrollFixture.ratesPath):\($0.offset + 1)" }
        #expect(rates.source.wageRates.map(\.origin) == headers)
        #expect(try rates.jpWageCeiling(in: PayrollFixture.period("2024-02")) == Rupiah(9_559_600))
        #expect(try rates.jpWageCeiling(in: PayrollFixture.period("2024-03")) == Rupiah(10_042_300))
    }

    @Test("unknown keys, wrong types and unreadable values: each with its own line, all at once")
    func strictRows() {
        let text = Self.jkm + """
            [[wage_rate]]
            programme = "JKK"
            share = "employer"
            risk_class = 7
            percent = 0.24
            from = "2023-3"
            regulation = "PP 44/2015"
            comment = "typo"

            [[jp_ceiling]]
            amount = "10042300"
            from = "2024-03"
            to = "2025-02"
            regulation = "PP 45/2015"

            [[bpu_rate]]
            programme = "JP"
            percent = "1"
            amount = 6800
            from = "2023-03"
            regulation = "PP 44/2015"

            [[bpu_income]]
            maximum = 20700000
            from = "2023-03"
            regulation = "PP 44/2015"

            [premiums]
            x = 1
            """
        let found = errors(text)
        let f = Self.file
        #expect(found == [
            "\(f):10: wage_rate.risk_class: must be an integer 1 to 5, found 7",
            "\(f):11: wage_rate.percent: must be a quoted string with at most two decimals, e.g. \"0.24\" (a TOML number could lose digits), found floating-point number",
            "\(f):12: wage_rate.from: \"2023-3\" is not a period: write YYYY-MM, e.g. \"2024-03\"",
            "\(f):14: wage_rate.comment: unknown key (known here: from, percent, programme, regulation, risk_class, share, to)",
            "\(f):17: jp_ceiling.amount: must be an integer of whole rupiah, found string",
            "\(f):23: bpu_rate.programme: \"JP\" is not allowed here; use one of \"JKK\", \"JKM\", \"JHT\"",
            "\(f):25: bpu_rate.amount: give either `percent` (a share of declared income) or `amount` (a flat premium), not both",
            "\(f):29: bpu_income.minimum: required key is missing",
            "\(f):34: premiums: unknown key; a rates file holds only [[wage_rate]], [[jp_ceiling]], [[bpu_rate]] and [[bpu_income]] rows",
        ], "\(found.joined(separator: "\n"))")
    }

    @Test("rate-table problems name the row by its origin, file:line")
    func tableProblems() {
        let text = Self.jkm + """
            [[wage_rate]]
            programme = "JKM"
            share = "employer"
            percent = "0.35"
            from = "2024-01"
            regulation = "PP 44/2015"

            [[jp_ceiling]]
            amount = 10042300
            from = "2024-03"
            regulation = "PP 45/2015"
            """
        let found = errors(text)
        #expect(found.count == 2, "\(found)")
        #expect(found.contains { $0.contains("(\(Self.file):1)") && $0.contains("(\(Self.file):7)") && $0.contains("both apply to 2024-01") })
        #expect(found.contains { $0.contains("(\(Self.file):14)") && $0.contains("a JP ceiling needs `to`") })
    }

    @Test("a syntax error names its line; an empty file is refused")
    func syntaxAndEmpty() {
        let syntax = errors("[[wage_rate]]\nprogramme = \"JKM\nshare = 1\n")
        #expect(syntax.count == 1)
        #expect(syntax.first?.hasPrefix("\(Self.file):2: syntax:") == true, "\(syntax)")
        #expect(errors("# nothing here\n") == ["\(Self.file): file: holds no rows: add the [[wage_rate]], [[jp_ceiling]], "
                                              + "[[bpu_rate]] and [[bpu_income]] rows in force (see the schema in config/bpjs-rates.toml)"])
    }

    @Test("[premiums] rates_file: absent means the built-in table, relative to the config's folder, strict")
    func configKey() throws {
        let base = "[database]\npath = \"/var/lib/salur/salur.db\"\n"
        #expect(try SalurConfiguration.parse(text: base, file: "/etc/salur/salur.toml").premiums.ratesFile == nil)
        let relative = try SalurConfiguration.parse(text: base + "[premiums]\nrates_file = \"rates/bpjs.toml\"\n", file: "/srv/salur/salur.toml")
        #expect(relative.premiums.ratesFile == "/srv/salur/rates/bpjs.toml")
        do {
            _ = try SalurConfiguration.parse(text: base + "[premiums]\nrates_file = 3\nratesfile = \"x\"\n", file: "/srv/salur/salur.toml")
            Issue.record("expected errors")
        } catch {
            #expect(error.errors.map(\.description) == [
                "/srv/salur/salur.toml:4: premiums.rates_file: must be a string, found integer",
                "/srv/salur/salur.toml:5: premiums.ratesfile: unknown key (known here: rates_file)",
            ])
        }
    }
}
