import Foundation
import SalurCLI
import SalurCore
import SalurPostgres
import SalurSQLite
import SalurStore
import SalurTestSupport
import Testing

/// `accounts export-requests` written a page at a time (`OpeningRequestFile.export`) on both
/// stores: the bytes and audit row of the file built whole, nothing marked when the file cannot be
/// made, the header alone when nobody waits.
@Suite("accounts export-requests a page at a time", .timeLimit(.minutes(5)))
struct OpeningRequestFileTests {
    enum Store: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case sqlite, postgres

        var testDescription: String { rawValue }

        /// PostgreSQL only when a test cluster is there.
        static var available: [Store] { PostgresScratch.isEnabled ? allCases : [.sqlite] }

        /// A new store of this kind holding `recipients`, and how to close it.
        func open(_ dir: TemporaryDirectory, _ name: String, recipients: [RecipientFile.Row]) async throws -> (any Ledger, close: () -> Void) {
            let opened: (any Ledger, close: () -> Void)
            switch self {
            case .sqlite:
                opened = (try SQLiteLedger(path: dir.file(name + ".sqlite"), clock: .testDay), {})
            case .postgres:
                let postgres = try await PostgresLedger(target: try await PostgresScratch.freshTarget(prefix: "requests"), clock: .testDay)
                opened = (postgres, { postgres.shutdown() })
            }
            _ = try await opened.0.importRecipients(recipients, source: SourceFile(path: "recipients.csv", sha256: String(repeating: "a", count: 64)),
                                                    actor: "tester")
            return opened
        }
    }

    /// 23 recipients across the districts, names that need quoting or neutralising among them, a
    /// phone in international form and one left empty.
    static func recipients() throws -> [RecipientFile.Row] {
        let names = ["Ndun, Yohanes", "Maria \"Ina\" Bunga", "=HYPERLINK(\"http://x\")", "Petrus Lay", "-Theresia Mooy"]
        var csv = "nik,name,program,district,phone\n"
        for index in 0..<23 {
            let name = names[index % names.count].replacingOccurrences(of: "\"", with: "\"\"")
            let phone = index == 7 ? "" : index % 3 == 0 ? "+62812370\(10_000 + index)" : "0812370\(10_000 + index)"
            csv += "\(DemoData.nik(index * 7, female: index % 2 == 1)),\"\(name)\",BANSOS-NT,"
                + "\(DemoData.districts[index % DemoData.districts.count].name),\(phone)\n"
        }
        return try RecipientFile.parse(bytes: Array(csv.utf8), file: "recipients.csv")
    }

    /// The request file as `export-requests` built it whole before it streamed: every request
    /// read, the whole CSV in memory, written atomically, its SHA-256 audited.
    static func wholeFile(_ ledger: any Ledger, to output: String) async throws -> Int {
        try await ledger.exportOpeningRequests(actor: "tester") { requests in
            var writer = CSVWriter()
            writer.write(["nik", "name", "district", "phone"])
            for r in requests { writer.write([.numeral(r.nik), .text(r.name), .text(r.district), .numeral(r.phone)]) }
            try Output.writeAtomically(writer.output, to: output)
            return AuditChain.sha256Hex(writer.output)
        }
    }

    static func states(_ ledger: any Ledger) async throws -> [AccountOpening] {
        try await ledger.recipients(matching: RecipientFilter()).map(\.recipient.opening)
    }

    @Test("pages of 4 write the bytes, SHA-256 and audit row of the file built whole, and mark every recipient", arguments: Store.available)
    func sameAsWhole(_ store: Store) async throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let rows = try Self.recipients()
        let (paged, closePaged) = try await store.open(dir, "paged", recipients: rows); defer { closePaged() }
        let (whole, closeWhole) = try await store.open(dir, "whole", recipients: rows); defer { closeWhole() }

        #expect(try await OpeningRequestFile.export(paged, to: dir.file("paged.csv"), actor: "tester", pageSize: 4) == 23)
        #expect(try await Self.wholeFile(whole, to: dir.file("whole.csv")) == 23)
        let bytes = try #require(FileManager.default.contents(atPath: dir.file("paged.csv")))
        #expect(bytes == FileManager.default.contents(atPath: dir.file("whole.csv")))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("nik,name,district,phone\r\n"))
        #expect(text.components(separatedBy: "\r\n").count == 25) // header, 23 rows, the empty tail
        #expect(text.contains(",\"Ndun, Yohanes\",") && text.contains(",\"'=HYPERLINK(\"\"http://x\"\")\","))

        let pagedAudit = try await paged.auditTail(limit: 10), wholeAudit = try await whole.auditTail(limit: 10)
        #expect(pagedAudit.map(\.action) == ["recipients.import", "accounts.export_requests"])
        #expect(pagedAudit.map { [$0.action, $0.subject, $0.details] } == wholeAudit.map { [$0.action, $0.subject, $0.details] })
        #expect(pagedAudit.last?.details == #"{"count":"23","sha256":"\#(AuditChain.sha256Hex(Array(bytes)))"}"#)
        #expect(Set(try await Self.states(paged)) == [.requested])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    @Test("a file that cannot be put in place marks nothing, audits nothing and leaves no file", arguments: Store.available)
    func failedWriteMarksNothing(_ store: Store) async throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let (ledger, close) = try await store.open(dir, "store", recipients: try Self.recipients()); defer { close() }
        // Every page is written to the temporary file; the rename over a folder of that name fails.
        try FileManager.default.createDirectory(atPath: dir.file("taken"), withIntermediateDirectories: false)
        await #expect(throws: (any Error).self) {
            try await OpeningRequestFile.export(ledger, to: dir.file("taken"), actor: "tester", pageSize: 4)
        }
        #expect(Set(try await Self.states(ledger)) == [.notRequested])
        #expect(try await ledger.auditTail(limit: 10).map(\.action) == ["recipients.import"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("taken")).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".tmp") }.isEmpty)

        // And a folder that is not there: refused before anything is read.
        await #expect(throws: (any Error).self) {
            try await OpeningRequestFile.export(ledger, to: dir.file("missing/requests.csv"), actor: "tester", pageSize: 4)
        }
        #expect(Set(try await Self.states(ledger)) == [.notRequested])
        #expect(try await ledger.auditTail(limit: 10).count == 1)
    }

    @Test("nobody waiting: the header only, nothing audited", arguments: Store.available)
    func headerOnly(_ store: Store) async throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let (ledger, close) = try await store.open(dir, "store", recipients: try Self.recipients()); defer { close() }
        #expect(try await OpeningRequestFile.export(ledger, to: dir.file("first.csv"), actor: "tester", pageSize: 4) == 23)
        #expect(try await OpeningRequestFile.export(ledger, to: dir.file("again.csv"), actor: "tester", pageSize: 4) == 0)
        #expect(dir.read("again.csv") == "nik,name,district,phone\r\n")
        #expect(try await ledger.auditTail(limit: 10).count == 2)
    }
}
