import Foundation
import GRDB
import Testing

/// `salurctl transfers enqueue` and `transfers cancel --failed` in a careless operator's hands: what the
/// bank would refuse or what could be misread is refused before anything is stored, and a programme the
/// bank refused can be corrected and paid.
@Suite("salurctl: careless queueing", .timeLimit(.minutes(5)))
struct CarelessEnqueueCommandTests {
    func expectExit(_ result: Salurctl.Result, _ code: Int32, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == code, "\(result)", sourceLocation: sourceLocation)
    }

    func transfers(_ ws: Workspace) throws -> [String] {
        try DatabaseQueue(path: ws.database).read { db in
            try Row.fetchAll(db, sql: "SELECT state, amount, remark FROM transfer ORDER BY id").map {
                "\($0["state"] as String) \($0["amount"] as Int64) \($0["remark"] as String)"
            }
        }
    }

    func opened(_ recipients: Int) async throws -> Workspace {
        let ws = try Workspace()
        expectExit(try await Salurctl.run(["demo", "seed", "--dir", "demo", "--recipients", "\(recipients)", "--opened", "\(recipients)"], in: ws.dir), 0)
        expectExit(try await ws.run(["recipients", "import"], ["demo/recipients.csv"]), 0)
        expectExit(try await ws.run(["accounts", "export-requests"], ["-o", "requests.csv"]), 0)
        expectExit(try await ws.run(["accounts", "import-results"], ["demo/bank-results.csv"]), 0)
        return ws
    }

    @Test("a remark, amount or period that cannot be sent or could be misread is a usage error; nothing is queued")
    func refusedAtTheDoor() async throws {
        let ws = try await opened(5); defer { ws.dir.remove() }
        let before = try ws.dump()
        let queue = ["--program", "BANSOS-NT", "--period", "2026-11"]
        for (rest, says) in [
            (["--amount", "300000", "--remark", String(repeating: "x", count: 300)], "--remark: 300 characters; the bank accepts at most 50"),
            (["--amount", "300000", "--remark", "bansos\u{1B}[2J"], "--remark: U+001B (ESC) is not allowed"),
            (["--amount", "300.000"], "--amount \"300.000\" is ambiguous"),
            (["--amount", "300.00"], "--amount \"300.00\" has a fraction of a rupiah"),
            (["--amount", "300,000"], "--amount \"300,000\" is ambiguous"),
            (["--amount", "Rp 300000"], "--amount \"Rp 300000\" is not a whole number of rupiah"),
        ] {
            let result = try await ws.run(["transfers", "enqueue"], queue + rest)
            expectExit(result, 2)
            #expect(result.stderr.contains(says), "\(result.stderr)")
            #expect(!result.stderr.contains("\u{1B}"), "the terminal escape is not echoed")
        }
        let past = try await ws.run(["transfers", "enqueue"], ["--program", "BANSOS-NT", "--period", "1900-01", "--amount", "300000"])
        expectExit(past, 2)
        #expect(past.stderr.contains("--period \"1900-01\" is outside 2000-01...2099-12"))
        #expect(try ws.dump() == before && (try transfers(ws)).isEmpty)

        try ws.dir.write("pay.csv", "nik,amount,program,period,remark\n"
                         + "\(try String(contentsOfFile: ws.dir.file("demo/recipients.csv"), encoding: .utf8).split(separator: "\n")[1].prefix(16)),300000,BANSOS-NT,2026-11,\"two\nlines\"\n")
        let file = try await ws.run(["transfers", "enqueue"], ["--file", "pay.csv"])
        expectExit(file, 65)
        #expect(file.stderr.contains("pay.csv:2: remark: U+000A (line feed) is not allowed"), "\(file.stderr)")
        #expect(try transfers(ws).isEmpty)
    }

    @Test("a programme the bank refused: enqueue says what differs; cancel --failed (audited) frees it; queued again corrected")
    func refusedProgrammeCanBePaid() async throws {
        let ws = try await opened(5); defer { ws.dir.remove() }
        let queue = ["--program", "BANSOS-NT", "--period", "2026-11"]
        expectExit(try await ws.run(["transfers", "enqueue"], queue + ["--amount", "300", "--remark", "BANSOS"]), 0)
        let differ = try await ws.run(["transfers", "enqueue"], queue + ["--amount", "300000", "--remark", "BANSOS"])
        expectExit(differ, 0)
        #expect(differ.stdout.contains("nothing queued: 5 already queued for this period."))
        #expect(differ.stdout.contains("5 already queued transfers differ from what was asked, and were left as queued:"))
        #expect(differ.stdout.contains("amount Rp 300 queued, Rp 300.000 asked"))
        // The bank refused them all for their data.
        try ws.sql("UPDATE transfer SET state = 'failed', last_code = '4001701', last_message = 'Invalid Field Format remark'")
        try ws.sql("UPDATE batch SET state = 'done'")

        let noReason = try await ws.run(["transfers", "cancel"], ["--failed"])
        expectExit(noReason, 2)
        let badReason = try await ws.run(["transfers", "cancel"], ["--failed", "--reason", "x\u{7}"])
        expectExit(badReason, 2)
        let cancelled = try await ws.run(["transfers", "cancel"], ["--failed", "--reason", "amount was Rp 300; queued again"])
        expectExit(cancelled, 0)
        #expect(cancelled.stdout.hasPrefix("cancelled 5 failed transfers, Rp 1.500, of B-"), "\(cancelled.stdout)")
        let queued = try await ws.run(["transfers", "enqueue"], queue + ["--amount", "300000", "--remark", "BANSOS"])
        expectExit(queued, 0)
        #expect(queued.stdout.hasPrefix("queued 5 transfers, Rp 1.500.000, in 1 batch"), "\(queued.stdout)")
        #expect(try transfers(ws) == Array(repeating: "cancelled 300 BANSOS", count: 5)
                + Array(repeating: "awaiting_approval 300000 BANSOS", count: 5))
        let audit = try DatabaseQueue(path: ws.database).read { db in
            try Row.fetchOne(db, sql: "SELECT actor, details FROM audit_log WHERE action = 'transfers.cancel_failed'")
        }
        let row = try #require(audit)
        #expect(!(row["actor"] as String).isEmpty && (row["details"] as String).contains("amount was Rp 300; queued again"))
    }

    @Test("a name stored before names were checked is listed escaped, never sent to the terminal as it is")
    func storedControlCharactersListedEscaped() async throws {
        let ws = try await opened(2); defer { ws.dir.remove() }
        try ws.sql("UPDATE recipient SET name = 'Maria ' || char(27) || '[2J' || char(8238) || 'Bunga' WHERE id = 1")
        let listed = try await ws.run(["recipients", "list"])
        expectExit(listed, 0)
        #expect(listed.stdout.contains("Maria \\u{1B}[2J<U+202E>Bunga"), "\(listed.stdout)")
        #expect(!listed.stdout.contains("\u{1B}") && !listed.stdout.contains("\u{202E}"))
    }
}
