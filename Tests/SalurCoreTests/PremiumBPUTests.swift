import Testing
import SalurCore

struct PremiumBPUTests {
    /// A non-wage worker's case: declared income and the expected JKK, JKM, JHT and total.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let income: Int64
        let expected: (jkk: Int64, jkm: Int64, jht: Int64, total: Int64)
        let arithmetic: String
        var testDescription: String { name }
    }

    /// Rules in force in 2024-05: JKK 1 % (100 bp), JKM Rp 6,800 flat, JHT 2 % (200 bp), declared income
    /// Rp 1,000,000 … Rp 20,700,000.
    static let cases: [Case] = [
        Case(name: "minimum declared income", income: 1_000_000, expected: (10_000, 6_800, 20_000, 36_800),
             arithmetic: "1,000,000 × 100 / 10,000 = 10,000 (the Rp 10,000 JKK minimum); 6,800; × 200 / 10,000 = 20,000; total 36,800"),
        Case(name: "maximum declared income", income: 20_700_000, expected: (207_000, 6_800, 414_000, 627_800),
             arithmetic: "20,700,000 × 100 / 10,000 = 207,000; 6,800; × 200 / 10,000 = 414,000; total 627,800"),
        Case(name: "odd declared income", income: 2_345_678, expected: (23_457, 6_800, 46_914, 77_171),
             arithmetic: "2,345,678 × 100 = 234,567,800 → 23,456.78 → 23,457; × 200 = 469,135,600 → 46,913.56 → 46,914; total 77,171"),
        Case(name: "JKK at .5 rounds up", income: 1_000_050, expected: (10_001, 6_800, 20_001, 36_802),
             arithmetic: "1,000,050 × 100 = 100,005,000 → 10,000.5 → 10,001; × 200 = 200,010,000 → 20,001; total 36,802"),
        Case(name: "JHT at .5 rounds up, JKK below .5 down", income: 1_000_025, expected: (10_000, 6_800, 20_001, 36_801),
             arithmetic: "1,000,025 × 100 = 100,002,500 → 10,000.25 → 10,000; × 200 = 200,005,000 → 20,000.5 → 20,001; total 36,801"),
    ]

    @Test("BPU lines, hand-computed", arguments: PremiumBPUTests.cases)
    func bpuLines(_ c: Case) throws {
        let lines = try PremiumRateFixture.rates().bpuLines(declaredIncome: Rupiah(c.income), period: period("2024-05"))
        #expect(lines.jkk == Rupiah(c.expected.jkk), "\(c.arithmetic)")
        #expect(lines.jkm == Rupiah(c.expected.jkm), "\(c.arithmetic)")
        #expect(lines.jht == Rupiah(c.expected.jht), "\(c.arithmetic)")
        #expect(lines.total == Rupiah(c.expected.total), "\(c.arithmetic)")
        #expect(lines.total == Rupiah(c.expected.jkk + c.expected.jkm + c.expected.jht))
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        let name: String
        let income: Int64
        let period: String
        let error: PremiumError
        let message: [String]
        var testDescription: String { name }
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase(name: "one rupiah below the minimum", income: 999_999, period: "2024-05",
                  error: .declaredIncomeOutOfRange(declaredIncome: Rupiah(999_999), minimum: Rupiah(1_000_000),
                                                   maximum: Rupiah(20_700_000), period: period("2024-05")),
                  message: ["Rp 999.999", "Rp 1.000.000", "Rp 20.700.000", "2024-05"]),
        ErrorCase(name: "one rupiah above the maximum", income: 20_700_001, period: "2024-05",
                  error: .declaredIncomeOutOfRange(declaredIncome: Rupiah(20_700_001), minimum: Rupiah(1_000_000),
                                                   maximum: Rupiah(20_700_000), period: period("2024-05")),
                  message: ["Rp 20.700.001", "Rp 1.000.000", "Rp 20.700.000", "not rounded into the range"]),
        ErrorCase(name: "nothing declared", income: 0, period: "2024-05",
                  error: .declaredIncomeOutOfRange(declaredIncome: .zero, minimum: Rupiah(1_000_000),
                                                   maximum: Rupiah(20_700_000), period: period("2024-05")),
                  message: ["Rp 0", "Rp 1.000.000"]),
        ErrorCase(name: "before the table starts", income: 1_000_000, period: "2023-02",
                  error: .noBPUIncomeRange(period: period("2023-02")),
                  message: ["2023-02", "[[bpu_income]]", "bpjs-rates.toml"]),
    ]

    @Test("refused BPU cases", arguments: PremiumBPUTests.errorCases)
    func bpuErrors(_ c: ErrorCase) throws {
        let rates = try PremiumRateFixture.rates()
        let error = #expect(throws: PremiumError.self) {
            try rates.bpuLines(declaredIncome: Rupiah(c.income), period: period(c.period))
        }
        #expect(error == c.error)
        for word in c.message {
            #expect(error?.description.contains(word) == true, "\(error?.description ?? "") lacks \(word)")
        }
    }

    @Test("a BPU programme with no rule in force is named")
    func bpuRuleMissing() throws {
        var source = PremiumRateFixture.source
        source.bpuRates.removeAll { $0.programme == .jkm }
        let rates = try PremiumRates(source)
        #expect(throws: PremiumError.noBPURateInForce(programme: .jkm, period: period("2024-05"))) {
            try rates.bpuLines(declaredIncome: Rupiah(1_000_000), period: period("2024-05"))
        }
    }
}

/// A period from literal text in a test.
private func period(_ text: String) -> Period {
    guard let period = Period(text) else { preconditionFailure("bad test period \(text)") }
    return period
}
