import Foundation
import GRDB
import Testing

/// `salurctl transfers retry --failed`: re-payment through a new batch that another official approves.
@Suite("salurctl transfers retry", .timeLimit(.minutes(5)))
struct RetryCommandTests {
    struct Summary: Decodable, Equatable {
        let transfers: Int
        let batches: [String]
        let awaiting_approval: Bool
    }

    struct Shown: Decodable {
        let state: String
        let transfers: [String: Count]
        struct Count: Decodable { let count: Int }
    }

    func expectExit(_ result: Salurctl.Result, _ code: Int32, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == code, "\(result)", sourceLocation: sourceLocation)
    }

    @Test("retry --failed --json: a new batch awaiting approval that the operator who retried may not approve; audited under their login")
    func retryIsMakerChecker() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        expectExit(try await Salurctl.run(["demo", "seed", "--dir", "demo", "--recipients", "20", "--opened", "20"], in: ws.dir), 0)
        expectExit(try await ws.run(["recipients", "import"], ["demo/recipients.csv"]), 0)
        expectExit(try await ws.run(["accounts", "export-requests"], ["-o", "requests.csv"]), 0)
        expectExit(try await ws.run(["accounts", "import-results"], ["demo/bank-results.csv"]), 0)
        expectExit(try await ws.run(["transfers", "enqueue"], ["--program", "BANSOS-NT", "--period", "2026-11", "--amount", "300000"]), 0)
        try ws.sql("UPDATE transfer SET state = 'failed', last_code = 'status 05' WHERE id IN (2, 7)")

        let retried = try await ws.run(["transfers", "retry"], ["--failed", "--json"])
        expectExit(retried, 0)
        let summary = try JSONDecoder().decode(Summary.self, from: Data(retried.stdout.utf8))
        #expect(summary.transfers == 2 && summary.batches.count == 1 && summary.awaiting_approval)
        let batch = try #require(summary.batches.first)
        #expect(batch.hasPrefix("B-") && batch.hasSuffix("-0002"))

        let shown = try await ws.run(["batches", "show", batch, "--json"])
        expectExit(shown, 0)
        let shownBatch = try JSONDecoder().decode(Shown.self, from: Data(shown.stdout.utf8))
        #expect(shownBatch.state == "awaiting_approval" && shownBatch.transfers.keys.sorted() == ["in_doubt"])
        // distinct_approver (on by default): the operator who retried is one of the batch's makers.
        let refused = try await ws.run(["batches", "approve", batch])
        expectExit(refused, 1)
        #expect(refused.stderr.contains("maker-checker") && refused.stderr.contains(batch))

        let audit = try DatabaseQueue(path: ws.database).read { db in
            try Row.fetchOne(db, sql: "SELECT actor, details FROM audit_log WHERE action = 'transfers.retry_failed'")
        }
        let row = try #require(audit)
        #expect(!(row["actor"] as String).isEmpty && (row["details"] as String).contains(batch))

        let again = try await ws.run(["transfers", "retry"], ["--failed"])
        expectExit(again, 0)
        #expect(again.stdout.contains("no failed transfer to retry."))
    }
}
