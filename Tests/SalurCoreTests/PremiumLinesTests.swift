import Testing
import SalurCore

private let allProgrammes: Set<Programme> = [.jkk, .jkm, .jht, .jp]

struct PremiumLinesTests {
    /// One wage earner's case, with the expected lines worked out by hand in `arithmetic`.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let wage: Int64
        let riskClass: RiskClass
        let programmes: Set<Programme>
        let period: String
        /// JKK, JKM, JHT employer, JHT employee, JP employer, JP employee.
        let expected: (Int64, Int64, Int64, Int64, Int64, Int64)
        let arithmetic: String

        var testDescription: String { name }

        init(_ name: String, wage: Int64, risk riskClass: RiskClass = .veryLow, _ programmes: Set<Programme>,
             period: String = "2024-05", expected: (Int64, Int64, Int64, Int64, Int64, Int64), _ arithmetic: String) {
            self.name = name
            self.wage = wage
            self.riskClass = riskClass
            self.programmes = programmes
            self.period = period
            self.expected = expected
            self.arithmetic = arithmetic
        }
    }

    /// Each programme and risk class, JP around the ceiling and across the March change, rounding at
    /// exactly half a rupiah. Periods are 2024-05 (ceiling Rp 10,042,300) unless a case says otherwise.
    static let cases: [Case] = [
        // JKK by risk class on Rp 3,000,000.
        Case("JKK class 1, Rp 3,000,000", wage: 3_000_000, risk: .veryLow, [.jkk], expected: (7_200, 0, 0, 0, 0, 0),
             "3,000,000 × 24 / 10,000 = 7,200"),
        Case("JKK class 2, Rp 3,000,000", wage: 3_000_000, risk: .low, [.jkk], expected: (16_200, 0, 0, 0, 0, 0),
             "3,000,000 × 54 / 10,000 = 16,200"),
        Case("JKK class 3, Rp 3,000,000", wage: 3_000_000, risk: .medium, [.jkk], expected: (26_700, 0, 0, 0, 0, 0),
             "3,000,000 × 89 / 10,000 = 26,700"),
        Case("JKK class 4, Rp 3,000,000", wage: 3_000_000, risk: .high, [.jkk], expected: (38_100, 0, 0, 0, 0, 0),
             "3,000,000 × 127 / 10,000 = 38,100"),
        Case("JKK class 5, Rp 3,000,000", wage: 3_000_000, risk: .veryHigh, [.jkk], expected: (52_200, 0, 0, 0, 0, 0),
             "3,000,000 × 174 / 10,000 = 52,200"),
        // JKK by risk class on an odd wage, Rp 4,567,891.
        Case("JKK class 1, odd wage", wage: 4_567_891, risk: .veryLow, [.jkk], expected: (10_963, 0, 0, 0, 0, 0),
             "4,567,891 × 24 = 109,629,384; / 10,000 = 10,962.9384 → 10,963"),
        Case("JKK class 2, odd wage", wage: 4_567_891, risk: .low, [.jkk], expected: (24_667, 0, 0, 0, 0, 0),
             "4,567,891 × 54 = 246,666,114; / 10,000 = 24,666.6114 → 24,667"),
        Case("JKK class 3, odd wage", wage: 4_567_891, risk: .medium, [.jkk], expected: (40_654, 0, 0, 0, 0, 0),
             "4,567,891 × 89 = 406,542,299; / 10,000 = 40,654.2299 → 40,654"),
        Case("JKK class 4, odd wage", wage: 4_567_891, risk: .high, [.jkk], expected: (58_012, 0, 0, 0, 0, 0),
             "4,567,891 × 127 = 580,122,157; / 10,000 = 58,012.2157 → 58,012"),
        Case("JKK class 5, odd wage", wage: 4_567_891, risk: .veryHigh, [.jkk], expected: (79_481, 0, 0, 0, 0, 0),
             "4,567,891 × 174 = 794,813,034; / 10,000 = 79,481.3034 → 79,481"),
        // JKM.
        Case("JKM, Rp 3,000,000", wage: 3_000_000, [.jkm], expected: (0, 9_000, 0, 0, 0, 0),
             "3,000,000 × 30 / 10,000 = 9,000"),
        Case("JKM, odd wage", wage: 4_567_891, [.jkm], expected: (0, 13_704, 0, 0, 0, 0),
             "4,567,891 × 30 = 137,036,730; / 10,000 = 13,703.673 → 13,704"),
        // JHT, both shares, no ceiling.
        Case("JHT, Rp 3,000,000", wage: 3_000_000, [.jht], expected: (0, 0, 111_000, 60_000, 0, 0),
             "3,000,000 × 370 / 10,000 = 111,000; 3,000,000 × 200 / 10,000 = 60,000"),
        Case("JHT, odd wage", wage: 4_567_891, [.jht], expected: (0, 0, 169_012, 91_358, 0, 0),
             "4,567,891 × 370 = 1,690,119,670 → 169,011.967 → 169,012; × 200 = 913,578,200 → 91,357.82 → 91,358"),
        Case("JHT above the JP ceiling is not capped", wage: 15_000_000, [.jht], expected: (0, 0, 555_000, 300_000, 0, 0),
             "15,000,000 × 370 / 10,000 = 555,000; × 200 / 10,000 = 300,000"),
        // JP below, at and above the 2024-03…2025-02 ceiling of Rp 10,042,300.
        Case("JP below the ceiling", wage: 3_000_000, [.jp], expected: (0, 0, 0, 0, 60_000, 30_000),
             "3,000,000 × 200 / 10,000 = 60,000; × 100 / 10,000 = 30,000"),
        Case("JP below the ceiling, odd wage", wage: 4_567_891, [.jp], expected: (0, 0, 0, 0, 91_358, 45_679),
             "4,567,891 × 200 = 913,578,200 → 91,357.82 → 91,358; × 100 = 456,789,100 → 45,678.91 → 45,679"),
        Case("JP exactly at the ceiling", wage: 10_042_300, [.jp], expected: (0, 0, 0, 0, 200_846, 100_423),
             "10,042,300 × 200 = 2,008,460,000 → 200,846; × 100 = 1,004,230,000 → 100,423"),
        Case("JP one rupiah above the ceiling", wage: 10_042_301, [.jp], expected: (0, 0, 0, 0, 200_846, 100_423),
             "base = min(10,042,301, 10,042,300) = 10,042,300 → 200,846 and 100,423"),
        Case("JP well above the ceiling", wage: 15_000_000, [.jp], expected: (0, 0, 0, 0, 200_846, 100_423),
             "base = min(15,000,000, 10,042,300) = 10,042,300 → 200,846 and 100,423"),
        // The ceiling changes between February and March 2024, for a wage between the two ceilings.
        Case("JP 2024-02, old ceiling caps", wage: 9_800_000, [.jp], period: "2024-02", expected: (0, 0, 0, 0, 191_192, 95_596),
             "base = min(9,800,000, 9,559,600) = 9,559,600; × 200 = 1,911,920,000 → 191,192; × 100 → 95,596"),
        Case("JP 2024-03, new ceiling does not", wage: 9_800_000, [.jp], period: "2024-03", expected: (0, 0, 0, 0, 196_000, 98_000),
             "base = min(9,800,000, 10,042,300) = 9,800,000; × 200 / 10,000 = 196,000; × 100 / 10,000 = 98,000"),
        Case("JP 2023-03, first month of the first ceiling", wage: 10_000_000, [.jp], period: "2023-03",
             expected: (0, 0, 0, 0, 191_192, 95_596),
             "base = 9,559,600 → 191,192 and 95,596"),
        Case("JP 2025-02, last month of the second ceiling", wage: 10_000_000, [.jp], period: "2025-02",
             expected: (0, 0, 0, 0, 200_000, 100_000),
             "base = min(10,000,000, 10,042,300) = 10,000,000 → 200,000 and 100,000"),
        // Rounding at exactly half a rupiah goes up; just below goes down.
        Case("JKK .5 rounds up", wage: 3_000_625, [.jkk], expected: (7_202, 0, 0, 0, 0, 0),
             "3,000,625 × 24 = 72,015,000; / 10,000 = 7,201.5 → 7,202"),
        Case("JKK just below .5 rounds down", wage: 3_000_624, [.jkk], expected: (7_201, 0, 0, 0, 0, 0),
             "3,000,624 × 24 = 72,014,976; / 10,000 = 7,201.4976 → 7,201"),
        Case("JKM .5 rounds up", wage: 3_000_500, [.jkm], expected: (0, 9_002, 0, 0, 0, 0),
             "3,000,500 × 30 = 90,015,000; / 10,000 = 9,001.5 → 9,002"),
        Case("JKM just below .5 rounds down", wage: 3_000_499, [.jkm], expected: (0, 9_001, 0, 0, 0, 0),
             "3,000,499 × 30 = 90,014,970; / 10,000 = 9,001.497 → 9,001"),
        Case("JHT employer .5 rounds up", wage: 3_000_500, [.jht], expected: (0, 0, 111_019, 60_010, 0, 0),
             "3,000,500 × 370 = 1,110,185,000 → 111,018.5 → 111,019; × 200 = 600,100,000 → 60,010"),
        Case("JHT employer just below .5", wage: 3_000_499, [.jht], expected: (0, 0, 111_018, 60_010, 0, 0),
             "3,000,499 × 370 = 1,110,184,630 → 111,018.463 → 111,018; × 200 = 600,099,800 → 60,009.98 → 60,010"),
        Case("JHT employee .5 rounds up", wage: 3_000_025, [.jht], expected: (0, 0, 111_001, 60_001, 0, 0),
             "3,000,025 × 370 = 1,110,009,250 → 111,000.925 → 111,001; × 200 = 600,005,000 → 60,000.5 → 60,001"),
        Case("JHT employee just below .5", wage: 3_000_024, [.jht], expected: (0, 0, 111_001, 60_000, 0, 0),
             "3,000,024 × 370 = 1,110,008,880 → 111,000.888 → 111,001; × 200 = 600,004,800 → 60,000.48 → 60,000"),
        Case("JP employee .5 rounds up", wage: 3_000_050, [.jp], expected: (0, 0, 0, 0, 60_001, 30_001),
             "3,000,050 × 200 = 600,010,000 → 60,001; × 100 = 300,005,000 → 30,000.5 → 30,001"),
        Case("JP employee just below .5", wage: 3_000_049, [.jp], expected: (0, 0, 0, 0, 60_001, 30_000),
             "3,000,049 × 200 = 600,009,800 → 60,000.98 → 60,001; × 100 = 300,004,900 → 30,000.49 → 30,000"),
        // Every programme at once; uncovered programmes give Rp 0.
        Case("all programmes, class 3, Rp 3,000,000", wage: 3_000_000, risk: .medium, allProgrammes,
             expected: (26_700, 9_000, 111_000, 60_000, 60_000, 30_000),
             "lines as in the single-programme cases above"),
        Case("all programmes, class 5, above the ceiling", wage: 15_000_000, risk: .veryHigh, allProgrammes,
             expected: (261_000, 45_000, 555_000, 300_000, 200_846, 100_423),
             "15,000,000 × 174 / 10,000 = 261,000; × 30 / 10,000 = 45,000; JHT 555,000 and 300,000; JP on 10,042,300"),
        Case("no programme covered", wage: 3_000_000, [], expected: (0, 0, 0, 0, 0, 0), "nothing is computed"),
        Case("JKK and JKM only", wage: 3_000_000, risk: .low, [.jkk, .jkm], expected: (16_200, 9_000, 0, 0, 0, 0),
             "16,200 and 9,000; JHT and JP not covered"),
        Case("no JP, so no ceiling needed in 2025-03", wage: 3_000_000, [.jkk, .jkm, .jht], period: "2025-03",
             expected: (7_200, 9_000, 111_000, 60_000, 0, 0),
             "the rates are open-ended; JP is not covered, so the missing 2025-03 ceiling does not matter"),
    ]

    @Test("premium lines, hand-computed", arguments: PremiumLinesTests.cases)
    func premiumLines(_ c: Case) throws {
        let rates = try PremiumRateFixture.rates()
        let lines = try rates.lines(wage: Rupiah(c.wage), riskClass: c.riskClass, programmes: c.programmes,
                                    period: period(c.period))
        let (jkk, jkm, jhtEmployer, jhtEmployee, jpEmployer, jpEmployee) = c.expected
        #expect(lines.jkk == Rupiah(jkk), "\(c.arithmetic)")
        #expect(lines.jkm == Rupiah(jkm), "\(c.arithmetic)")
        #expect(lines.jhtEmployer == Rupiah(jhtEmployer), "\(c.arithmetic)")
        #expect(lines.jhtEmployee == Rupiah(jhtEmployee), "\(c.arithmetic)")
        #expect(lines.jpEmployer == Rupiah(jpEmployer), "\(c.arithmetic)")
        #expect(lines.jpEmployee == Rupiah(jpEmployee), "\(c.arithmetic)")
        // Totals are sums of the rounded lines.
        #expect(lines.employerTotal == Rupiah(jkk + jkm + jhtEmployer + jpEmployer))
        #expect(lines.employeeTotal == Rupiah(jhtEmployee + jpEmployee))
        #expect(lines.total == Rupiah(jkk + jkm + jhtEmployer + jhtEmployee + jpEmployer + jpEmployee))
    }

    @Test("totals are sums of rounded lines, not the rounded sum of rates")
    func totalsSumRoundedLines() throws {
        let lines = try PremiumRateFixture.rates().lines(
            wage: Rupiah(4_567_891), riskClass: .veryLow, programmes: allProgrammes, period: period("2024-05"))
        // Employer: 10,963 + 13,704 + 169,012 + 91,358 = 285,037. Employee: 91,358 + 45,679 = 137,037.
        #expect(lines.employerTotal == Rupiah(285_037))
        #expect(lines.employeeTotal == Rupiah(137_037))
        #expect(lines.total == Rupiah(422_074))
        // Rounding the summed rate instead, 924 bp: 4,567,891 × 924 = 4,220,731,284 → 422,073.1284 → 422,073.
        #expect(try Rupiah(4_567_891).applying(BasisPoints(924)) == Rupiah(422_073))
    }

    /// A case that must be refused, with the error it must raise.
    struct ErrorCase: Sendable, CustomTestStringConvertible {
        let name: String
        let wage: Int64
        let programmes: Set<Programme>
        let period: String
        let error: PremiumError
        /// Words the operator's message must contain.
        let message: [String]
        var testDescription: String { name }
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase(name: "no JP ceiling for 2025-03", wage: 3_000_000, programmes: allProgrammes, period: "2025-03",
                  error: .noJPWageCeiling(period: period("2025-03")),
                  message: ["2025-03", "bpjs-rates.toml", "[[jp_ceiling]]", "add"]),
        ErrorCase(name: "JP before the first ceiling, 2023-02", wage: 3_000_000, programmes: [.jp], period: "2023-02",
                  error: .noJPWageCeiling(period: period("2023-02")),
                  message: ["2023-02", "bpjs-rates.toml"]),
        ErrorCase(name: "JKK before the table starts, 2023-02", wage: 3_000_000, programmes: [.jkk], period: "2023-02",
                  error: .noRateInForce(programme: .jkk, share: .employer, riskClass: .medium, period: period("2023-02")),
                  message: ["JKK", "risk class 3", "2023-02", "bpjs-rates.toml"]),
        ErrorCase(name: "JKM before the table starts, 2023-02", wage: 3_000_000, programmes: [.jkm], period: "2023-02",
                  error: .noRateInForce(programme: .jkm, share: .employer, riskClass: nil, period: period("2023-02")),
                  message: ["JKM", "2023-02"]),
        ErrorCase(name: "wage Rp 0", wage: 0, programmes: allProgrammes, period: "2024-05",
                  error: .wageNotPositive(wage: .zero), message: ["Rp 0", "wage"]),
        ErrorCase(name: "negative wage", wage: -1, programmes: [], period: "2024-05",
                  error: .wageNotPositive(wage: Rupiah(-1)), message: ["Rp -1", "wage"]),
    ]

    @Test("refused wage cases", arguments: PremiumLinesTests.errorCases)
    func premiumLineErrors(_ c: ErrorCase) throws {
        let rates = try PremiumRateFixture.rates()
        let error = #expect(throws: PremiumError.self) {
            try rates.lines(wage: Rupiah(c.wage), riskClass: .medium, programmes: c.programmes, period: period(c.period))
        }
        #expect(error == c.error)
        for word in c.message {
            #expect(error?.description.contains(word) == true, "\(error?.description ?? "") lacks \(word)")
        }
    }

    @Test("a programme whose rate ends names programme, share and period")
    func rateEndedNamesProgramme() throws {
        var source = PremiumRateFixture.source
        for index in source.wageRates.indices where source.wageRates[index].programme == .jht
            && source.wageRates[index].share == .employee {
            source.wageRates[index].to = period("2024-12")
        }
        let rates = try PremiumRates(source)
        #expect(throws: PremiumError.noRateInForce(programme: .jht, share: .employee, riskClass: nil, period: period("2025-01"))) {
            try rates.lines(wage: Rupiah(3_000_000), riskClass: .veryLow, programmes: [.jht], period: period("2025-01"))
        }
        // The month before still works: 3,000,000 × 200 / 10,000 = 60,000.
        let december = try rates.lines(wage: Rupiah(3_000_000), riskClass: .veryLow, programmes: [.jht], period: period("2024-12"))
        #expect(december.jhtEmployee == Rupiah(60_000))
    }

    @Test("an overflowing total throws instead of wrapping")
    func overflowThrows() throws {
        var source = PremiumRateFixture.source
        for index in source.wageRates.indices where source.wageRates[index].programme == .jht {
            source.wageRates[index].rate = BasisPoints(10_000)
        }
        let rates = try PremiumRates(source)
        // JHT employer = Int64.max × 100 % = Int64.max, so JKK + JHT employer cannot fit the employer total.
        let error = #expect(throws: PremiumError.self) {
            try rates.lines(wage: Rupiah(Int64.max), riskClass: .veryLow, programmes: [.jkk, .jht], period: period("2024-05"))
        }
        guard case .overflow = error else {
            Issue.record("expected an overflow, got \(String(describing: error))")
            return
        }
    }

    @Test("the JP ceiling in force, by period")
    func jpCeilingLookup() throws {
        let rates = try PremiumRateFixture.rates()
        #expect(try rates.jpWageCeiling(in: period("2023-03")) == Rupiah(9_559_600))
        #expect(try rates.jpWageCeiling(in: period("2024-02")) == Rupiah(9_559_600))
        #expect(try rates.jpWageCeiling(in: period("2024-03")) == Rupiah(10_042_300))
        #expect(try rates.jpWageCeiling(in: period("2025-02")) == Rupiah(10_042_300))
        #expect(throws: PremiumError.noJPWageCeiling(period: period("2025-03"))) {
            try rates.jpWageCeiling(in: period("2025-03"))
        }
    }
}

// MARK: - Shared fixture

/// The rate table the premium tests share, built in code like config/bpjs-rates.toml.
enum PremiumRateFixture {
    static let start = period("2023-03")

    static func wage(_ programme: Programme, _ share: PremiumShare, _ bp: Int64,
                     _ regulation: String) -> PremiumRates.Source.WageRate {
        .init(programme: programme, share: share, rate: BasisPoints(bp), from: start, regulation: regulation)
    }

    static func jkk(_ riskClass: RiskClass, _ bp: Int64) -> PremiumRates.Source.WageRate {
        .init(programme: .jkk, share: .employer, riskClass: riskClass, rate: BasisPoints(bp), from: start,
              regulation: "PP 44/2015")
    }

    static let source = PremiumRates.Source(
        wageRates: [
            jkk(.veryLow, 24),
            jkk(.low, 54),
            jkk(.medium, 89),
            jkk(.high, 127),
            jkk(.veryHigh, 174),
            wage(.jkm, .employer, 30, "PP 44/2015"),
            wage(.jht, .employer, 370, "PP 46/2015"),
            wage(.jht, .employee, 200, "PP 46/2015"),
            wage(.jp, .employer, 200, "PP 45/2015"),
            wage(.jp, .employee, 100, "PP 45/2015"),
        ],
        jpCeilings: [
            .init(amount: Rupiah(9_559_600), from: start, to: period("2024-02"), regulation: "PP 45/2015"),
            .init(amount: Rupiah(10_042_300), from: period("2024-03"), to: period("2025-02"), regulation: "PP 45/2015"),
        ],
        bpuRates: [
            .init(programme: .jkk, contribution: .percentOfIncome(BasisPoints(100)), from: start, regulation: "PP 44/2015"),
            .init(programme: .jkm, contribution: .flat(Rupiah(6_800)), from: start, regulation: "PP 44/2015"),
            .init(programme: .jht, contribution: .percentOfIncome(BasisPoints(200)), from: start, regulation: "PP 46/2015"),
        ],
        bpuIncomes: [
            .init(minimum: Rupiah(1_000_000), maximum: Rupiah(20_700_000), from: start, regulation: "PP 44/2015"),
        ]
    )

    static func rates() throws -> PremiumRates { try PremiumRates(source) }
}

/// A period from literal text in a test.
private func period(_ text: String) -> Period {
    guard let period = Period(text) else { preconditionFailure("bad test period \(text)") }
    return period
}
