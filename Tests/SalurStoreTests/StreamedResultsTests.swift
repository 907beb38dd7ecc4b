import Foundation
import SalurCore
@testable import SalurStore
import SalurTestSupport
import Testing

/// Opening-result files of several windows (`CSVWindows.windowBytes`), read, checked and decided
/// a window at a time in one transaction: a bad line anywhere, the last one included, a NIK or an
/// account number given again windows later, a NIK no import brought or a recipient in the wrong
/// state deep in the file — each reported on its line, and nothing applied; on both stores.
@Suite("Streamed opening results")
struct StreamedResultsTests {
    /// About 2.8 MB of results: three windows.
    static let count = 64_000

    /// Recipients `0..<count`, all with their opening requested.
    static func seeded(_ backend: Backend) async throws -> TestStore {
        let s = try await backend.open()
        var lines = ["nik,name,program,district,phone"]
        for i in 0..<count {
            lines.append("\(BackendBulkTests.nik(i)),Penerima \(i),BANSOS-NT,Oebobo,0812\(BackendBulkTests.pad(i, 8))")
        }
        let recipients = try RecipientFile.Reading(bytes: Array((lines.joined(separator: "\n") + "\n").utf8), file: "recipients.csv")
        _ = try await s.store.importRecipients(recipients, source: ReadSource(Fixture.source), actor: "tester")
        _ = try await s.store.exportOpeningRequests(actor: "tester") { _ in "-" }
        return s
    }

    /// The bank's answers, header first: data row `i` is on line `i + 2`; every tenth rejected, the
    /// others opened with an account number of their own.
    static func lines() -> [String] {
        ["nik,status,account_no,reason"] + (0..<count).map { i in
            i % 10 == 9 ? "\(BackendBulkTests.nik(i)),rejected,,Data KTP tidak lengkap"
                        : "\(BackendBulkTests.nik(i)),opened,0011\(BackendBulkTests.pad(i, 8)),"
        }
    }

    static func bytes(_ lines: [String]) -> [UInt8] { Array((lines.joined(separator: "\n") + "\n").utf8) }

    static func reading(_ lines: [String]) throws -> OpeningResultFile.Reading {
        try OpeningResultFile.Reading(bytes: bytes(lines), file: "bank-results.csv")
    }

    static func apply(_ s: TestStore, _ lines: [String]) async throws -> OpeningResultSummary {
        try await s.store.applyOpeningResults(reading(lines), source: ReadSource(Fixture.results), actor: "tester")
    }

    @Test("the test file spans several windows")
    func severalWindows() throws {
        let (parts, lines) = try partsAndLines(Self.reading(Self.lines()), line: \.line)
        #expect(parts >= 3)
        #expect(lines == Array(2..<(Self.count + 2)))
    }

    @Test("a bad last line applies nothing; the good file applies every row", arguments: Backend.available)
    func badLastLine(_ backend: Backend) async throws {
        let s = try await Self.seeded(backend); defer { s.close() }
        let before = try await s.snapshot()
        var lines = Self.lines()
        lines[Self.count] = "\(BackendBulkTests.nik(Self.count - 1)),maybe,,"
        #expect(await importIssues { _ = try await Self.apply(s, lines) }
                == ["bank-results.csv:\(Self.count + 1): status: must be opened or rejected, found \"maybe\""])
        #expect(try await s.snapshot() == before)

        let summary = try await Self.apply(s, Self.lines())
        let rejected = Self.count / 10
        #expect(summary.opened == Self.count - rejected && summary.rejected == rejected && summary.unchanged == 0, "\(summary)")
        let states = try await s.states()
        #expect(states[BackendBulkTests.nik(Self.count - 2)] == .opened(accountNo: "0011\(BackendBulkTests.pad(Self.count - 2, 8))"))
        #expect(states[BackendBulkTests.nik(9)] == .rejected(reason: "Data KTP tidak lengkap"))
    }

    @Test("a NIK and an account number given again windows later: both lines named, nothing applied", arguments: Backend.available)
    func duplicatesAcrossWindows(_ backend: Backend) async throws {
        let s = try await Self.seeded(backend); defer { s.close() }
        let before = try await s.snapshot()
        var lines = Self.lines()
        // Line 50,002 gives the account number of line 12; the last line the NIK of line 5.
        lines[50_001] = lines[50_001].replacingOccurrences(of: "0011\(BackendBulkTests.pad(50_000, 8))",
                                                           with: "0011\(BackendBulkTests.pad(10, 8))")
        lines[Self.count] = lines[Self.count].replacingOccurrences(of: BackendBulkTests.nik(Self.count - 1), with: BackendBulkTests.nik(3))
        #expect(await importIssues { _ = try await Self.apply(s, lines) } == [
            "bank-results.csv:50002: account_no: account number already given on line 12",
            "bank-results.csv:\(Self.count + 1): nik: duplicate NIK in this file (first on line 5)",
        ])
        #expect(try await s.snapshot() == before)
    }

    @Test("a repeated key on a line with issues of its own: the NIK's first, then the row's own, then the account's; nothing applied",
          arguments: Backend.available)
    func duplicatesBesideOwnIssues(_ backend: Backend) async throws {
        let s = try await Self.seeded(backend); defer { s.close() }
        let before = try await s.snapshot()
        var lines = Self.lines()
        // Line 40,002 repeats the NIK of line 5 with a status that is neither; line 50,002 has a
        // bad NIK and opens the account of line 12 (a refused row's keys still count).
        lines[40_001] = "\(BackendBulkTests.nik(3)),maybe,,"
        lines[50_001] = "123,opened,0011\(BackendBulkTests.pad(10, 8)),"
        let expected = [
            "bank-results.csv:40002: nik: duplicate NIK in this file (first on line 5)",
            "bank-results.csv:40002: status: must be opened or rejected, found \"maybe\"",
            "bank-results.csv:50002: nik: must be 16 digits, found 3 characters",
            "bank-results.csv:50002: account_no: account number already given on line 12",
        ]
        #expect(await importIssues { _ = try await Self.apply(s, lines) } == expected)
        #expect(try await s.snapshot() == before)
        // The same file read whole in memory, as the demo reads one.
        let inMemory = #expect(throws: ImportFailure.self) { try OpeningResultFile.parse(bytes: Self.bytes(lines), file: "bank-results.csv") }
        #expect(inMemory?.issues.map(\.description) == expected)
    }

    @Test("a NIK no import brought and a recipient in the wrong state, deep in the file: each on its line, nothing applied",
          arguments: Backend.available)
    func storeIssuesDeepInTheFile(_ backend: Backend) async throws {
        let s = try await Self.seeded(backend); defer { s.close() }
        // One recipient added after the export: still not_requested.
        let late = "5371050303900005"
        _ = try await s.store.importRecipients(Fixture.recipients("nik,name,program,district,phone\n\(late),Gabriel Riwu,PKH,Kelapa Lima,\n"),
                                               source: Fixture.source, actor: "tester")
        let before = try await s.snapshot()
        var lines = Self.lines()
        lines[45_001] = "5371060101990009,rejected,,Data KTP tidak lengkap"
        lines[Self.count - 1] = "\(late),opened,001199999999,"
        #expect(await importIssues { _ = try await Self.apply(s, lines) } == [
            "bank-results.csv:45002: nik: unknown NIK: no recipient with this NIK was imported",
            "bank-results.csv:\(Self.count): status: recipient is not_requested; not allowed: bank result opened while not_requested",
        ])
        #expect(try await s.snapshot() == before)
    }

    @Test("the audit entry's sha256 is the file's, digested while it was read", arguments: Backend.available)
    func auditDigest(_ backend: Backend) async throws {
        let s = try await Self.seeded(backend); defer { s.close() }
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("bank-results.csv")
        // A byte-order mark, which the digest includes and the reader skips.
        let bytes = [0xEF, 0xBB, 0xBF] + Self.bytes(Self.lines())
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let windows = try CSVWindows(path: path, file: path)
        let digest = FileDigest(windows)
        let summary = try await s.store.applyOpeningResults(try OpeningResultFile.Reading(windows),
                                                            source: ReadSource(path: path, sha256: { digest.sha256 }), actor: "tester")
        #expect(summary.opened + summary.rejected == Self.count)
        let entry = try #require(try await s.audit().last)
        #expect(entry.action == "accounts.import_results")
        let sha256 = AuditChain.sha256Hex(bytes)
        #expect(entry.details == #"{"opened":"\#(summary.opened)","rejected":"\#(summary.rejected)","rows":"\#(Self.count)","#
                                 + #""sha256":"\#(sha256)","unchanged":"0"}"#)
    }
}
