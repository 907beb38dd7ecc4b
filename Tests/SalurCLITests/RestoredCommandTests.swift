import Foundation
import Testing

/// `salurctl db restored`: the restore runbook's step, through the built executable.
@Suite("salurctl db restored", .timeLimit(.minutes(5)))
struct RestoredCommandTests {
    @Test("db restored puts every open transfer in doubt, audited under the operator's login; daemon status shows it; a reason is required")
    func restoredByHand() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        #expect(try await Salurctl.run(["demo", "seed", "--dir", "demo", "--recipients", "12", "--opened", "12"], in: ws.dir).status == 0)
        #expect(try await ws.run(["recipients", "import"], ["demo/recipients.csv"]).status == 0)
        #expect(try await ws.run(["accounts", "export-requests"], ["-o", "requests.csv"]).status == 0)
        #expect(try await ws.run(["accounts", "import-results"], ["demo/bank-results.csv"]).status == 0)
        #expect(try await ws.run(["transfers", "enqueue"], ["--program", "BANSOS-NT", "--period", "2026-11", "--amount", "300000"]).status == 0)

        let noReason = try await ws.run(["db", "restored"], ["--reason", "  "])
        #expect(noReason.status == 2, "\(noReason)")

        let restored = try await ws.run(["db", "restored"], ["--reason", "backup of 2026-12-01 02:00", "--json"])
        #expect(restored.status == 0, "\(restored)")
        struct Restored: Decodable { let in_doubt: Int }
        #expect(try JSONDecoder().decode(Restored.self, from: Data(restored.stdout.utf8)).in_doubt == 12)

        let queue = try await ws.run(["queue", "status", "--json"])
        struct Total: Decodable { let count: Int }
        struct Queue: Decodable { let transfers: [String: Total] }
        #expect(try JSONDecoder().decode(Queue.self, from: Data(queue.stdout.utf8)).transfers["in_doubt"]?.count == 12, "\(queue.stdout)")

        let status = try await ws.run(["daemon", "status", "--json"])
        #expect(status.status == 0, "\(status)")
        struct Mark: Decodable { let recovered_transfers: Int?; let recovered_by: String?; let recovered_reason: String? }
        struct Status: Decodable { let send_mark: Mark? }
        let mark = try #require(try JSONDecoder().decode(Status.self, from: Data(status.stdout.utf8)).send_mark)
        #expect(mark.recovered_transfers == 12 && mark.recovered_reason == "operator: backup of 2026-12-01 02:00", "\(status.stdout)")
        #expect(mark.recovered_by?.isEmpty == false)
        let human = try await ws.run(["daemon", "status"])
        #expect(human.stdout.contains("last restore recovery:") && human.stdout.contains("12 transfers asked about"), "\(human.stdout)")

        let audit = try await ws.run(["audit", "log"])
        #expect(audit.stdout.contains("database.restore-recovery"), "\(audit.stdout.suffix(1500))")
    }
}
