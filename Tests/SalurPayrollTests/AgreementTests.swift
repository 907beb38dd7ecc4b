import Testing
import SalurCore

/// Which payroll periods an agreement covers, and when a remittance is late.
@Suite("Agreements and due dates")
struct AgreementTests {
    typealias F = PayrollFixture

    /// Kota Kupang's PKS runs 2021-04-10 to 2024-04-09. A period belongs to the agreement in force on
    /// its first day: 2021-04-01 is before the 10th (refused), 2024-04-01 is before the 9th (covered).
    static let kupangEdges: [(period: String, covered: Bool)] = [
        ("2021-03", false), ("2021-04", false), ("2021-05", true), ("2022-12", true),
        ("2024-03", true), ("2024-04", true), ("2024-05", false),
    ]

    @Test("Kupang's validity edges", arguments: kupangEdges)
    func kupang(_ edge: (period: String, covered: Bool)) {
        #expect(F.kupang.covers(F.period(edge.period)) == edge.covered)
    }

    @Test("first and last periods")
    func span() throws {
        #expect(F.kupang.firstPeriod == F.period("2021-05"))
        #expect(F.kupang.lastPeriod == F.period("2024-04"))
        #expect(F.kendari.firstPeriod == F.period("2024-01"), "from the 1st: that month is covered")
        #expect(F.kendari.lastPeriod == F.period("2025-12"))
    }

    @Test("back-to-back agreements give every month to exactly one of them")
    func renewal() throws {
        let renewal = try Agreement(id: "KUPANG-PKS-2024", employer: "Pemerintah Kota Kupang", programmes: [.jkk, .jkm],
                                    riskClass: .veryLow, validFrom: F.day("2024-04-10"), validTo: F.day("2027-04-09"),
                                    bpjsAccount: "0700000111222", bpjsBankCode: "009", workUnits: nil)
        var period = F.period("2021-05")
        while period <= F.period("2027-04") {
            #expect([F.kupang, renewal].filter { $0.covers(period) }.count == 1, "\(period)")
            period = period.next
        }
        #expect(!renewal.covers(F.period("2024-04")))
        #expect(renewal.covers(F.period("2024-05")))
    }

    @Test("terms that cannot be right are refused, naming the option")
    func refusedTerms() {
        func refusal(_ from: String, _ to: String, programmes: Set<Programme> = [.jkk, .jkm], account: String = "0700000111222",
                     bank: String = "009", units: [String]? = nil) -> String? {
            do {
                _ = try Agreement(id: "X", employer: "Y", programmes: programmes, riskClass: .veryLow, validFrom: F.day(from),
                                  validTo: F.day(to), bpjsAccount: account, bpjsBankCode: bank, workUnits: units)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(refusal("2024-04-10", "2024-04-30")?.hasPrefix("--from: 2024-04-10…2024-04-30 contains no first day of a month") == true)
        #expect(refusal("2024-05-01", "2024-04-30")?.hasPrefix("--to: 2024-04-30 is before") == true)
        #expect(refusal("2024-05-01", "2024-05-01") == nil, "one day, the 1st: covers 2024-05")
        #expect(refusal("2024-01-01", "2024-12-31", programmes: [.jht, .jp])?.hasPrefix("--programs: JKK and JKM are compulsory") == true)
        #expect(refusal("2024-01-01", "2024-12-31", account: "12-34")?.hasPrefix("--bpjs-account:") == true)
        #expect(refusal("2024-01-01", "2024-12-31", bank: "9")?.hasPrefix("--bpjs-bank-code:") == true)
        #expect(refusal("2024-01-01", "2024-12-31", units: ["DLHK", "DLHK"]) == "--work-units: \"DLHK\" is named twice")
        #expect(refusal("2024-01-01", "2024-12-31", units: []) != nil)
    }

    @Test("--programs parsing")
    func programmes() throws {
        #expect(try Agreement.programmes(parsing: "JKK,JKM").get() == [.jkk, .jkm])
        #expect(try Agreement.programmes(parsing: " jkk, JKM ,jht,JP").get() == [.jkk, .jkm, .jht, .jp])
        #expect(throws: TermsError.invalid(field: "programs", reason: "\"XYZ\" is not a programme; use JKK, JKM, JHT, JP")) {
            try Agreement.programmes(parsing: "JKK,JKM,XYZ").get()
        }
        #expect(throws: TermsError.invalid(field: "programs", reason: "JKK is named twice")) { try Agreement.programmes(parsing: "JKK,JKK").get() }
    }

    /// Due the 15th of the next month; each begun month after it counts as a month late.
    static let lateness: [(period: String, today: String, due: String, months: Int)] = [
        ("2024-05", "2024-06-01", "2024-06-15", 0),
        ("2024-05", "2024-06-15", "2024-06-15", 0),
        ("2024-05", "2024-06-16", "2024-06-15", 1),
        ("2024-05", "2024-07-15", "2024-06-15", 1),
        ("2024-05", "2024-07-16", "2024-06-15", 2),
        ("2024-05", "2025-01-01", "2024-06-15", 7),
        ("2024-12", "2025-01-15", "2025-01-15", 0),
        ("2024-12", "2025-02-16", "2025-01-15", 2),
    ]

    @Test("due date and months late", arguments: lateness)
    func late(_ c: (period: String, today: String, due: String, months: Int)) {
        let lateness = RemittanceLateness(period: F.period(c.period), today: F.day(c.today))
        #expect(lateness.dueDate == F.day(c.due))
        #expect(lateness.monthsLate == c.months)
        #expect(lateness.isLate == (c.months > 0))
    }

    @Test("penalty: 2 % per month late, rounded half up once, information only")
    func penalty() throws {
        let two = RemittanceLateness(period: F.period("2024-05"), today: F.day("2024-08-02"))
        #expect(two.monthsLate == 2)
        #expect(try two.penalty(on: Rupiah(1_850_047)) == Rupiah(74_002), "1,850,047 × 400 / 10,000 = 74,001.88 → 74,002")
        let one = RemittanceLateness(period: F.period("2024-05"), today: F.day("2024-06-20"))
        #expect(try one.penalty(on: Rupiah(286_225)) == Rupiah(5_725), "286,225 × 200 / 10,000 = 5,724.5 → 5,725")
        let onTime = RemittanceLateness(period: F.period("2024-05"), today: F.day("2024-06-15"))
        #expect(try onTime.penalty(on: Rupiah(1_850_047)) == .zero)
    }

    @Test("days between days")
    func days() {
        #expect(F.day("2024-02-09").days(to: F.day("2024-04-09")) == 60, "2024 is a leap year: 20 + 31 + 9")
        #expect(F.day("2024-04-09").days(to: F.day("2024-02-09")) == -60)
        #expect(F.day("1970-01-01").dayNumber == 0)
    }
}
