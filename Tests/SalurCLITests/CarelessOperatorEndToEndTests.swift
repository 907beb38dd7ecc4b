import Foundation
import GRDB
import Testing

/// One careless (or hostile) operator against one treasury, through the built salurctl: every case of
/// issue 14 tried in turn is refused or neutralised, and at the end the audit chain is intact and the
/// queue is exactly what the one good command queued.
@Suite("salurctl: a careless operator end to end", .timeLimit(.minutes(5)))
struct CarelessOperatorEndToEndTests {
    struct Queue: Decodable, Equatable {
        let transfers: [String: Total]
        struct Total: Decodable, Equatable { let count: Int; let amount: Int64 }
    }

    func expectExit(_ result: Salurctl.Result, _ code: Int32, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == code, "\(what): \(result)", sourceLocation: sourceLocation)
    }

    @Test("every careless input refused or neutralised; then audit verify intact and the queue unchanged")
    func carelessOperator() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        let seeded = try await Salurctl.run(["demo", "seed", "--dir", "demo", "--recipients", "6", "--opened", "6"], in: ws.dir)
        expectExit(seeded, 0, "demo seed")
        let rows = try String(contentsOfFile: ws.dir.file("demo/recipients.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        let niks = rows.dropFirst().map { String($0.prefix(16)) }
        // One recipient whose name is a spreadsheet formula: accepted as text, neutralised wherever it is written.
        let formula = #"=HYPERLINK("http://x","klik")"#
        var fields = rows[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[1] = "\"" + formula.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        try ws.dir.write("recipients.csv", ([rows[0], fields.joined(separator: ",")] + rows.dropFirst(2)).joined(separator: "\n") + "\n")
        expectExit(try await ws.run(["recipients", "import"], ["recipients.csv"]), 0, "recipients import")
        expectExit(try await ws.run(["accounts", "export-requests"], ["-o", "requests.csv"]), 0, "export-requests")
        let requests = ws.dir.read("requests.csv") ?? ""
        #expect(requests.contains("'=HYPERLINK") && !requests.contains(",=HYPERLINK") && !requests.contains("\n=HYPERLINK"), "\(requests)")
        expectExit(try await ws.run(["accounts", "import-results"], ["demo/bank-results.csv"]), 0, "import-results")

        // The one good command.
        let queue = ["--program", "BANSOS-NT", "--period", "2026-11"]
        expectExit(try await ws.run(["transfers", "enqueue"], queue + ["--amount", "300000"]), 0, "enqueue")
        let queuedBefore = try await ws.run(["queue", "status"], ["--json"])
        let auditRowsBefore = try await DatabaseQueue(path: ws.database).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM audit_log") ?? 0 }

        // Careless input, each refused before anything changes.
        let usage: [([String], String)] = [
            (queue + ["--amount", "300000", "--remark", String(repeating: "Bantuan sosial ", count: 20)], "--remark: 300 characters"),
            (["--program", "BANSOS-NT", "--period", "2026-12", "--amount", "300.000"], "is ambiguous"),
            (["--program", "BANSOS-NT", "--period", "2026-12", "--amount", "300.00"], "has a fraction of a rupiah"),
            (["--program", "BANSOS-NT", "--period", "1900-01", "--amount", "300000"], "is outside 2000-01...2099-12"),
            (["--program", "BANSOS-NT", "--period", "2026-12", "--amount", "300000", "--remark", "a\u{1B}]0;pwned\u{7}"], "U+001B (ESC)"),
        ]
        for (arguments, says) in usage {
            let result = try await ws.run(["transfers", "enqueue"], arguments)
            expectExit(result, 2, arguments.joined(separator: " "))
            #expect(result.stderr.contains(says) && !result.stderr.contains("\u{1B}"), "\(result.stderr)")
        }
        try ws.dir.write("pay.csv", """
            nik,amount,program,period,remark
            \(niks[1]),300.000,BANSOS-NT,2026-12,ok
            \(niks[2]),300000,BANSOS-NT,2026-12,"line
            break"
            \(niks[3]),300000,BANSOS-NT,2026-12,\(String(repeating: "r", count: 51))

            """)
        let file = try await ws.run(["transfers", "enqueue"], ["--file", "pay.csv"])
        expectExit(file, 65, "enqueue --file")
        #expect(file.stderr.contains("pay.csv:2: amount:") && file.stderr.contains("pay.csv:3: remark:")
                && file.stderr.contains("pay.csv:5: remark: 51 characters"), "\(file.stderr)")
        // A name with a bidi override and a rejection reason with a control character: refused, echoed escaped.
        try ws.dir.write("bidi.csv", rows[0] + "\n" + niks[4] + ",Maria \u{202E}agnuB,BANSOS-NT,Alak,081237000002\n")
        let bidi = try await ws.run(["recipients", "import"], ["bidi.csv"])
        expectExit(bidi, 65, "recipients import with a bidi override")
        #expect(bidi.stderr.contains("bidi.csv:2: name:") && !bidi.stderr.contains("\u{202E}"), "\(bidi.stderr)")
        // A batch its maker tries to approve alone (distinct_approver).
        let batches = try await DatabaseQueue(path: ws.database).read { try String.fetchAll($0, sql: "SELECT id FROM batch") }
        let own = try await ws.run(["batches", "approve"], batches)
        expectExit(own, 1, "the maker approving their own batch")
        #expect(own.stderr.contains("maker-checker"))
        // A mistyped database path: an error naming it, and no empty treasury made there.
        try ws.dir.write("typo.toml", "[database]\npath = \"state/salur.sqlite\"\n")
        let typo = try await Salurctl.run(["audit", "verify", "--config", ws.dir.file("typo.toml")], in: ws.dir)
        expectExit(typo, 1, "audit verify on a mistyped path")
        #expect(typo.stderr.contains("no database at \(ws.dir.file("state/salur.sqlite"))") && !typo.stdout.contains("intact"))
        #expect(!FileManager.default.fileExists(atPath: ws.dir.file("state/salur.sqlite")))
        // The same programme again with another amount: nothing queued, and the difference said.
        let again = try await ws.run(["transfers", "enqueue"], queue + ["--amount", "350000"])
        expectExit(again, 0, "enqueue again")
        #expect(again.stdout.contains("6 already queued transfers differ from what was asked"), "\(again.stdout)")

        // The reconciliation export of what is queued neutralises the formula too.
        expectExit(try await ws.run(["export", "reconciliation"], ["--format", "csv", "-o", "recon.csv"]), 0, "export reconciliation")
        let recon = ws.dir.read("recon.csv") ?? ""
        #expect(recon.contains("'=HYPERLINK") && !recon.contains(";=HYPERLINK") && !recon.contains(",=HYPERLINK"), "\(recon)")

        // Nothing of it changed the treasury: the chain is intact, the queue and the audit log as they were.
        let verify = try await ws.run(["audit", "verify"])
        expectExit(verify, 0, "audit verify")
        #expect(verify.stdout.hasPrefix("audit log intact"))
        let queuedAfter = try await ws.run(["queue", "status"], ["--json"])
        let before = try JSONDecoder().decode(Queue.self, from: Data(queuedBefore.stdout.utf8))
        let after = try JSONDecoder().decode(Queue.self, from: Data(queuedAfter.stdout.utf8))
        #expect(after == before && before.transfers["awaiting_approval"] == Queue.Total(count: 6, amount: 1_800_000))
        let auditRowsAfter = try await DatabaseQueue(path: ws.database).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM audit_log") ?? 0 }
        // Exports are audited (who took which file); nothing else was written.
        let exportsSince = try await DatabaseQueue(path: ws.database).read {
            try Int.fetchOne($0, sql: "SELECT count(*) FROM audit_log WHERE seq > ? AND action NOT LIKE 'export%'", arguments: [auditRowsBefore]) ?? 0
        }
        #expect(auditRowsAfter >= auditRowsBefore && exportsSince == 0)
    }
}
