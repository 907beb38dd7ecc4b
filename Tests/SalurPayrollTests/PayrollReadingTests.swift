import Foundation
import Testing
import SalurCore
import SalurTestSupport

/// A payroll read, checked and computed a window at a time (`PayrollFile.Reading`) gives what the
/// whole file parsed and computed at once gives: the same lines and totals, or the same refusal.
@Suite("Payroll read a window at a time")
struct PayrollReadingTests {
    typealias F = PayrollFixture

    /// A Kendari payroll of `count` staff, several 1 MiB windows long at 60,000.
    static func large(_ count: Int = 60_000) -> String {
        F.kendariCSV(units: [("DLHK", count / 3), ("Satpol PP", count / 3), ("Damkar", count - 2 * (count / 3))])
    }

    /// The file's lines and totals read a window at a time from disk, or why it is refused.
    static func read(_ text: String, name: String = "gaji.csv", period: String = "2024-05",
                     agreement: Agreement = F.kendari) throws -> (lines: [PayrollLine], totals: PremiumTotals) {
        let directory = NSTemporaryDirectory() + "salur-payroll-reading-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        let reading = try PayrollFile.Reading(path: directory + "/" + name, file: name, agreement: agreement, period: F.period(period),
                                              rates: F.rates)
        var lines: [PayrollLine] = []
        while let part = reading.nextPart() { lines += part.lines }
        return (lines, try reading.finish())
    }

    /// The whole file parsed, then computed, as before it was read in windows.
    static func whole(_ text: String, name: String = "gaji.csv", period: String = "2024-05",
                      agreement: Agreement = F.kendari) throws -> (lines: [PayrollLine], totals: PremiumTotals) {
        let rows = try PayrollFile.parse(bytes: Array(text.utf8), file: name, agreement: agreement)
        return try PremiumComputation.payroll(rows, agreement: agreement, period: F.period(period), rates: F.rates, file: name)
    }

    /// What refusing `body` threw, as printed.
    static func refusal(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "not refused" } catch { return "\(type(of: error)): \(error)" }
    }

    enum Layout: String, CaseIterable, CustomTestStringConvertible {
        /// Line ends `\n`, no quotes.
        case plain
        /// Line ends `\r\n`, and every name quoted with a comma in it, so that quoted fields and
        /// CRLF cross the windows' ends.
        case quotedCRLF

        var testDescription: String { rawValue }

        func apply(_ csv: String) -> String {
            switch self {
            case .plain: return csv
            case .quotedCRLF:
                return csv.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
                    var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                    if fields.count == 5, fields[2] != "name" { fields[2] = "\"\(fields[2]), S.Pd\"" }
                    return fields.joined(separator: ",")
                }.joined(separator: "\r\n")
            }
        }
    }

    @Test("several windows long: the same lines, each rounded on its own, and the same totals as the whole file", arguments: Layout.allCases)
    func sameAsWhole(_ layout: Layout) throws {
        let csv = layout.apply(Self.large())
        #expect(csv.utf8.count > 3 * CSVWindows.windowBytes)
        let streamed = try Self.read(csv)
        let whole = try Self.whole(csv)
        #expect(streamed.lines.count == 60_000)
        #expect(streamed.lines == whole.lines)
        #expect(streamed.totals == whole.totals)
        if layout == .quotedCRLF { #expect(streamed.lines.last?.row.name == "Pegawai 60000, S.Pd") }
    }

    @Test("an employee id and a NIK given again windows apart: refused naming both lines, as the whole file is")
    func duplicatesWindowsApart() throws {
        let csv = Self.large() + "PTT-1,\(F.nik(0)),Pegawai Lagi,DLHK,3000000\n"
        let streamed = Self.refusal { try Self.read(csv) }
        #expect(streamed == Self.refusal { try Self.whole(csv) })
        #expect(streamed.contains("gaji.csv:60002: employee_id: duplicate employee PTT-1 in this file (first on line 2)"))
        #expect(streamed.contains("gaji.csv:60002: nik: duplicate NIK in this file (first on line 2): one person, one payroll line"))
    }

    @Test("a bad last line, more bad lines than are reported, an unreadable record: the whole file's refusal")
    func refusals() throws {
        let bad = Self.large() + "PTT-X,\(F.nik(70_000)),Pegawai X,Dishub,3000000\n"
        let last = Self.refusal { try Self.read(bad) }
        #expect(last == Self.refusal { try Self.whole(bad) })
        #expect(last.contains("gaji.csv:60002: work_unit: unknown work unit \"Dishub\""))

        // Every tenth line bad from the first window on: the first 100 reported, and then the file is read on for its syntax.
        let many = Self.large().split(separator: "\n").enumerated().map { $0.offset % 10 == 5 ? $0.element + ",extra" : String($0.element) }
            .joined(separator: "\n") + "\n"
        let limited = Self.refusal { try Self.read(many) }
        #expect(limited == Self.refusal { try Self.whole(many) })
        #expect(limited.contains("checking stopped after the first 100"))
        let unclosed = many + "PTT-Y,\(F.nik(70_001)),\"Pegawai Y,DLHK,3000000\n"
        let syntax = Self.refusal { try Self.read(unclosed) }
        #expect(syntax == Self.refusal { try Self.whole(unclosed) })
        #expect(syntax.contains("1 problem found"))
    }

    @Test("a period with no JP ceiling in force: the run is refused as a whole, after the rows' own issues")
    func runRefusal() throws {
        let renewed = try Agreement(
            id: "KENDARI-PKS-2026", employer: F.kendari.employer, programmes: [.jkk, .jkm, .jht, .jp], riskClass: .low,
            validFrom: F.day("2026-01-01"), validTo: F.day("2027-12-31"), bpjsAccount: F.kendari.bpjsAccount,
            bpjsBankCode: F.kendari.bpjsBankCode, workUnits: F.kendari.workUnits)
        let csv = Self.large(40_000)
        let refused = Self.refusal { try Self.read(csv, period: "2027-03", agreement: renewed) }
        #expect(refused == Self.refusal { try Self.whole(csv, period: "2027-03", agreement: renewed) })
        #expect(refused.contains("no JP wage ceiling"))
        let bad = csv + "PTT-1,\(F.nik(90_000)),Pegawai,DLHK,3000000\n"
        let own = Self.refusal { try Self.read(bad, period: "2027-03", agreement: renewed) }
        #expect(own == Self.refusal { try Self.whole(bad, period: "2027-03", agreement: renewed) })
        #expect(own.contains("gaji.csv:40002: employee_id: duplicate employee PTT-1"))
    }
}
