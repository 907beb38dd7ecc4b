import Foundation
import Testing
import SalurConfig
import SalurCore

/// The rate table Salur ships: built in, identical to `config/bpjs-rates.toml`, complete from
/// 2015-07 to its last JP ceiling, and every ceiling the one PP 45/2015 art. 29(3) gives.
@Suite("built-in BPJS rates")
struct BuiltInRatesTests {
    static let builtIn: PremiumRates = {
        do { return try BPJSRatesFile.builtIn() } catch { preconditionFailure("built-in table refused: \(error)") }
    }()

    @Test("the built-in table is config/bpjs-rates.toml as it is now (run scripts/builtin-rates.sh after editing it)")
    func builtInIsTheShippedFile() throws {
        let file = try String(contentsOfFile: PayrollFixture.ratesPath, encoding: .utf8)
        #expect(BPJSRatesFile.builtInText == file)
        #expect(Self.builtIn.source.wageRates.count == PayrollFixture.rates.source.wageRates.count)
        #expect(Self.builtIn.source.jpCeilings.map(\.amount) == PayrollFixture.rates.source.jpCeilings.map(\.amount))
    }

    @Test("every period from 2015-07 to 2027-02 has every rate, ceiling and BPU rule; the months around do not")
    func coversEveryPeriodSince2015() throws {
        let rates = Self.builtIn
        #expect(rates.coveredFrom == Period("2015-07"))
        #expect(rates.end?.period == Period("2027-02"))
        #expect(rates.end?.row.contains("[[jp_ceiling]]") == true)
        var period = Period("2015-07")!
        var count = 0
        while period <= Period("2027-02")! {
            let inForce = rates.inForce(period)
            #expect(inForce.missing.isEmpty, "\(period): \(inForce.missing)")
            #expect(inForce.wageRates.count == 10)
            period = period.next
            count += 1
        }
        #expect(count == 140)
        #expect(rates.inForce(Period("2015-06")!).missing.count == 15)
        #expect(rates.inForce(Period("2027-03")!).missing == [.noJPWageCeiling(period: Period("2027-03")!)])
    }

    /// BPS's PDB growth of the year before each March, in basis points, as announced each February.
    static let pdbGrowth: [(year: Int, basisPoints: Int64)] = [
        (2016, 479), (2017, 502), (2018, 507), (2019, 517), (2020, 502), (2021, -207), (2022, 369),
        (2023, 531), (2024, 505), (2025, 503), (2026, 511),
    ]

    @Test("each March's JP ceiling is the year before's × (1 + PDB growth), rounded down to Rp 100 (PP 45/2015 art. 29(3))")
    func ceilingsFollowTheRegulation() throws {
        let ceilings = Self.builtIn.source.jpCeilings.sorted { $0.from < $1.from }
        #expect(ceilings.first?.amount == Rupiah(7_000_000))
        #expect(ceilings.first?.from == Period("2015-07"))
        #expect(ceilings.count == Self.pdbGrowth.count + 1)
        for (index, growth) in Self.pdbGrowth.enumerated() {
            let previous = ceilings[index].amount.value, row = ceilings[index + 1]
            let expected = previous * (10_000 + growth.basisPoints) / 10_000 / 100 * 100
            #expect(row.amount.value == expected, "\(row)")
            #expect(row.from == Period(year: growth.year, month: 3))
            #expect(row.to == Period(year: growth.year + 1, month: 2))
            #expect(row.source?.isEmpty == false)
        }
        // The ceilings BPJS Ketenagakerjaan announced and the issue names.
        let byYear = Dictionary(uniqueKeysWithValues: ceilings.map { ($0.from.year, $0.amount.value) })
        #expect(byYear[2024] == 10_042_300)
        #expect(byYear[2025] == 10_547_400)
        #expect(byYear[2021] == 8_754_600)
    }

    @Test("premiums out of the box: Kupang's first PKS period (2021-06) and this month's payroll (2026-11)")
    func premiumsOutOfTheBox() throws {
        let kupang = try Self.builtIn.lines(wage: Rupiah(2_750_000), riskClass: .veryLow, programmes: [.jkk, .jkm],
                                            period: Period("2021-06")!)
        #expect(kupang.jkk == Rupiah(6_600))   // 0.24 %
        #expect(kupang.jkm == Rupiah(8_250))   // 0.30 %
        let high = try Self.builtIn.lines(wage: Rupiah(12_000_000), riskClass: .low, programmes: [.jkk, .jkm, .jht, .jp],
                                          period: Period("2026-11")!)
        #expect(high.jpEmployer == Rupiah(221_726))   // 2 % of the 2026 ceiling Rp 11,086,300
        #expect(high.jpEmployee == Rupiah(110_863))
        #expect(high.jhtEmployer == Rupiah(444_000))
        let before = try Self.builtIn.lines(wage: Rupiah(12_000_000), riskClass: .low, programmes: [.jp], period: Period("2025-02")!)
        #expect(before.jpEmployer == Rupiah(200_846))  // 2 % of Rp 10,042,300
    }

    @Test("a configured rates file replaces the built-in table whole")
    func fileReplacesBuiltIn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("salur-rates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // The shipped table cut to 2023-03 onwards, as installations of earlier versions have it.
        let cut = BPJSRatesFile.builtInText.replacingOccurrences(of: "from = \"2015-07\"", with: "from = \"2023-03\"")
            .components(separatedBy: "[[jp_ceiling]]").enumerated()
            .filter { index, part in index == 0 || !(2016...2023).contains { part.contains("to = \"\($0)-02\"") } }
            .map(\.element).joined(separator: "[[jp_ceiling]]")
        let path = dir.appendingPathComponent("bpjs-rates.toml").path
        try cut.write(toFile: path, atomically: true, encoding: .utf8)
        let own = try BPJSRatesFile.load(configured: path)
        #expect(own.coveredFrom == Period("2023-03"))
        #expect(throws: PremiumError.noRateInForce(programme: .jkk, share: .employer, riskClass: .veryLow, period: Period("2021-06")!)) {
            try own.lines(wage: Rupiah(2_750_000), riskClass: .veryLow, programmes: [.jkk], period: Period("2021-06")!)
        }
        #expect(try BPJSRatesFile.load(configured: nil) == Self.builtIn)
        #expect(own.inForce(Period("2026-11")!).jpCeiling?.origin?.hasPrefix(path + ":") == true)
    }
}
