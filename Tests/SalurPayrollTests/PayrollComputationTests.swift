import Testing
import SalurCore

/// Payroll and BPU runs from files, with every line worked out by hand.
@Suite("Premium runs")
struct PayrollComputationTests {
    typealias F = PayrollFixture

    struct Expected: Sendable, CustomTestStringConvertible {
        let employee: String
        /// JKK, JKM, JHT employer, JHT employee, JP employer, JP employee.
        let lines: (Int64, Int64, Int64, Int64, Int64, Int64)
        let employer: Int64
        let employeeShare: Int64
        let arithmetic: String
        var testDescription: String { employee }
    }

    /// Kendari (all programmes, risk class 2 = 0.54 %), period 2024-05, JP ceiling Rp 10,042,300.
    static let file = """
        employee_id,nik,name,work_unit,gross_wage,risk_class
        PTT-1,\(F.nik(0)),La Ode Ahmad,DLHK,3000000,
        PTT-2,\(F.nik(1)),Wa Ode Sitti,Satpol PP,12000000,3
        PTT-3,\(F.nik(2)),Andi Baso,Damkar,"10,042,300",
        PTT-4,\(F.nik(3)),Hasniah,SDA,2500500,

        """
    static let expected: [Expected] = [
        Expected(employee: "PTT-1", lines: (16_200, 9_000, 111_000, 60_000, 60_000, 30_000), employer: 196_200, employeeShare: 90_000,
                 arithmetic: "3,000,000 × 54, 30, 370, 200, 200, 100 bp"),
        Expected(employee: "PTT-2", lines: (106_800, 36_000, 444_000, 240_000, 200_846, 100_423), employer: 787_646, employeeShare: 340_423,
                 arithmetic: "row's risk class 3: 12,000,000 × 89 bp = 106,800; JP on the ceiling 10,042,300 × 200 = 200,846, × 100 = 100,423"),
        Expected(employee: "PTT-3", lines: (54_228, 30_127, 371_565, 200_846, 200_846, 100_423), employer: 656_766, employeeShare: 301_269,
                 arithmetic: "exactly the ceiling: 10,042,300 × 54 = 54,228.42 → 54,228; × 30 = 30,126.9 → 30,127; × 370 = 371,565.1 → 371,565"),
        Expected(employee: "PTT-4", lines: (13_503, 7_502, 92_519, 50_010, 50_010, 25_005), employer: 163_534, employeeShare: 75_015,
                 arithmetic: "2,500,500 × 30 = 7,501.5 → 7,502 and × 370 = 92,518.5 → 92,519: .5 rounds up; × 54 = 13,502.7 → 13,503"),
    ]

    func kendariRun() throws -> (lines: [PayrollLine], totals: PremiumTotals) {
        let rows = try PayrollFile.parse(bytes: Array(Self.file.utf8), file: "gaji.csv", agreement: F.kendari)
        return try PremiumComputation.payroll(rows, agreement: F.kendari, period: F.period("2024-05"), rates: F.rates, file: "gaji.csv")
    }

    @Test("each line, hand-computed", arguments: PayrollComputationTests.expected)
    func lines(_ e: Expected) throws {
        let line = try #require(try kendariRun().lines.first { $0.row.employeeID == e.employee })
        let p = line.premiums
        #expect([p.jkk, p.jkm, p.jhtEmployer, p.jhtEmployee, p.jpEmployer, p.jpEmployee].map(\.value)
                == [e.lines.0, e.lines.1, e.lines.2, e.lines.3, e.lines.4, e.lines.5], "\(e.arithmetic)")
        #expect(p.employerTotal.value == e.employer)
        #expect(p.employeeTotal.value == e.employeeShare)
        #expect(p.total.value == e.employer + e.employeeShare)
    }

    @Test("totals are the sums of the rounded lines")
    func totals() throws {
        let run = try kendariRun()
        #expect(run.totals.lines == 4)
        #expect(run.totals.wage == Rupiah(3_000_000 + 12_000_000 + 10_042_300 + 2_500_500))
        #expect(run.totals.employerTotal == Rupiah(196_200 + 787_646 + 656_766 + 163_534))
        #expect(run.totals.employeeTotal == Rupiah(90_000 + 340_423 + 301_269 + 75_015))
        #expect(run.totals.grandTotal == Rupiah(2_610_853))
        #expect(run.totals.jhtEmployer == Rupiah(111_000 + 444_000 + 371_565 + 92_519))
        #expect(run.totals.byProgramme.map(\.total).reduce(Rupiah.zero) { Rupiah($0.value + $1.value) } == run.totals.grandTotal)
        #expect(run.lines.map(\.riskClass) == [.low, .medium, .low, .low], "the row's class overrides the agreement's")
    }

    @Test("a programme the agreement does not cover is Rp 0: Kupang pays JKK and JKM only")
    func kupangProgrammes() throws {
        let csv = "employee_id,nik,name,work_unit,gross_wage\nK-1,\(F.nik(0)),Yohanes Ndun,Satpol PP,3000000\n"
        let rows = try PayrollFile.parse(bytes: Array(csv.utf8), file: "kupang.csv", agreement: F.kupang)
        let run = try PremiumComputation.payroll(rows, agreement: F.kupang, period: F.period("2024-04"), rates: F.rates, file: "kupang.csv")
        let p = try #require(run.lines.first).premiums
        #expect([p.jkk, p.jkm, p.jhtEmployer, p.jhtEmployee, p.jpEmployer, p.jpEmployee].map(\.value) == [7_200, 9_000, 0, 0, 0, 0])
        #expect(run.totals.grandTotal == Rupiah(16_200))
        #expect(run.totals.employeeTotal == .zero)
    }

    @Test("the JP ceiling changes between February and March")
    func ceilingChange() throws {
        let csv = "employee_id,nik,name,work_unit,gross_wage\nE,\(F.nik(0)),Andi,DLHK,10000000\n"
        let rows = try PayrollFile.parse(bytes: Array(csv.utf8), file: "f.csv", agreement: F.kendari)
        let february = try PremiumComputation.payroll(rows, agreement: F.kendari, period: F.period("2024-02"), rates: F.rates, file: "f.csv")
        let march = try PremiumComputation.payroll(rows, agreement: F.kendari, period: F.period("2024-03"), rates: F.rates, file: "f.csv")
        #expect(february.totals.jpEmployer == Rupiah(191_192), "capped at 9,559,600 × 2 %")
        #expect(february.totals.jpEmployee == Rupiah(95_596), "9,559,600 × 1 %")
        #expect(march.totals.jpEmployer == Rupiah(200_000), "below the 10,042,300 ceiling: 10,000,000 × 2 %")
        #expect(march.totals.jpEmployee == Rupiah(100_000))
    }

    @Test("a period outside the agreement, or with no JP ceiling, is refused as a whole")
    func refusedPeriods() throws {
        let csv = "employee_id,nik,name,work_unit,gross_wage\nE,\(F.nik(0)),Andi,DLHK,3000000\n"
        let rows = try PayrollFile.parse(bytes: Array(csv.utf8), file: "f.csv", agreement: F.kendari)
        #expect(throws: PremiumRunRefusal.periodOutsideAgreement(agreement: F.kendari, period: F.period("2023-12"))) {
            try PremiumComputation.payroll(rows, agreement: F.kendari, period: F.period("2023-12"), rates: F.rates, file: "f.csv")
        }
        // The shipped table's last JP ceiling runs to 2027-02; an agreement running past it is refused there.
        let renewed = try Agreement(
            id: "KENDARI-PKS-2026", employer: F.kendari.employer, programmes: [.jkk, .jkm, .jht, .jp], riskClass: .low,
            validFrom: F.day("2026-01-01"), validTo: F.day("2027-12-31"), bpjsAccount: F.kendari.bpjsAccount,
            bpjsBankCode: F.kendari.bpjsBankCode, workUnits: F.kendari.workUnits)
        #expect(throws: PremiumRunRefusal.premium(.noJPWageCeiling(period: F.period("2027-03")))) {
            try PremiumComputation.payroll(rows, agreement: renewed, period: F.period("2027-03"), rates: F.rates, file: "f.csv")
        }
        #expect(try PremiumComputation.payroll(rows, agreement: renewed, period: F.period("2027-02"), rates: F.rates, file: "f.csv")
            .totals.jpEmployer == Rupiah(60_000))
        let refusal = PremiumRunRefusal.periodOutsideAgreement(agreement: F.kupang, period: F.period("2021-04"))
        #expect(refusal.description.contains("in force on its first day (2021-04-01)"))
        #expect(refusal.description.contains("it covers 2021-05 to 2024-04"))
    }

    @Test("every bad row at once, as FILE:LINE: field: reason")
    func badRows() {
        let csv = """
            employee_id,nik,name,work_unit,gross_wage,risk_class
            PTT-1,\(F.nik(0)),La Ode Ahmad,DLHK,3000000,
            PTT-1,\(F.nik(1)),Wa Ode Sitti,DLHK,3000000,
            PTT-3,5371031502850000,Andi Baso,Damkar,3000000,
            PTT-4,\(F.nik(0)),Hasniah,SDA,0,
            PTT-5,\(F.nik(5)),Rahman,Dishub,-2500000,6
            PTT-6,\(F.nik(6)),,DLHK,2.500.000,

            """
        do {
            _ = try PayrollFile.parse(bytes: Array(csv.utf8), file: "gaji.csv", agreement: F.kendari)
            Issue.record("expected an ImportFailure")
        } catch {
            #expect(error.issues.map(\.description) == [
                "gaji.csv:3: employee_id: duplicate employee PTT-1 in this file (first on line 2)",
                "gaji.csv:4: nik: digits 13-16 (serial) must not be 0000",
                "gaji.csv:5: nik: duplicate NIK in this file (first on line 2): one person, one payroll line",
                "gaji.csv:5: gross_wage: wage is zero: must be above zero",
                "gaji.csv:6: work_unit: unknown work unit \"Dishub\" for agreement KENDARI-PKS-2024 (it covers DLHK, Satpol PP, Damkar, SDA)",
                "gaji.csv:6: gross_wage: negative wage -2500000: must be above zero",
                "gaji.csv:6: risk_class: must be 1 to 5, or empty for the agreement's class, found \"6\"",
                "gaji.csv:7: name: must not be empty",
            ])
        }
    }

    @Test("an agreement without work units takes any")
    func anyWorkUnit() throws {
        let csv = "employee_id,nik,name,work_unit,gross_wage\nK-1,\(F.nik(0)),Yohanes,Dinas Pariwisata,3000000\n"
        #expect(try PayrollFile.parse(bytes: Array(csv.utf8), file: "k.csv", agreement: F.kupang).count == 1)
    }

    @Test("BPU: minimum and maximum declared income pass, outside is refused by line")
    func bpu() throws {
        let csv = """
            nik,name,occupation,declared_income
            \(F.nik(0)),Wa Ode,Nelayan,1000000
            \(F.nik(1)),La Ode,Petani,20700000
            \(F.nik(2)),Andi,Ojek,1000050

            """
        let rows = try BPUFile.parse(bytes: Array(csv.utf8), file: "bpu.csv")
        let run = try PremiumComputation.bpu(rows, period: F.period("2024-05"), rates: F.rates, file: "bpu.csv")
        #expect(run.lines.map(\.premiums.total.value) == [36_800, 627_800, 36_802],
                "10,000 + 6,800 + 20,000; 207,000 + 6,800 + 414,000; 10,001 (10,000.5 up) + 6,800 + 20,001")
        #expect(run.totals.total == Rupiah(36_800 + 627_800 + 36_802))
        #expect(run.totals.jkm == Rupiah(3 * 6_800))

        let outside = """
            nik,name,occupation,declared_income
            \(F.nik(0)),Wa Ode,Nelayan,999999
            \(F.nik(1)),La Ode,Petani,20700001
            \(F.nik(1)),La Ode,Petani,-1

            """
        do {
            let rows = try BPUFile.parse(bytes: Array(outside.utf8), file: "bpu.csv")
            Issue.record("expected the duplicate and the negative to be refused, got \(rows.count) rows")
        } catch {
            #expect(error.issues.map(\.description) == [
                "bpu.csv:4: nik: duplicate NIK in this file (first on line 3)",
                "bpu.csv:4: declared_income: negative declared income -1: must be above zero",
            ])
        }
        let parsed = try BPUFile.parse(bytes: Array(outside.split(separator: "\n").prefix(3).joined(separator: "\n").utf8), file: "bpu.csv")
        do {
            _ = try PremiumComputation.bpu(parsed, period: F.period("2024-05"), rates: F.rates, file: "bpu.csv")
            Issue.record("expected an ImportFailure")
        } catch let failure as ImportFailure {
            #expect(failure.issues.map { "\($0.file):\($0.line): \($0.field)" } == ["bpu.csv:2: declared_income", "bpu.csv:3: declared_income"])
            #expect(failure.issues[0].reason.contains("Rp 999.999 is outside the range"))
        }
    }
}
