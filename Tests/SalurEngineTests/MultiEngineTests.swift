import BankSimulator
import Foundation
import SalurBank
import SalurCLI
import SalurCore
import SalurPostgres
import SalurStore
import SalurTestSupport
import Testing

/// Several real `salurd` processes on one PostgreSQL database and one faulty bank: one of them
/// SIGKILLed at random moments and restarted, again and again. Every transfer is still booked
/// exactly once at the bank, none is lost, none settled twice.
@Suite("Several engines on one PostgreSQL", .serialized, .enabled(if: PostgresScratch.isEnabled))
struct MultiEngineTests {
    // Timed against the engines: its kills must land while a round's work is in flight, which a test
    // polling the database slowly amid the whole parallel suite misses. `make test` runs it alone, after
    // the suite (SALUR_SKIP_SOLO=1 leaves it out of the parallel runs).
    @Test("three salurd, one SIGKILLed and restarted 10 times, 7,500 transfers: each booked exactly once", .timeLimit(.minutes(8)),
          .enabled(if: ProcessInfo.processInfo.environment["SALUR_SKIP_SOLO"] != "1"))
    func threeEnginesOneKilled() async throws {
        let clock = ContinuousClock()
        let began = clock.now
        let dir = NSTemporaryDirectory() + "salur-multi-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/secrets", withIntermediateDirectories: true)
        // SALUR_TEST_KEEP=1 keeps the folder (config, logs of every salurd and of the simulator).
        defer { if ProcessInfo.processInfo.environment["SALUR_TEST_KEEP"] != "1" { try? FileManager.default.removeItem(atPath: dir) } }

        // The treasury: 7,500 payments in 30 batches awaiting approval, in a database of its own.
        let count = 7_500
        let (url, passwordFile) = try await PostgresScratch.freshDatabase(prefix: "multi")
        let ledger = try await PostgresLedger(target: try PostgresTarget(url: url, passwordFile: passwordFile), maximumConnections: 2)
        defer { ledger.shutdown() }
        try await PostgresSeed.transfers(ledger, count: count, perBatch: 250, batchState: "awaiting_approval")

        // The bank: a separate process with faults (answers lost after booking, timeouts, pending, throttling).
        let keys = try SNAPKeys.generate()
        for (name, text) in [("private_key.pem", keys.privatePEM), ("public_key.pem", keys.publicPEM), ("client_secret", "multi-secret\n")] {
            FileManager.default.createFile(atPath: dir + "/secrets/" + name, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        }
        let sim = try Child(try BuiltProduct.path("salur-banksim"), [
            "--port", "0", "--client-key", "salur-multi", "--partner-id", "KUPANG",
            "--public-key", dir + "/secrets/public_key.pem", "--client-secret-file", dir + "/secrets/client_secret",
            // 150 ms an answer: a round's 500 transfers take the three engines (8 in flight each) three
            // seconds or more, so the kill lands in the middle of the work even when they post fast and
            // this test, on a loaded machine, looks at the database slowly.
            "--source-account", "0011999999", "--latency-ms", "150", "--seed", "9",
            "--timeout-after-rate", "4", "--drop-after-rate", "4", "--drop-before-rate", "2", "--pending-rate", "4",
            "--throttle-rate", "3", "--retry-after-seconds", "0", "--settle-after-ms", "100",
            "--strict",  // every request held to the standard's field tables
        ], logs: dir + "/banksim")
        defer { sim.kill() }
        try await Child.poll(seconds: 20, "the simulator to listen") { sim.stdout.contains("listening on") }
        let address = try #require(sim.stdout.split(separator: "\n").first?.split(separator: " ").last.map(String.init))

        // A long poll interval: engines learn of approvals and started batches from NOTIFY, and of a
        // lease running out from their next due time, not from polling.
        let config = dir + "/salur.toml"
        try """
        [database]
        url = "\(url)"
        password_file = "\(passwordFile ?? "")"
        max_connections = 6
        [bank]
        base_url = "http://\(address)"
        partner_id = "KUPANG"
        client_key = "salur-multi"
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
        inquiry_delay_ms = 20
        not_found_settle_ms = 2600
        [engine]
        poll_interval_ms = 20000
        chunk_size = 32
        lease_ms = 1500
        shutdown_timeout_ms = 5000
        """.write(toFile: config, atomically: true, encoding: .utf8)

        let salurd = try BuiltProduct.path("salurd")
        func start(_ name: String, node: String? = nil) throws -> Child {
            try Child(salurd, ["--config", config], logs: dir + "/" + name, environment: node.map { ["SALURD_TEST_NODE": $0] } ?? [:])
        }
        let steady = [try start("salurd-a"), try start("salurd-b")]
        defer { steady.forEach { $0.kill() } }
        // The victim claims to run on another node: the others cannot see its process end and must
        // wait for its lease; its own next incarnation (same node) sees the PID gone and recovers at once.
        var victim = try start("salurd-victim-0", node: "elsewhere")
        defer { victim.kill() }
        func engineCount() async throws -> Int64 { try await PostgresSeed.int(ledger, "SELECT count(*) FROM engine WHERE stopped_at IS NULL") }
        try await poll(seconds: 30, "three engines to register") { try await engineCount() >= 3 }

        // Two of the 30 batches are approved before each round (any client's approval notifies the
        // engines), so there is work left to be killed in the middle of at every round, however fast they post.
        func approve(round: Int) async throws {
            let ids = [round * 2 + 1, round * 2 + 2].map { "'B-T-" + String(repeating: "0", count: 4 - String($0).count) + String($0) + "'" }
            try await PostgresSeed.execute(ledger, """
                UPDATE batch SET state = 'approved', approved_by = 'checker', approved_at = '2026-11-01T01:00:00.000Z'
                    WHERE id IN (\(ids.joined(separator: ", "))) AND state = 'awaiting_approval';
                UPDATE transfer SET state = 'approved' WHERE batch_id IN (\(ids.joined(separator: ", "))) AND state = 'awaiting_approval';
                """)
        }

        var random = SplitMix64(seed: UInt64(Date().timeIntervalSince1970))
        var kills = 0, waitedForLease = 0, killedHolding = 0, killedIdle = 0
        func attempts() async throws -> Int64 { try await PostgresSeed.int(ledger, "SELECT count(*) FROM transfer_attempt") }
        func unsettled() async throws -> Int64 { try await PostgresSeed.int(ledger, "SELECT count(*) FROM transfer WHERE state <> 'settled'") }
        // What is approved so far and not yet settled: a round's work is done when this is 0.
        func outstanding() async throws -> Int64 {
            try await PostgresSeed.int(ledger, "SELECT count(*) FROM transfer WHERE state NOT IN ('settled', 'awaiting_approval')")
        }
        // Rounds until the victim has been killed 10 times (each round kills it once; up to 15 rounds
        // in case a victim exits by itself); what is left unapproved is approved at the end.
        for round in 0..<15 where kills < 10 {
            // The approval once this round's victim has registered and ended a first pass (its status is
            // no longer 'starting': it is in its loop, listening), so that all three share the new work —
            // on a loaded machine a salurd takes seconds to start, and the two others would otherwise
            // post the whole round before it claims anything.
            let victimPID = victim.process.processIdentifier
            try await poll(seconds: 60, "victim \(round) to register and end a first pass") {
                try await PostgresSeed.int(ledger, """
                    SELECT count(*) FROM engine WHERE pid = \(victimPID) AND stopped_at IS NULL AND status <> 'starting'
                    """) > 0
            }
            try await approve(round: round)
            // Kill once it has claimed work, after a random amount of progress by the three together.
            try await poll(seconds: 30, "victim \(round) to claim work") {
                if !victim.process.isRunning { return true }
                let claims = try await PostgresSeed.int(ledger, """
                    SELECT count(*) FROM transfer t JOIN engine e ON e.id = t.claimed_by WHERE e.pid = \(victimPID)
                    """)
                if claims > 0 { return true }
                return try await outstanding() == 0
            }
            // Progress: attempts sent or transfers settled (the last ones of a round may only be asked about).
            func progress() async throws -> Int64 { try await attempts() + Int64(count) - unsettled() }
            let target = try await progress() + Int64(random.next() % 60)
            // Odd rounds kill at that point, whatever the victim is doing; even rounds (whose kills the
            // survivors must wait out by lease) once it is seen holding transfers sending, so that a
            // loaded machine, slow to poll, cannot make every kill land between its chunks.
            func holding() async throws -> Bool {
                try await PostgresSeed.int(ledger, """
                    SELECT count(*) FROM transfer t JOIN engine e ON e.id = t.claimed_by
                    WHERE t.state = 'sending' AND e.pid = \(victimPID) AND e.stopped_at IS NULL
                    """) > 0
            }
            var reached: ContinuousClock.Instant?
            do {
                try await poll(seconds: 60, "progress before kill \(round)") {
                    if !victim.process.isRunning { return true }
                    if try await progress() >= target {
                        if round % 2 == 1 { return true }
                        // Seen holding, or not within 3 s of the target (a loaded run may never catch
                        // it in the act): the kill is not given up for it.
                        let since = reached ?? ContinuousClock.now
                        reached = since
                        if try await holding() || ContinuousClock.now - since > .seconds(3) { return true }
                    }
                    return try await outstanding() == 0
                }
            } catch {
                // What the engines were doing: which of them hold the work left, and their last words.
                let holders = try await PostgresSeed.texts(ledger, """
                    SELECT state || ' ' || coalesce(claimed_by, '-') || ': ' || count(*) FROM transfer
                    WHERE state NOT IN ('settled', 'awaiting_approval') GROUP BY state, claimed_by
                    """)
                let engines = try await PostgresSeed.texts(ledger, """
                    SELECT id || ' pid ' || pid || ' lease ' || lease_until || ' beat ' || heartbeat_at || ' ' || status
                    FROM engine WHERE stopped_at IS NULL
                    """)
                Issue.record("""
                    stalled at round \(round): \(holders.compactMap { $0 }) engines \(engines.compactMap { $0 })
                    \((steady + [victim]).map { String($0.stderr.suffix(1_500)) }.joined(separator: "\n---\n"))
                    """)
                throw error
            }
            // A round whose work the engines finished before the kill point (a loaded machine looks at
            // the database slowly) still kills its victim, idle then: every round tests a kill and a
            // restart; the kills that catch work in flight are counted apart (`killedHolding`).
            if try await outstanding() == 0 { killedIdle += 1 }
            #expect(victim.process.isRunning, "the victim exited by itself: \(victim.stderr.suffix(2_000))")
            let pid = victim.process.processIdentifier
            victim.kill(SIGKILL)
            _ = try await victim.wait(seconds: 10)
            kills += 1
            let victimID = try await PostgresSeed.texts(ledger, "SELECT id FROM engine WHERE pid = \(pid) ORDER BY started_at DESC LIMIT 1").first ?? nil
            let held = try await PostgresSeed.int(ledger, "SELECT count(*) FROM transfer WHERE state = 'sending' AND claimed_by = '\(victimID ?? "")'")
            if held > 0 { killedHolding += 1 }
            // Every other round, the survivors must take over what it left sending, once its lease runs out.
            if round % 2 == 0, let victimID {
                if held > 0 {
                    waitedForLease += 1
                    try await poll(seconds: 30, "the survivors to take over \(held) transfers of \(victimID)") {
                        try await PostgresSeed.int(ledger, "SELECT count(*) FROM transfer WHERE state = 'sending' AND claimed_by = '\(victimID)'") == 0
                    }
                }
            }
            victim = try start("salurd-victim-\(round + 1)", node: "elsewhere")
        }

        #expect(kills >= 8, "all settled after only \(kills) kills")
        try await PostgresSeed.execute(ledger, """
            UPDATE batch SET state = 'approved', approved_by = 'checker', approved_at = '2026-11-01T01:00:00.000Z'
                WHERE state = 'awaiting_approval';
            UPDATE transfer SET state = 'approved' WHERE state = 'awaiting_approval';
            """)
        try await poll(seconds: 180, "every transfer to settle") { try await unsettled() == 0 }
        let figures = (attempts: try await attempts(), clock.now - began)
        for child in steady + [victim] { child.kill(SIGTERM) }
        for child in steady + [victim] {
            #expect(try await child.wait(seconds: 20) == 0, "salurd did not stop cleanly: \(child.stderr.suffix(2_000))")
        }
        for child in steady { #expect(!child.stderr.contains("critical"), "\(child.stderr.suffix(2_000))") }

        // The store: every transfer settled, no engine left holding anything.
        #expect(try await PostgresSeed.int(ledger, "SELECT count(*) FROM transfer WHERE state = 'settled'") == Int64(count))
        let engines = try await ledger.engines()
        #expect(engines.allSatisfy { $0.live == false && $0.holding == 0 }, "\(engines)")
        #expect(engines.count >= 2 + 1 + kills, "every incarnation registered before it was killed")

        // The bank's own ledger: every transfer booked exactly once, amounts, accounts and references agreeing.
        var options = CurlClient.Options()
        options.maxResponseBytes = 64 << 20  // the whole ledger of 5,000 bookings and more
        let client = try CurlClient(options: options)
        defer { client.shutdown() }
        let response = try await client.send(HTTPRequest(method: "GET", url: "http://\(address)/admin/ledger"))
        struct BankLedger: Decodable {
            struct Entry: Decodable { let partnerReferenceNo: String; let status: String; let amount: Int64; let beneficiaryAccountNo: String; let referenceNo: String }
            let entries: [Entry]
        }
        let booked = try JSONDecoder().decode(BankLedger.self, from: Data(response.body)).entries.filter { $0.status == "settled" }
        let byReference = Dictionary(grouping: booked, by: \.partnerReferenceNo)
        #expect(byReference.values.allSatisfy { $0.count == 1 }, "booked twice: \(byReference.filter { $0.value.count > 1 }.keys.sorted().prefix(5))")
        #expect(booked.count == count)
        let ours = try await PostgresSeed.texts(ledger, """
            SELECT partner_reference_no || '|' || amount || '|' || beneficiary_account || '|' || coalesce(bank_reference_no, '-') FROM transfer ORDER BY id
            """)
        let theirs = byReference.values.compactMap(\.first).sorted { $0.partnerReferenceNo < $1.partnerReferenceNo }
            .map { "\($0.partnerReferenceNo)|\($0.amount)|\($0.beneficiaryAccountNo)|\($0.referenceNo)" }
        #expect(ours.compactMap { $0 } == theirs)

        // Work was shared, kills left transfers to recover, and survivors took some over.
        let claimers = try await PostgresSeed.int(ledger, "SELECT count(DISTINCT claimed_by) FROM transfer")
        let recoveries = try await PostgresSeed.int(ledger, "SELECT count(*) FROM audit_log WHERE action = 'engine.recover'")
        #expect(claimers >= 3)
        #expect(killedHolding >= 3, "only \(killedHolding) kills caught the victim holding transfers")
        #expect(recoveries >= killedHolding, "each kill that left transfers sending was recovered (audited)")
        print("multi-engine: \(count) transfers, \(kills) SIGKILLs (\(killedHolding) while holding transfers, \(killedIdle) after the round's work, \(waitedForLease) waited out by "
              + "lease), \(figures.attempts) attempts, \(claimers) engines claimed, \(recoveries) recoveries audited, \(figures.1)")
    }

    /// Waits for an async `condition`, looking every few milliseconds, at most `seconds`.
    func poll(seconds: Double, _ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while try await !condition() {
            if ContinuousClock.now > deadline { throw ProcessError("timed out after \(seconds) s waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
