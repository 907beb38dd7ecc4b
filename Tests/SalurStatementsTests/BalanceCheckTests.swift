import Testing
import SalurCore
@testable import SalurStatements

@Suite("Balance check")
struct BalanceCheckTests {
    static func statement(opening: Int64, closing: Int64, entries: [(StatementEntry.Direction, Int64, StatementEntry.Status)]) -> Statement {
        Statement(accountNo: "1230007654321", statementId: "STMT20260131", openingBalance: Rupiah(opening),
                  closingBalance: Rupiah(closing), openingDate: day("2026-01-30"), closingDate: day("2026-01-31"),
                  entries: entries.map { StatementEntry(valueDate: day("2026-01-31"), direction: $0.0, amount: Rupiah($0.1), status: $0.2) },
                  format: .mt940, sourceFile: "mandiri.sta", sourceLine: 2)
    }

    @Test func passes() throws {
        try Self.statement(opening: 1_000, closing: 1_300, entries: [(.credit, 500, .booked), (.debit, 200, .booked)]).checkBalance()
        try Self.statement(opening: -5_000, closing: -5_000, entries: []).checkBalance()
        // Pending entries do not move the balance.
        try Self.statement(opening: 0, closing: 100, entries: [(.credit, 100, .booked), (.debit, 999, .pending)]).checkBalance()
    }

    @Test(arguments: [(1_299_500, -500), (1_300_750, 750), (-1_000, -1_301_000)] as [(Int64, Int64)])
    func failsWithTheSignedDifference(closing: Int64, difference: Int64) throws {
        let statement = Self.statement(opening: 1_000_000, closing: closing, entries: [(.credit, 500_000, .booked), (.debit, 200_000, .booked)])
        #expect(throws: StatementBalanceError.self) { try statement.checkBalance() }
        do throws(StatementBalanceError) {
            try statement.checkBalance()
        } catch {
            #expect(error.difference == Sen(difference * 100))
            #expect(error.statementId == "STMT20260131")
            let description = error.description
            #expect(description.hasPrefix("mandiri.sta:2: statement STMT20260131 (account 1230007654321): balances do not add up"))
            #expect(description.contains("= Rp 1.300.000"))
            #expect(description.contains("closing balance is \(Rupiah(closing))"))
            #expect(description.contains("off by \(difference > 0 ? "+" : "")\(difference) rupiah"))
        }
    }

    @Test func overflowIsReportedNotWrapped() throws {
        let statement = Self.statement(opening: Int64.max - 10, closing: 0, entries: [(.credit, 100, .booked)])
        do throws(StatementBalanceError) {
            try statement.checkBalance()
            Issue.record("expected an overflow")
        } catch {
            #expect(error.difference == nil)
            #expect(error.description.contains("amount overflow"))
        }
        let debits = Self.statement(opening: 0, closing: 0, entries: [(.debit, Int64.max, .booked), (.debit, Int64.max, .booked)])
        #expect(throws: StatementBalanceError.self) { try debits.checkBalance() }
        // Int64.min as an opening balance minus anything cannot be represented.
        let minimum = Self.statement(opening: Int64.min, closing: 0, entries: [(.debit, 1, .booked)])
        #expect(throws: StatementBalanceError.self) { try minimum.checkBalance() }
    }

    @Test func reversalsCountInTheirDirection() throws {
        let statement = try #require(try MT940Parser.parse(MT940Fixtures.reversal, file: "r").first)
        try statement.checkBalance()
        var broken = statement
        broken.entries[1].direction = .debit // as if RD were read as a debit
        #expect(throws: StatementBalanceError.self) { try broken.checkBalance() }
    }
}

@Suite("Format detection and dates")
struct FormatAndDateTests {
    @Test func detectsFormats() {
        #expect(StatementFormat.detect(bytes: Array(MT940Fixtures.standard.utf8)) == .mt940)
        #expect(StatementFormat.detect(bytes: Array(MT940Fixtures.bri.utf8)) == .mt940)
        #expect(StatementFormat.detect(bytes: Array(("\u{FEFF}" + MT940Fixtures.bri).utf8)) == .mt940)
        #expect(StatementFormat.detect(bytes: Array("{1:F01X}{2:I940X}{4::20:X\n:25:1".utf8)) == .mt940)
        #expect(StatementFormat.detect(bytes: Array(Camt053Fixtures.twoStatements.utf8)) == .camt053)
        #expect(StatementFormat.detect(bytes: Array("Tanggal,Keterangan,Nominal,D/K\n".utf8)) == nil)
        #expect(StatementFormat.detect(bytes: Array("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03\">".utf8)) == nil)
        #expect(StatementFormat.detect(bytes: []) == nil)
        let late = String(repeating: "header line\n", count: 40) + ":20:X\n"
        #expect(StatementFormat.detect(bytes: Array(late.utf8)) == nil)
    }

    @Test func dayNumbers() {
        #expect(day("1970-01-01").dayNumber == 0)
        #expect(day("2026-01-01").dayNumber - day("2025-12-31").dayNumber == 1)
        #expect(day("2024-03-01").dayNumber - day("2024-02-28").dayNumber == 2)
        #expect(day("2001-01-01").dayNumber - day("2000-01-01").dayNumber == 366)
    }

    @Test(arguments: [
        ("dd/MM/yyyy", "31/01/2026", "2026-01-31"), ("yyyy-MM-dd", "2026-01-31", "2026-01-31"),
        ("d/M/yyyy", "1/2/2026", "2026-02-01"), ("d/M/yyyy", "21/12/2026", "2026-12-21"),
        ("dd-MM-yy", "31-01-26", "2026-01-31"), ("dd/MM/yyyy HH:mm:ss", "31/01/2026 23:59:59", "2026-01-31"),
        ("yyyyMMdd", "20260131", "2026-01-31"),
    ])
    func datePatterns(pattern: String, text: String, expected: String) throws {
        let parsed = try #require(DatePattern(pattern))
        #expect(parsed.date(text) == day(expected))
    }

    @Test(arguments: [("dd/MM/yyyy", "31/02/2026"), ("dd/MM/yyyy", "31/01/26"), ("dd/MM/yyyy", "31-01-2026"),
                      ("dd/MM/yyyy", "31/01/2026 "), ("dd/MM/yyyy HH:mm", "31/01/2026 24:00"), ("yyyy-MM-dd", "")])
    func dateMismatches(pattern: String, text: String) throws {
        #expect(try #require(DatePattern(pattern)).date(text) == nil)
    }

    @Test func badPatterns() {
        #expect(DatePattern.problem("dd/MM/yyyy") == nil)
        #expect(DatePattern.problem("dd/MMM/yyyy")?.contains("letters other than") == true)
        #expect(DatePattern.problem("dd/MM")?.contains("has no year") == true)
        #expect(DatePattern.problem("dd/MM/dd/yyyy")?.contains("twice") == true)
        #expect(DatePattern("yyyy") == nil)
    }
}
