import Foundation
import SalurCore
@testable import SalurStore
import Testing

/// Recipient files of several windows (`CSVWindows.windowBytes`), read and stored a window at a
/// time: a bad line anywhere, the last one included, leaves the store as it was, and a NIK or
/// account number given again windows later is refused naming both lines — on a first import
/// (SQLite appends, then rebuilds its unique indexes) and on one into a table that holds
/// recipients (each row looked up), on both stores.
@Suite("Streamed recipient imports")
struct StreamedImportTests {
    /// About 2.8 MB: three windows.
    static let count = 40_000

    /// The file's lines, header first: data row `i` is on line `i + 2`, with its own account number.
    static func lines(phone: String = "0812") -> [String] {
        ["nik,name,program,district,phone,account_no"] + (0..<count).map { i in
            "\(BackendBulkTests.nik(i)),Penerima \(i),BANSOS-NT,Oebobo,\(phone)\(BackendBulkTests.pad(i, 8)),0011\(BackendBulkTests.pad(i, 8))"
        }
    }

    static func reading(_ lines: [String]) throws -> RecipientFile.Reading {
        try RecipientFile.Reading(bytes: Array((lines.joined(separator: "\n") + "\n").utf8), file: "recipients.csv")
    }

    @Test("the test file spans several windows, read in file order")
    func severalWindows() throws {
        let file = try Self.reading(Self.lines())
        let (parts, lines) = try partsAndLines(file, line: \.line)
        #expect(parts >= 3)
        #expect(lines == Array(2..<(Self.count + 2)))
        #expect(file.rowCount == Self.count)
    }

    @Test("a bad last line refuses the file whole: first import and re-import", arguments: Backend.available)
    func badLastLine(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        let empty = try await s.snapshot()
        var lines = Self.lines()
        lines[Self.count] = lines[Self.count].replacingOccurrences(of: ",Penerima \(Self.count - 1),", with: ",,")
        let issues = await importIssues { _ = try await s.store.importRecipients(Self.reading(lines), source: ReadSource(Fixture.source), actor: "tester") }
        #expect(issues == ["recipients.csv:\(Self.count + 1): name: must not be empty"])
        #expect(try await s.snapshot() == empty)

        let summary = try await s.store.importRecipients(Self.reading(Self.lines()), source: ReadSource(Fixture.source), actor: "tester")
        #expect(summary.added == Self.count)
        let stored = try await s.snapshot()
        var changed = Self.lines(phone: "0813")
        changed[Self.count] = changed[Self.count].replacingOccurrences(of: ",0813", with: ",x0813")
        let again = await importIssues { _ = try await s.store.importRecipients(Self.reading(changed), source: ReadSource(Fixture.source), actor: "tester") }
        #expect(again.count == 1 && again[0].hasPrefix("recipients.csv:\(Self.count + 1): phone: "), "\(again)")
        #expect(try await s.snapshot() == stored)
    }

    @Test("a NIK and an account number given again windows later: both lines named, nothing stored", arguments: Backend.available)
    func duplicatesAcrossWindows(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        let empty = try await s.snapshot()
        var lines = Self.lines()
        // Line 30,002 gives the account number of line 12; the last line the NIK of line 5.
        lines[30_001] = lines[30_001].replacingOccurrences(of: "0011\(BackendBulkTests.pad(30_000, 8))",
                                                           with: "0011\(BackendBulkTests.pad(10, 8))")
        lines[Self.count] = lines[Self.count].replacingOccurrences(of: BackendBulkTests.nik(Self.count - 1), with: BackendBulkTests.nik(3))
        let expected = [
            "recipients.csv:30002: account_no: account number already given on line 12",
            "recipients.csv:\(Self.count + 1): nik: duplicate NIK in this file (first on line 5)",
        ]
        #expect(await importIssues { _ = try await s.store.importRecipients(Self.reading(lines), source: ReadSource(Fixture.source), actor: "tester") }
                == expected)
        #expect(try await s.snapshot() == empty)

        // The same file against a table that holds recipients.
        _ = try await s.store.importRecipients(Self.reading(Self.lines()), source: ReadSource(Fixture.source), actor: "tester")
        let stored = try await s.snapshot()
        #expect(await importIssues { _ = try await s.store.importRecipients(Self.reading(lines), source: ReadSource(Fixture.source), actor: "tester") }
                == expected)
        #expect(try await s.snapshot() == stored)
    }

    @Test("after blank lines and refused rows the lines named are still the file's, refused rows' keys counted", arguments: Backend.available)
    func linesAfterBlankLinesAndRefusedRows(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        let empty = try await s.snapshot()
        var lines = Self.lines()
        // Line 7 refused for its phone (its NIK and account still count); two blank lines after line 20,001.
        lines[6] = lines[6].replacingOccurrences(of: ",0812", with: ",x0812")
        lines[20_000] += "\n\n"
        // Lines 30,004 and the last repeat the NIK of line 7 and the account of line 25,003 (after the blanks).
        lines[30_001] = lines[30_001].replacingOccurrences(of: BackendBulkTests.nik(30_000), with: BackendBulkTests.nik(5))
        lines[Self.count] = lines[Self.count].replacingOccurrences(of: "0011\(BackendBulkTests.pad(Self.count - 1, 8))",
                                                                   with: "0011\(BackendBulkTests.pad(25_000, 8))")
        let issues = await importIssues { _ = try await s.store.importRecipients(Self.reading(lines), source: ReadSource(Fixture.source), actor: "tester") }
        #expect(issues.count == 3)
        #expect(issues.first?.hasPrefix("recipients.csv:7: phone: ") == true, "\(issues)")
        #expect(Array(issues.dropFirst()) == [
            "recipients.csv:30004: nik: duplicate NIK in this file (first on line 7)",
            "recipients.csv:\(Self.count + 3): account_no: account number already given on line 25004",
        ])
        #expect(try await s.snapshot() == empty)
    }
}

/// How many parts `file` came in, and its valid rows' lines in the order they came; then its end.
func partsAndLines<File>(_ file: CSVImportReading<File>, line: (File.Row) -> Int) throws -> (parts: Int, lines: [Int]) {
    var parts = 0
    var lines: [Int] = []
    while let part = file.nextPart() {
        parts += 1
        lines += part.rows.map(line)
    }
    try file.finish()
    return (parts, lines)
}
