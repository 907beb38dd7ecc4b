import Testing
import SalurCore

/// Rupiah arithmetic and parsing: DESIGN.md §3 (whole rupiah in Int64, basis points rounded
/// half-up once, overflow refused, SNAP's "300000.00" on the wire).
@Suite("Money")
struct MoneyTests {
    // MARK: Basis-point rounding

    /// amount × bp / 10 000, rounded half away from zero.
    @Test("applying basis points rounds half-up, once", arguments: [
        (1_250, 2, 0),             // 0.25 → 0
        (2_500, 2, 1),             // 0.5 → 1
        (7_499, 2, 1),             // 1.4998 → 1
        (7_500, 2, 2),             // 1.5 → 2
        (3_000_000, 24, 7_200),    // JKK 0.24 % of Rp 3,000,000
        (3_333_333, 24, 8_000),    // 7,999.9992 → 8,000
        (3_333_333, 30, 10_000),   // 9,999.999 → 10,000
        (10_042_300, 100, 100_423), // JP 1 % at the 2024 ceiling: 100,423.00
        (10_042_300, 370, 371_565), // JHT 3.7 %: 371,565.1 → 371,565
        (4_999, 1, 0),             // 0.4999 → 0
        (5_000, 1, 1),             // 0.5 → 1
        (0, 174, 0),
        (1, 10_000, 1),            // 100 % is the identity
        (-2_500, 2, -1),           // −0.5 → −1: half away from zero
        (-1_250, 2, 0),            // −0.25 → 0
        (-7_500, 2, -2),           // −1.5 → −2
        (2_500, -2, -1),           // a negative rate rounds the same way
    ] as [(Int64, Int64, Int64)])
    func basisPointRounding(amount: Int64, bp: Int64, expected: Int64) throws {
        #expect(try Rupiah(amount).applying(BasisPoints(bp)) == Rupiah(expected))
    }

    @Test("BasisPoints parses percentages exactly", arguments: [
        ("0.24", 24), ("3.7", 370), ("2", 200), ("1.74", 174), ("0.3", 30), ("0", 0), ("100", 10_000),
    ] as [(String, Int64)])
    func basisPointsFromPercent(text: String, expected: Int64) {
        #expect(BasisPoints(percent: text) == BasisPoints(expected))
    }

    @Test("BasisPoints refuses what it cannot hold exactly", arguments: [
        "0.245", "-1", "", ".5", "1.", "1.2.3", "abc", "1,5", "0.2x",
    ])
    func basisPointsRefused(text: String) {
        #expect(BasisPoints(percent: text) == nil)
    }

    @Test func basisPointsDescription() {
        #expect(BasisPoints(24).description == "0.24 %")
        #expect(BasisPoints(370).description == "3.70 %")
        #expect(BasisPoints(200).description == "2 %")
        #expect(BasisPoints(5).description == "0.05 %")
    }

    @Test("a negative rate below 1 % keeps its sign in its description")
    func negativeBasisPointsDescription() {
        #expect(BasisPoints(-24).description == "-0.24 %")
        #expect(BasisPoints(-150).description == "-1.50 %")
    }

    // MARK: Overflow

    @Test func addingOverflowThrows() throws {
        #expect(throws: MoneyError.self) { try Rupiah(.max).adding(Rupiah(1)) }
        #expect(throws: MoneyError.self) { try Rupiah(.min).adding(Rupiah(-1)) }
        #expect(try Rupiah(.max - 1).adding(Rupiah(1)) == Rupiah(.max))
    }

    @Test func subtractingOverflowThrows() throws {
        #expect(throws: MoneyError.self) { try Rupiah(.min).subtracting(Rupiah(1)) }
        #expect(throws: MoneyError.self) { try Rupiah(0).subtracting(Rupiah(.min)) }
        #expect(try Rupiah(300_000).subtracting(Rupiah(100_000)) == Rupiah(200_000))
    }

    @Test func multiplyingOverflowThrows() throws {
        #expect(throws: MoneyError.self) { try Rupiah(.max).multiplied(by: 2) }
        #expect(throws: MoneyError.self) { try Rupiah(.min).multiplied(by: -1) }
        #expect(throws: MoneyError.self) { try Rupiah(4_611_686_018_427_387_904).multiplied(by: 2) } // 2^62 × 2
        #expect(try Rupiah(300_000).multiplied(by: 3_000) == Rupiah(900_000_000))
        #expect(try Rupiah(.max).multiplied(by: 1) == Rupiah(.max))
    }

    @Test func applyingOverflowThrows() throws {
        // Int64.max × 100.01 % does not fit; × 100 % and × 1 bp do.
        #expect(throws: MoneyError.self) { try Rupiah(.max).applying(BasisPoints(10_001)) }
        #expect(throws: MoneyError.self) { try Rupiah(.max).applying(BasisPoints(.max)) }
        #expect(throws: MoneyError.self) { try Rupiah(.min).applying(BasisPoints(-10_000)) }
        #expect(try Rupiah(.max).applying(BasisPoints(10_000)) == Rupiah(.max))
        // Int64.max = 922,337,203,685,477,5807 → /10 000 = 922,337,203,685,477.5807 → rounds up.
        #expect(try Rupiah(.max).applying(BasisPoints(1)) == Rupiah(922_337_203_685_478))
    }

    @Test func overflowErrorNamesTheOperation() {
        #expect(throws: MoneyError.overflow(operation: "\(Int64.max) + 1")) { try Rupiah(.max).adding(Rupiah(1)) }
        #expect(MoneyError.overflow(operation: "1 + 2").description.contains("refusing to wrap"))
    }

    @Test func sum() throws {
        #expect(try Rupiah.sum([Rupiah(300_000), Rupiah(250_000), Rupiah(50_000)]) == Rupiah(600_000))
        #expect(try Rupiah.sum([Rupiah]()) == .zero)
        #expect(throws: MoneyError.self) { try Rupiah.sum([Rupiah(.max), Rupiah(1)]) }
        // Overflow part-way is refused even if a later term would bring it back in range.
        #expect(throws: MoneyError.self) { try Rupiah.sum([Rupiah(.max), Rupiah(1), Rupiah(-2)]) }
    }

    // MARK: Wire and text forms

    @Test("snapValue round-trips", arguments: [0, 1, 300_000, 10_042_300, Int64.max, -5_000] as [Int64])
    func snapRoundTrip(value: Int64) {
        let amount = Rupiah(value)
        #expect(Rupiah(snapValue: amount.snapValue) == amount)
    }

    @Test func snapValueForm() {
        #expect(Rupiah(300_000).snapValue == "300000.00")
        #expect(Rupiah(0).snapValue == "0.00")
        #expect(Rupiah(snapValue: "300000") == Rupiah(300_000))
    }

    @Test("snapValue refuses fractions and junk", arguments: ["300000.50", "300000.", ".00", "", "abc", "1.5", "12,00", "9223372036854775808.00"])
    func snapValueRefused(text: String) {
        #expect(Rupiah(snapValue: text) == nil)
    }

    @Test func descriptions() {
        #expect(Rupiah(1_250_000).description == "Rp 1.250.000")
        #expect(Rupiah(1_250_000).grouped == "1,250,000")
        #expect(Rupiah(999).grouped == "999")
        #expect(Rupiah(-1_000).description == "Rp -1.000")
    }
}
