import Testing
import SalurCore

private typealias WageRate = PremiumRates.Source.WageRate
private typealias JPCeiling = PremiumRates.Source.JPCeiling

/// The fixture with one series' rows replaced.
private func fixture(replacing programme: Programme, _ share: PremiumShare, with rows: [WageRate]) -> PremiumRates.Source {
    var source = PremiumRateFixture.source
    source.wageRates.removeAll { $0.programme == programme && $0.share == share }
    source.wageRates += rows
    return source
}

private func jkm(_ from: String, _ to: String?, origin: String? = nil) -> WageRate {
    WageRate(programme: .jkm, share: .employer, rate: BasisPoints(30), from: period(from), to: to.map(period),
             regulation: "PP 44/2015", origin: origin)
}

private func ceiling(_ amount: Int64, _ from: String, _ to: String?) -> JPCeiling {
    JPCeiling(amount: Rupiah(amount), from: period(from), to: to.map(period), regulation: "PP 45/2015")
}

private let overlapA = jkm("2023-03", "2024-06", origin: "bpjs-rates.toml:60")
private let overlapB = jkm("2024-01", nil, origin: "bpjs-rates.toml:67")
private let openA = jkm("2023-03", nil)
private let openB = jkm("2024-03", nil)
private let longRow = jkm("2023-03", "2025-12")
private let insideRow = jkm("2024-01", "2024-02")
private let afterInside = jkm("2024-03", nil)
private let gapBefore = ceiling(9_559_600, "2023-03", "2024-02")
private let gapAfter = ceiling(10_042_300, "2024-04", "2025-02")
private let backwards = jkm("2024-03", "2024-02")
private let openCeiling = ceiling(10_042_300, "2024-03", nil)
private let jkkNoClass = WageRate(programme: .jkk, share: .employer, rate: BasisPoints(24), from: period("2023-03"),
                                  regulation: "PP 44/2015")
private let jhtWithClass = WageRate(programme: .jht, share: .employer, riskClass: .high, rate: BasisPoints(370),
                                    from: period("2023-03"), regulation: "PP 46/2015")
private let jkmEmployee = WageRate(programme: .jkm, share: .employee, rate: BasisPoints(30), from: period("2023-03"),
                                   regulation: "PP 44/2015")
private let tooHigh = WageRate(programme: .jkm, share: .employer, rate: BasisPoints(10_001), from: period("2023-03"),
                               regulation: "PP 44/2015")
private let noRegulation = WageRate(programme: .jkm, share: .employer, rate: BasisPoints(30), from: period("2023-03"),
                                    regulation: " ")
private let bpuJP = PremiumRates.Source.BPURate(programme: .jp, contribution: .percentOfIncome(BasisPoints(100)),
                                                from: period("2023-03"), regulation: "PP 45/2015")
private let bpuNegativeFlat = PremiumRates.Source.BPURate(programme: .jkm, contribution: .flat(Rupiah(-6_800)),
                                                          from: period("2023-03"), regulation: "PP 44/2015")
private let incomeUpsideDown = PremiumRates.Source.BPUIncomeRange(
    minimum: Rupiah(20_700_000), maximum: Rupiah(1_000_000), from: period("2023-03"), regulation: "PP 44/2015")

struct PremiumRatesValidationTests {
    /// A table that `validate()` must refuse, with exactly the problems it must report.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let source: PremiumRates.Source
        let problems: [RateTableProblem]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "two JKM rows overlap in 2024-01…2024-06",
             source: fixture(replacing: .jkm, .employer, with: [overlapA, overlapB]),
             problems: [.overlap(row: overlapA.description, other: overlapB.description, period: period("2024-01"))]),
        Case(name: "two open-ended JKM rows", source: fixture(replacing: .jkm, .employer, with: [openB, openA]),
             problems: [.overlap(row: openA.description, other: openB.description, period: period("2024-03"))]),
        Case(name: "one long row overlaps two later ones",
             source: fixture(replacing: .jkm, .employer, with: [longRow, insideRow, afterInside]),
             problems: [.overlap(row: longRow.description, other: insideRow.description, period: period("2024-01")),
                        .overlap(row: longRow.description, other: afterInside.description, period: period("2024-03"))]),
        Case(name: "JP ceilings leave 2024-03 uncovered",
             source: { var s = PremiumRateFixture.source; s.jpCeilings = [gapAfter, gapBefore]; return s }(),
             problems: [.gap(after: gapBefore.description, before: gapAfter.description,
                             missingFrom: period("2024-03"), missingTo: period("2024-03"))]),
        Case(name: "a row ending before it starts",
             source: fixture(replacing: .jkm, .employer, with: [jkm("2023-03", "2024-02"), backwards]),
             problems: [.endsBeforeItStarts(row: backwards.description)]),
        Case(name: "an open-ended JP ceiling",
             source: { var s = PremiumRateFixture.source; s.jpCeilings[1] = openCeiling; return s }(),
             problems: [.openEndedCeiling(row: openCeiling.description)]),
        Case(name: "JKK without a risk class",
             source: { var s = PremiumRateFixture.source; s.wageRates.append(jkkNoClass); return s }(),
             problems: [.riskClassRequired(row: jkkNoClass.description)]),
        Case(name: "a risk class on JHT",
             source: fixture(replacing: .jht, .employer, with: [jhtWithClass]),
             problems: [.riskClassNotAllowed(row: jhtWithClass.description)]),
        Case(name: "an employee share of JKM",
             source: { var s = PremiumRateFixture.source; s.wageRates.append(jkmEmployee); return s }(),
             problems: [.employerOnly(row: jkmEmployee.description)]),
        Case(name: "JKK risk class 5 missing",
             source: { var s = PremiumRateFixture.source; s.wageRates.removeAll { $0.riskClass == .veryHigh }; return s }(),
             problems: [.riskClassNotCovered(.veryHigh)]),
        Case(name: "a rate above 100 %", source: fixture(replacing: .jkm, .employer, with: [tooHigh]),
             problems: [.rateOutOfRange(row: tooHigh.description)]),
        Case(name: "a row without a regulation", source: fixture(replacing: .jkm, .employer, with: [noRegulation]),
             problems: [.regulationMissing(row: noRegulation.description)]),
        Case(name: "JP for BPU", source: { var s = PremiumRateFixture.source; s.bpuRates.append(bpuJP); return s }(),
             problems: [.notABPUProgramme(row: bpuJP.description)]),
        Case(name: "a negative BPU flat amount",
             source: { var s = PremiumRateFixture.source; s.bpuRates[1] = bpuNegativeFlat; return s }(),
             problems: [.amountNotPositive(row: bpuNegativeFlat.description)]),
        Case(name: "BPU income minimum above maximum",
             source: { var s = PremiumRateFixture.source; s.bpuIncomes = [incomeUpsideDown]; return s }(),
             problems: [.incomeRangeEmpty(row: incomeUpsideDown.description)]),
        Case(name: "every problem is reported at once",
             source: {
                 var s = fixture(replacing: .jkm, .employer, with: [overlapA, overlapB])
                 s.jpCeilings = [gapBefore, gapAfter]
                 return s
             }(),
             problems: [.overlap(row: overlapA.description, other: overlapB.description, period: period("2024-01")),
                        .gap(after: gapBefore.description, before: gapAfter.description,
                             missingFrom: period("2024-03"), missingTo: period("2024-03"))]),
    ]

    @Test("validate() refuses", arguments: PremiumRatesValidationTests.cases)
    func validateRefuses(_ c: Case) {
        let error = #expect(throws: RateTableError.self) { try c.source.validate() }
        #expect(error?.problems == c.problems)
        #expect(throws: RateTableError.self) { try PremiumRates(c.source) }
    }

    @Test("the fixture mirroring bpjs-rates.toml is valid")
    func fixtureIsValid() throws {
        try PremiumRateFixture.source.validate()
    }

    @Test("rates that change month to month tile without a gap")
    func adjacentRowsAreValid() throws {
        let source = fixture(replacing: .jkm, .employer, with: [jkm("2024-03", nil), jkm("2023-03", "2024-02")])
        try source.validate()
    }

    @Test("a refusal names the row, where it came from, and what to do")
    func refusalMessage() {
        let source = fixture(replacing: .jkm, .employer, with: [overlapA, overlapB])
        let error = #expect(throws: RateTableError.self) { try source.validate() }
        let message = error?.description ?? ""
        #expect(message.contains("1 problem"))
        #expect(message.contains("[[wage_rate]] JKM employer 0.30 % 2023-03…2024-06, PP 44/2015 (bpjs-rates.toml:60)"))
        #expect(message.contains("[[wage_rate]] JKM employer 0.30 % 2024-01…(open), PP 44/2015 (bpjs-rates.toml:67)"))
        #expect(message.contains("both apply to 2024-01"))
    }

    @Test("a gap message names the missing periods")
    func gapMessage() {
        let problem = RateTableProblem.gap(after: gapBefore.description, before: gapAfter.description,
                                           missingFrom: period("2024-03"), missingTo: period("2024-03"))
        #expect(problem.description.hasPrefix("no row covers 2024-03…2024-03 between [[jp_ceiling]] Rp 9.559.600 2023-03…2024-02"))
    }
}

/// A period from literal text in a test.
private func period(_ text: String) -> Period {
    guard let period = Period(text) else { preconditionFailure("bad test period \(text)") }
    return period
}
