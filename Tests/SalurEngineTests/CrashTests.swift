import BankSimulator
import Foundation
import SalurBank
import SalurCLI
import SalurCore
import SalurSQLite
import SalurStore
import SalurTestSupport
import Testing

/// `salurd` killed with SIGKILL at random moments while posting, restarted each time: every
/// transfer is still booked exactly once and none is lost.
@Suite("Crash safety", .serialized)
struct CrashTests {
    @Test("SIGKILL 20 times while posting 2,000 transfers", .timeLimit(.minutes(5)))
    func killRepeatedly() async throws {
        let dir = NSTemporaryDirectory() + "salur-crash-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/secrets", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }

        // The treasury: 2,000 opened recipients, one approved payment each.
        let count = 2_000
        let ledger = try SQLiteLedger(path: dir + "/state/salur.sqlite")
        try DemoTreasury.seed(ledger, count: count, seed: 11,
                              rules: BatchingRules(maxItems: 250, maxAmount: Rupiah(1_000_000_000), approvalRequired: true))

        // The bank: a separate process with faults, so the engine's crashes cannot disturb it.
        let keys = try SNAPKeys.generate()
        for (name, text) in [("private_key.pem", keys.privatePEM), ("public_key.pem", keys.publicPEM), ("client_secret", "crash-secret\n")] {
            FileManager.default.createFile(atPath: dir + "/secrets/" + name, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        }
        let sim = try Child(try BuiltProduct.path("salur-banksim"), [
            "--port", "0", "--client-key", "salur-crash", "--partner-id", "KUPANG",
            "--public-key", dir + "/secrets/public_key.pem", "--client-secret-file", dir + "/secrets/client_secret",
            "--source-account", "0011999999", "--latency-ms", "15", "--seed", "5",
            "--timeout-after-rate", "5", "--drop-after-rate", "5", "--pending-rate", "5", "--throttle-rate", "3",
            "--retry-after-seconds", "0",
            "--strict",  // every request held to the standard's field tables
        ], logs: dir + "/banksim")
        defer { sim.kill() }
        try await Child.poll(seconds: 20, "the simulator to listen") { sim.stdout.contains("listening on") }
        let address = try #require(sim.stdout.split(separator: "\n").first?.split(separator: " ").last.map(String.init))

        let config = dir + "/salur.toml"
        try """
        [database]
        path = "state/salur.sqlite"
        [bank]
        base_url = "http://\(address)"
        partner_id = "KUPANG"
        client_key = "salur-crash"
        client_secret_file = "secrets/client_secret"
        private_key_file = "secrets/private_key.pem"
        source_account = "0011999999"
        max_in_flight = 8
        request_timeout_ms = 1000
        [batching]
        max_items = 250
        max_amount = 1000000000
        [retry]
        base_delay_ms = 5
        max_delay_ms = 100
        max_attempts = 60
        inquiry_delay_ms = 10
        not_found_settle_ms = 2000
        [engine]
        poll_interval_ms = 20
        chunk_size = 64
        """.write(toFile: config, atomically: true, encoding: .utf8)

        let salurd = try BuiltProduct.path("salurd")
        var random = SplitMix64(seed: UInt64(Date().timeIntervalSince1970))
        var kills = 0
        for round in 0..<20 {
            let attemptsBefore = try attempts(ledger)
            let engine = try Child(salurd, ["--config", config], logs: dir + "/salurd-\(round)")
            // Kill after a random amount of progress (0 = as soon as it has started sending).
            let target = attemptsBefore + Int(random.next() % 120)
            // On a loaded machine the engine can outrun the poll and finish everything early: then
            // the remaining rounds kill it while it starts up or idles, which is a crash point too.
            try await Child.poll(seconds: 60, "salurd to make progress (round \(round))") {
                try attempts(ledger) >= target || !engine.process.isRunning || unsettled(ledger) == 0
            }
            #expect(engine.process.isRunning, "salurd exited early: \(engine.stderr)")
            engine.kill(SIGKILL)
            _ = try await engine.wait(seconds: 10)
            kills += 1
        }
        #expect(kills == 20)

        // Restart once more and let it finish.
        let final = try Child(salurd, ["--config", config, "--exit-when-idle"], logs: dir + "/salurd-final")
        let status = try await final.wait(seconds: 180)
        #expect(status == 0, "final salurd: \(final.stderr.suffix(2_000))")

        let records = try ledger.transferRecords(from: nil, to: nil)
        let states = Dictionary(grouping: records, by: \.state).mapValues(\.count)
        #expect(states == ["settled": count], "states after the crashes: \(states)")

        // The bank's own ledger: every transfer booked exactly once, amounts and accounts agreeing.
        let client = try CurlClient()
        defer { client.shutdown() }
        let response = try await client.send(HTTPRequest(method: "GET", url: "http://\(address)/admin/ledger"))
        struct Ledger: Decodable {
            struct Entry: Decodable { let partnerReferenceNo: String; let status: String; let amount: Int64; let beneficiaryAccountNo: String; let referenceNo: String }
            let entries: [Entry]
        }
        let booked = try JSONDecoder().decode(Ledger.self, from: Data(response.body)).entries.filter { $0.status == "settled" }
        let byReference = Dictionary(grouping: booked, by: \.partnerReferenceNo)
        #expect(byReference.values.allSatisfy { $0.count == 1 }, "booked twice: \(byReference.filter { $0.value.count > 1 }.keys.sorted().prefix(5))")
        #expect(booked.count == count)
        for record in records {
            let entry = byReference[record.partnerReferenceNo]?.first
            #expect(entry?.amount == record.amount.value)
            #expect(entry?.beneficiaryAccountNo == record.accountNo)
            #expect(entry?.referenceNo == record.bankReferenceNo)
        }
        let recovered = try ledger.auditTail(limit: 10_000).filter { $0.action == "engine.recover" }.count
        #expect(recovered > 0, "some kills left transfers sending, recovered as in doubt")
    }

    private func attempts(_ ledger: SQLiteLedger) throws -> Int { try ledger.attemptCount() }

    /// Transfers not yet settled.
    private func unsettled(_ ledger: SQLiteLedger) throws -> Int {
        let status = try ledger.queueStatus(now: Date())
        return status.transfers.filter { $0.key != "settled" }.values.reduce(0) { $0 + $1.count }
    }
}
