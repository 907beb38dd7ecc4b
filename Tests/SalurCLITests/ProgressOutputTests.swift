import Foundation
import SalurCLI
import SalurTestSupport
import Testing

/// The progress bar as operators and scripts meet it, through the built salurctl: drawn on a terminal
/// (a pseudo-terminal made by script(1)), never into a pipe or a file, never with --json.
@Suite("salurctl: progress on a terminal only", .timeLimit(.minutes(5)))
struct ProgressOutputTests {
    /// A workspace with 45,000 recipients (more than one part of `RecipientFile.Reading`) and their opening results.
    static func workspace() throws -> Workspace {
        let ws = try Workspace()
        var data = DemoData(recipients: 45_000, opened: 45_000, seed: 3)
        try Data(data.recipientsCSV()).write(to: URL(fileURLWithPath: ws.dir.file("recipients.csv")))
        try Data(data.resultsCSV()).write(to: URL(fileURLWithPath: ws.dir.file("results.csv")))
        return ws
    }

    /// `salurctl arguments` on a pseudo-terminal: script(1) runs it with stdin, stdout and stderr on
    /// one pty and copies what it wrote to its own stdout.
    static func onTerminal(_ ws: Workspace, _ arguments: [String]) async throws -> BuiltProduct.Output {
        let salurctl = try BuiltProduct.path("salurctl", override: "SALURCTL")
        let command = ([salurctl] + arguments + ["--config", ws.config]).map { "'\($0)'" }.joined(separator: " ")
        return try await BuiltProduct.run("/usr/bin/script", ["-qefc", command, "/dev/null"], in: ws.dir.path)
    }

    @Test("through a pipe or a file: the import's stderr is empty, its result on stdout")
    func silentWhenNotATerminal() async throws {
        let ws = try Self.workspace(); defer { ws.dir.remove() }
        let imported = try await ws.run(["recipients", "import"], ["recipients.csv"])
        #expect(imported.status == 0, "\(imported)")
        #expect(imported.stderr.isEmpty, "\(imported.stderr)")
        #expect(imported.stdout.contains("45,000 rows: 45,000 added"), "\(imported.stdout)")
        #expect(try await ws.run(["accounts", "export-requests"], ["-o", "requests.csv"]).status == 0)
        let applied = try await ws.run(["accounts", "import-results"], ["results.csv"])
        #expect(applied.status == 0, "\(applied)")
        #expect(applied.stderr.isEmpty, "\(applied.stderr)")
    }

    @Test("on a terminal: the bar with rows and rate, redrawn in place, then its last line; with --json none")
    func drawnOnATerminal() async throws {
        let ws = try Self.workspace(); defer { ws.dir.remove() }
        let imported = try await Self.onTerminal(ws, ["recipients", "import", "recipients.csv"])
        #expect(imported.status == 0, "\(imported)")
        #expect(imported.stdout.contains("\rimporting recipients.csv ["), "\(imported.stdout)")
        #expect(imported.stdout.contains("/45,000 rows"), "\(imported.stdout)")
        #expect(imported.stdout.contains("\rimporting recipients.csv: 45,000 rows in "), "\(imported.stdout)")
        #expect(imported.stdout.contains("rows/s)"))

        #expect(try await ws.run(["accounts", "export-requests"], ["-o", "requests.csv"]).status == 0)
        let applied = try await Self.onTerminal(ws, ["accounts", "import-results", "results.csv"])
        #expect(applied.status == 0, "\(applied)")
        #expect(applied.stdout.contains("\rapplying results.csv: 45,000 rows in "), "\(applied.stdout)")
        let exported = try await Self.onTerminal(ws, ["export", "reconciliation", "--format", "xlsx", "-o", "recon.xlsx"])
        #expect(exported.status == 0, "\(exported)")
        #expect(exported.stdout.contains("\rwriting the workbook: 1 rows in "), "the summary sheet's total row: \(exported.stdout)")
        let csv = try await ws.run(["export", "reconciliation"], ["-o", "recon.csv"])
        #expect(csv.status == 0 && !csv.stderr.contains("writing"), "no bar into a pipe: \(csv.stderr)")

        let again = try await Self.onTerminal(ws, ["recipients", "import", "recipients.csv", "--json"])
        #expect(again.status == 0, "\(again)")
        #expect(!again.stdout.contains("rows/s"), "\(again.stdout)")
        #expect(!again.stdout.contains("\r\u{1B}[K") && !again.stdout.contains("importing"), "\(again.stdout)")
    }
}
