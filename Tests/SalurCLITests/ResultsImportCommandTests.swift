import Foundation
import SalurCLI
import SalurCore
import SalurStore
import SalurTestSupport
import Testing

/// `salurctl accounts import-results` on a file of several windows, through the built binary: the
/// file read once, a window at a time — its audit entry carries the file's SHA-256; a bad last line
/// applies nothing and is named on its line; a pipe, read whole, applies the same.
@Suite("salurctl: opening results read a window at a time", .timeLimit(.minutes(5)))
struct ResultsImportCommandTests {
    /// 60,000 recipients with their requests exported, and the bank's results for them (about 2.4 MB).
    static func workspace() async throws -> (Workspace, [UInt8]) {
        let ws = try Workspace()
        var data = DemoData(recipients: 60_000, opened: 50_000, seed: 5)
        try Data(data.recipientsCSV()).write(to: URL(fileURLWithPath: ws.dir.file("recipients.csv")))
        let results = data.resultsCSV()
        #expect(results.count > 2 * CSVWindows.windowBytes)
        #expect(try await ws.run(["recipients", "import"], ["recipients.csv"]).status == 0)
        #expect(try await ws.run(["accounts", "export-requests"], ["-o", "requests.csv"]).status == 0)
        return (ws, results)
    }

    /// The `details` of the newest audit entry.
    static func lastAuditDetails(_ ws: Workspace) async throws -> String {
        let log = try await ws.run(["audit", "log", "--json", "--limit", "1"])
        struct Entry: Decodable { let action: String; let details: String }
        let entries = try JSONDecoder().decode([Entry].self, from: Data(log.stdout.utf8))
        let entry = try #require(entries.last)
        #expect(entry.action == "accounts.import_results")
        return entry.details
    }

    @Test("a bad last line: exit 65 naming it, nothing applied; the good file: its SHA-256 in the audit entry")
    func badLastLineThenDigest() async throws {
        let (ws, results) = try await Self.workspace(); defer { ws.dir.remove() }
        let before = try ws.dump()
        // The last line (CRLF, as the bank writes) answers with a status that does not exist.
        var lines = String(decoding: results, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.removeLast() == "")
        let nik = try #require(lines.last?.split(separator: ",").first)
        lines[lines.count - 1] = "\(nik),maybe,,"
        let lineCount = lines.count
        let text = lines.joined(separator: "\r\n") + "\r\n"
        try ws.dir.write("bad.csv", text)
        let refused = try await ws.run(["accounts", "import-results"], ["bad.csv"])
        #expect(refused.status == 65, "\(refused)")
        #expect(refused.stderr.hasPrefix("bad.csv:\(lineCount): status: must be opened or rejected, found \"maybe\"\n"), "\(refused.stderr)")
        #expect(try ws.dump() == before)

        try Data(results).write(to: URL(fileURLWithPath: ws.dir.file("results.csv")))
        let applied = try await ws.run(["accounts", "import-results"], ["results.csv"])
        #expect(applied.status == 0, "\(applied)")
        #expect(applied.stdout == "results.csv: 50,000 opened, 10,000 rejected, 0 already applied.\n")
        #expect(try await Self.lastAuditDetails(ws).contains("\"sha256\":\"\(AuditChain.sha256Hex(results))\""))
    }

    @Test("a pipe is read whole and applied the same, its SHA-256 in the audit entry")
    func pipe() async throws {
        let (ws, results) = try await Self.workspace(); defer { ws.dir.remove() }
        try Data(results).write(to: URL(fileURLWithPath: ws.dir.file("results.csv")))
        let salurctl = try BuiltProduct.path("salurctl", override: "SALURCTL")
        let applied = try await BuiltProduct.run("/bin/sh", ["-c", "cat results.csv | '\(salurctl)' accounts import-results /dev/stdin --config '\(ws.config)'"],
                                                 in: ws.dir.path)
        #expect(applied.status == 0, "\(applied)")
        #expect(applied.stdout == "/dev/stdin: 50,000 opened, 10,000 rejected, 0 already applied.\n")
        #expect(try await Self.lastAuditDetails(ws).contains("\"sha256\":\"\(AuditChain.sha256Hex(results))\""))
    }
}
