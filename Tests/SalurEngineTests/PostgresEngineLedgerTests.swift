import Foundation
import SalurCore
import SalurPostgres
import SalurStore
import SalurTestSupport
import Synchronization
import Testing

/// The engine's store on PostgreSQL with several engines — here several `PostgresLedger`s, each
/// registered as an engine, on one scratch database.
@Suite("PostgreSQL engine store", .enabled(if: PostgresScratch.isEnabled))
struct PostgresEngineLedgerTests {
    /// One engine: its own ledger (own connection pool), registered with `lease`. Nothing here renews
    /// a lease, so the default outlasts any test on a loaded machine; a test of a lease running out
    /// moves `lease_until` itself.
    static func engine(_ target: PostgresTarget, pid: Int = Int(getpid()), host: String = ProcessInfo.processInfo.hostName,
                       lease: Duration = .seconds(900)) async throws -> PostgresLedger {
        let ledger = try await PostgresLedger(target: target, maximumConnections: 4)
        ledger.configureEngine(lease: lease)
        try await ledger.registerEngine(pid: pid, host: host, version: "test")
        return ledger
    }

    static func claimAll(_ ledger: PostgresLedger, chunk: Int = 64) async throws -> [ClaimedAttempt] {
        var all: [ClaimedAttempt] = []
        while true {
            let claimed = try await ledger.advance(recording: [], claiming: chunk, now: Date(), maxAttempts: 10)
            if claimed.isEmpty { return all }
            all += claimed
        }
    }

    static func states(_ ledger: PostgresLedger) async throws -> [String: Int] {
        let status = try await ledger.queueStatus(now: Date())
        return status.transfers.filter { $0.value.count > 0 }.mapValues(\.count)
    }

    /// A process that has ended: its PID, free (until reused) and provably not running.
    static func endedPID() throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return Int(process.processIdentifier)
    }

    /// Waits for `condition`, looking every few milliseconds, at most `seconds`.
    static func poll(seconds: Double, _ what: String, _ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while try !condition() {
            if ContinuousClock.now > deadline { throw ProcessError("timed out after \(seconds) s waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test("three engines claiming at once never get the same transfer, and together get every one")
    func concurrentClaims() async throws {
        let target = try await PostgresScratch.freshTarget(prefix: "claims")
        let engines = [try await Self.engine(target), try await Self.engine(target), try await Self.engine(target)]
        defer { engines.forEach { $0.shutdown() } }
        try await PostgresSeed.transfers(engines[0], count: 3_000, perBatch: 500, batchState: "posting")

        let claims = try await withThrowingTaskGroup(of: (String, [ClaimedAttempt]).self) { group in
            for engine in engines {
                group.addTask { (engine.engineID!, try await Self.claimAll(engine, chunk: 37)) }
            }
            var all: [(String, [ClaimedAttempt])] = []
            for try await result in group { all.append(result) }
            return all
        }
        let ids = claims.flatMap { $0.1.map(\.transferID) }
        #expect(ids.count == 3_000, "claimed \(ids.count) attempts for 3,000 transfers")
        #expect(Set(ids).count == ids.count, "a transfer was claimed twice")
        #expect(Set(claims.flatMap { $0.1.map(\.externalID) }).count == ids.count, "an external id was used twice")
        #expect(claims.allSatisfy { !$0.1.isEmpty }, "every engine got work: \(claims.map { $0.1.count })")
        // The database agrees: each transfer sending, claimed by the engine that got it.
        for (engine, attempts) in claims {
            let held = try await PostgresSeed.int(engines[0], "SELECT count(*) FROM transfer WHERE state = 'sending' AND claimed_by = '\(engine)'")
            #expect(held == Int64(attempts.count))
        }
        #expect(try await PostgresSeed.int(engines[0], "SELECT count(*) FROM transfer_attempt") == 3_000)
        let listed = try await engines[0].engines()
        #expect(listed.count == 3 && listed.allSatisfy { $0.live == true })
        #expect(listed.compactMap(\.holding).reduce(0, +) == 3_000)
    }

    @Test("what an engine whose lease ran out left sending is taken over as in doubt; a live engine's is not")
    func takeOverAfterLease() async throws {
        let target = try await PostgresScratch.freshTarget(prefix: "takeover")
        let dead = try await Self.engine(target), live = try await Self.engine(target), survivor = try await Self.engine(target)
        defer { [dead, live, survivor].forEach { $0.shutdown() } }
        try await PostgresSeed.transfers(dead, count: 30, perBatch: 30, batchState: "posting")
        let deadClaims = try await dead.advance(recording: [], claiming: 10, now: Date(), maxAttempts: 10)
        let liveClaims = try await live.advance(recording: [], claiming: 10, now: Date(), maxAttempts: 10)
        #expect(deadClaims.count == 10 && liveClaims.count == 10)

        // Nobody's lease has run out: nothing is taken over, not even by a fresh start's recovery.
        #expect(try await survivor.takeOverAbandoned() == 0)
        #expect(try await survivor.recoverInterrupted() == 0)
        #expect(try await Self.states(survivor) == ["sending": 20, "approved": 10])

        // The first engine's lease runs out (by PostgreSQL's clock): its ten are taken over, once.
        try await PostgresSeed.execute(survivor, "UPDATE engine SET lease_until = clock_timestamp() - interval '1 second' WHERE id = '\(dead.engineID!)'")
        #expect(try await survivor.takeOverAbandoned() == 10)
        #expect(try await live.takeOverAbandoned() == 0)
        let taken = try await PostgresSeed.texts(survivor, "SELECT t.id::text FROM transfer t WHERE t.state = 'in_doubt' ORDER BY t.id")
        #expect(taken == deadClaims.map { String($0.transferID) })
        #expect(try await PostgresSeed.int(survivor, "SELECT count(*) FROM transfer WHERE state = 'sending' AND claimed_by = '\(live.engineID!)'") == 10)
        #expect(try await PostgresSeed.int(survivor, "SELECT count(*) FROM transfer_attempt WHERE outcome = 'interrupted'") == 10)
        #expect(try await PostgresSeed.int(survivor, "SELECT count(*) FROM audit_log WHERE action = 'engine.recover' AND details LIKE '%\(dead.engineID!)%'") == 1)

        // The lapsed engine claims nothing more under its old lease; renewing it registers anew.
        #expect(try await dead.advance(recording: [], claiming: 5, now: Date(), maxAttempts: 10).isEmpty)
        let oldID = dead.engineID
        try await dead.renewLease()
        #expect(dead.engineID != oldID)
        #expect(try await dead.advance(recording: [], claiming: 5, now: Date(), maxAttempts: 10).count == 5)
        let listed = try await survivor.engines()
        #expect(listed.first { $0.id == oldID }?.live == false)
        #expect(listed.filter { $0.live == true }.count == 3)

        // Its late answer for a transfer taken over still counts (same attempt, now in doubt)…
        try await dead.record([Resolution(transferID: deadClaims[0].transferID, externalID: deadClaims[0].externalID, next: .settled,
                                          code: "2001700", bankReference: "BNK1")], now: Date())
        // …and the inquiry answer of the engine that took it over, arriving after, changes nothing.
        try await survivor.record([Resolution(transferID: deadClaims[0].transferID, externalID: deadClaims[0].externalID, next: .retryWait,
                                              code: "status 07", nextActionAt: Date())], now: Date())
        #expect(try await PostgresSeed.texts(survivor, "SELECT state FROM transfer WHERE id = \(deadClaims[0].transferID)") == ["settled"])
    }

    @Test("an engine on this host whose process ended is taken over at once, whatever its lease says")
    func endedProcess() async throws {
        let target = try await PostgresScratch.freshTarget(prefix: "ended")
        let previous = try await Self.engine(target, pid: try Self.endedPID())
        let other = try await Self.engine(target, pid: try Self.endedPID(), host: "another-host.example")
        defer { [previous, other].forEach { $0.shutdown() } }
        try await PostgresSeed.transfers(previous, count: 20, perBatch: 20, batchState: "posting")
        #expect(try await previous.advance(recording: [], claiming: 8, now: Date(), maxAttempts: 10).count == 8)
        #expect(try await other.advance(recording: [], claiming: 8, now: Date(), maxAttempts: 10).count == 8)

        // A restart on this host: the previous incarnation's PID is gone, so its eight are in doubt at
        // once; the engine on another host (whose PID means nothing here) keeps its eight until its lease ends.
        let restarted = try await Self.engine(target)
        defer { restarted.shutdown() }
        #expect(try await restarted.recoverInterrupted() == 8)
        #expect(try await Self.states(restarted) == ["in_doubt": 8, "sending": 8, "approved": 4])
        let listed = try await restarted.engines()
        #expect(listed.first { $0.id == previous.engineID }?.live == false)
        #expect(listed.first { $0.id == other.engineID }?.live == true)
    }

    @Test("an answer is recorded only while the transfer carries that attempt's external id and is sending or in doubt")
    func externalIDGuard() async throws {
        let target = try await PostgresScratch.freshTarget(prefix: "guard")
        let engine = try await Self.engine(target)
        defer { engine.shutdown() }
        try await PostgresSeed.transfers(engine, count: 3, perBatch: 3, batchState: "posting")
        let claimed = try await engine.advance(recording: [], claiming: 3, now: Date(), maxAttempts: 10)
        #expect(claimed.count == 3)
        let a = claimed[0], b = claimed[1], c = claimed[2]

        // A wrong external id changes nothing.
        try await engine.record([Resolution(transferID: a.transferID, externalID: "20261101999999999999", next: .failed, code: "x")], now: Date())
        #expect(try await PostgresSeed.texts(engine, "SELECT state FROM transfer WHERE id = \(a.transferID)") == ["sending"])
        // The right one settles it; a late in-doubt answer for the same attempt cannot move it back.
        try await engine.record([Resolution(transferID: a.transferID, externalID: a.externalID, next: .settled, code: "2001700", bankReference: "R1")],
                                now: Date())
        try await engine.record([Resolution(transferID: a.transferID, externalID: a.externalID, next: .inDoubt, code: "5041700",
                                            nextActionAt: Date())], now: Date())
        #expect(try await PostgresSeed.texts(engine, "SELECT state || ' ' || bank_reference_no FROM transfer WHERE id = \(a.transferID)") == ["settled R1"])

        // Not processed → retry: the next attempt gets a new external id; the old attempt's answer no longer applies.
        try await engine.record([Resolution(transferID: b.transferID, externalID: b.externalID, next: .retryWait, code: "4291700",
                                            nextActionAt: Date(timeIntervalSinceNow: -1))], now: Date())
        let again = try await engine.advance(recording: [], claiming: 3, now: Date(), maxAttempts: 10)
        #expect(again.map(\.transferID) == [b.transferID] && again[0].attemptNo == 2 && again[0].externalID != b.externalID)
        try await engine.record([Resolution(transferID: b.transferID, externalID: b.externalID, next: .settled, code: "2001700")], now: Date())
        #expect(try await PostgresSeed.texts(engine, "SELECT state FROM transfer WHERE id = \(b.transferID)") == ["sending"])

        // In doubt, then shown debited by a statement: never sent again, asked about instead.
        try await engine.record([Resolution(transferID: c.transferID, externalID: c.externalID, next: .retryWait, code: "5001700",
                                            nextActionAt: Date(timeIntervalSinceNow: -1))], now: Date())
        try await PostgresSeed.execute(engine, """
            INSERT INTO statement (id, account_no, statement_id, sequence, content_hash, format, currency, opening_balance, closing_balance,
                opening_date, closing_date, entry_count, debit_count, debit_total, credit_count, credit_total, source_file, source_line,
                file_sha256, imported_by, imported_at)
            VALUES (1, '0011999999', 'S', '1', 'h', 'csv', 'IDR', 0, 0, '2026-11-01', '2026-11-01', 1, 1, 300000, 0, 0, 's.csv', 1, 'x', 't', 't');
            INSERT INTO statement_entry (statement_row, position, value_date, direction, amount, is_reversal, status, bank_reference,
                customer_reference, description, line, transfer_id, match_kind)
            VALUES (1, 1, '2026-11-01', 'debit', 300000, 0, 'booked', 'R', 'SLR', 'd', 1, \(c.transferID), 'reference');
            """)
        #expect(try await engine.advance(recording: [], claiming: 3, now: Date(), maxAttempts: 10).isEmpty)
        #expect(try await PostgresSeed.texts(engine, "SELECT state FROM transfer WHERE id = \(c.transferID)") == ["in_doubt"])
    }

    @Test("queue status and batches list read the tally the triggers keep: it equals the transfers counted, through queueing, claims, answers, a delete and folding")
    func transferTally() async throws {
        let target = try await PostgresScratch.freshTarget(prefix: "tally")
        let a = try await Self.engine(target), b = try await Self.engine(target)
        defer { [a, b].forEach { $0.shutdown() } }
        func counted() async throws -> [String: StateTotal] {
            var totals: [String: StateTotal] = [:]
            for text in try await PostgresSeed.texts(a, "SELECT state || ' ' || count(*) || ' ' || sum(amount) FROM transfer GROUP BY state") {
                let parts = (text ?? "").split(separator: " ")
                totals[String(parts[0])] = StateTotal(count: Int(parts[1])!, amount: Int64(parts[2])!)
            }
            return totals
        }
        func read() async throws -> [String: StateTotal] { try await a.queueStatus(now: Date()).transfers.filter { $0.value.count > 0 } }
        func tallyRows() async throws -> Int64 { try await PostgresSeed.int(a, "SELECT count(*) FROM transfer_tally") }
        // `batches list`'s totals per batch and state, from the tally, against the transfers counted.
        func batchesAgree() async throws -> Bool {
            var counted: [String: [String: StateTotal]] = [:]
            for text in try await PostgresSeed.texts(a, """
                SELECT batch_id || ' ' || state || ' ' || count(*) || ' ' || sum(amount) FROM transfer WHERE batch_id IS NOT NULL GROUP BY batch_id, state
                """) {
                let parts = (text ?? "").split(separator: " ")
                counted[String(parts[0]), default: [:]][String(parts[1])] = StateTotal(count: Int(parts[2])!, amount: Int64(parts[3])!)
            }
            let listed = try await a.batches(state: nil, id: nil)
            let one = try await a.batches(state: nil, id: listed[0].id)
            return listed.count == 4 && listed.allSatisfy { counted[$0.id] ?? [:] == $0.transfers } && one.first?.transfers == counted[listed[0].id]
        }

        try await PostgresSeed.transfers(a, count: 1_200, perBatch: 300, amount: 250_000, batchState: "posting")
        #expect(try await read() == counted())
        #expect(try await read()["approved"] == StateTotal(count: 1_200, amount: 300_000_000))

        // Two engines claim at once; answers settle some, fail some, put some in doubt.
        async let claimedA = a.advance(recording: [], claiming: 200, now: Date(), maxAttempts: 10)
        async let claimedB = b.advance(recording: [], claiming: 200, now: Date(), maxAttempts: 10)
        let (byA, byB) = try await (claimedA, claimedB)
        #expect(byA.count + byB.count == 400)
        try await a.record(byA.prefix(150).map { Resolution(transferID: $0.transferID, externalID: $0.externalID, next: .settled, code: "2001700") },
                           now: Date())
        try await b.record(byB.prefix(20).map { Resolution(transferID: $0.transferID, externalID: $0.externalID, next: .failed, code: "4031714") }
                           + byB.dropFirst(20).prefix(30).map { Resolution(transferID: $0.transferID, externalID: $0.externalID, next: .inDoubt,
                                                                           code: "5041700", nextActionAt: Date()) },
                           now: Date())
        #expect(try await read() == counted())
        #expect(try await read()["settled"]?.count == 150)
        #expect(try await batchesAgree())

        // A statement that deletes transfers, and one that changes nothing a tally counts.
        try await PostgresSeed.execute(a, "DELETE FROM transfer WHERE id IN (SELECT id FROM transfer WHERE state = 'approved' ORDER BY id DESC LIMIT 7)")
        try await PostgresSeed.execute(a, "UPDATE transfer SET remark = 'x' WHERE state = 'approved'")
        #expect(try await read() == counted())

        // Many small statements leave many rows of changes: reading the status folds them, and the sums stay.
        for id in 1_101...1_160 {
            try await PostgresSeed.execute(a, "UPDATE transfer SET state = 'held' WHERE id = \(id) AND state = 'approved'")
            try await PostgresSeed.execute(a, "UPDATE transfer SET state = 'approved' WHERE id = \(id) AND state = 'held'")
            for _ in 0..<4 {
                try await PostgresSeed.execute(a, "UPDATE transfer SET state = 'held' WHERE id = \(id) AND state = 'approved'")
                try await PostgresSeed.execute(a, "UPDATE transfer SET state = 'approved' WHERE id = \(id) AND state = 'held'")
            }
        }
        #expect(try await tallyRows() > Int64(PostgresLedger.tallyFoldAfter))
        let before = try await counted()
        #expect(try await read() == before)
        let groups = try await PostgresSeed.int(a, "SELECT count(*) FROM (SELECT DISTINCT batch_id, state FROM transfer) AS g")
        #expect(try await tallyRows() == groups, "the rows of changes were folded, one row per batch and state left")
        #expect(try await read() == before)
        #expect(try await batchesAgree())
    }

    @Test("two engines asking about transfers in doubt never ask about the same one at once")
    func inquiriesClaimed() async throws {
        let target = try await PostgresScratch.freshTarget(prefix: "inquiries")
        let a = try await Self.engine(target), b = try await Self.engine(target)
        defer { [a, b].forEach { $0.shutdown() } }
        try await PostgresSeed.transfers(a, count: 200, perBatch: 200, batchState: "posting")
        let claimed = try await Self.claimAll(a)
        try await a.record(claimed.map { Resolution(transferID: $0.transferID, externalID: $0.externalID, next: .inDoubt, code: "5041700",
                                                    nextActionAt: Date(timeIntervalSinceNow: -1)) }, now: Date())
        async let firstClaim = a.dueInquiries(limit: 150, now: Date())
        async let secondClaim = b.dueInquiries(limit: 150, now: Date())
        let (first, second) = try await (firstClaim, secondClaim)
        let ids = first.map(\.transferID) + second.map(\.transferID)
        #expect(ids.count == 200 && Set(ids).count == 200, "\(first.count) + \(second.count) inquiries, \(Set(ids).count) distinct")
        #expect(try await a.dueInquiries(limit: 150, now: Date()).isEmpty)
        // The attempt's age comes from PostgreSQL's clock, in this host's terms.
        let started = try #require(first.first?.attemptStartedAt)
        #expect(abs(started.timeIntervalSinceNow) < 60)
    }

    @Test("one engine at a time checks the balance and starts batches")
    func batchStartLock() async throws {
        let target = try await PostgresScratch.freshTarget(prefix: "batchlock")
        let a = try await Self.engine(target), b = try await Self.engine(target)
        defer { [a, b].forEach { $0.shutdown() } }
        var inner: Bool?
        let ran = try await a.whileStartingBatches {
            inner = try await b.whileStartingBatches { Issue.record("ran while another engine held the lock") }
        }
        #expect(ran && inner == false)
        #expect(try await b.whileStartingBatches {})
        // A failing body releases the lock too.
        struct Boom: Error {}
        await #expect(throws: Boom.self) { _ = try await a.whileStartingBatches { throw Boom() } }
        #expect(try await b.whileStartingBatches {})
    }

    @Test("a batch approved by any client wakes the listening engines")
    func approvalNotifies() async throws {
        let target = try await PostgresScratch.freshTarget(prefix: "notify")
        let engine = try await Self.engine(target)
        defer { engine.shutdown() }
        try await PostgresSeed.transfers(engine, count: 5, perBatch: 5, batchState: "awaiting_approval")
        let wakes = Mutex(0)
        let listener = Task { try await engine.listenForWork { wakes.withLock { $0 += 1 } } }
        defer { listener.cancel() }
        try await Self.poll(seconds: 10, "the listener to start") { wakes.withLock { $0 } >= 1 }  // one wake once listening
        try await PostgresSeed.execute(engine, "UPDATE batch SET state = 'approved' WHERE id = 'B-T-0001'")
        try await Self.poll(seconds: 10, "the approval's notification") { wakes.withLock { $0 } >= 2 }
        #expect(wakes.withLock { $0 } == 2, "one approval, one wake")
    }

    @Test("a clean stop ends the lease: the engine is listed stopped, holding nothing")
    func cleanStop() async throws {
        let target = try await PostgresScratch.freshTarget(prefix: "stop")
        let a = try await Self.engine(target), b = try await Self.engine(target)
        defer { [a, b].forEach { $0.shutdown() } }
        let id = try #require(a.engineID)
        try await a.heartbeat(status: "3 pending")
        try await a.stopEngine()
        let listed = try await b.engines()
        let row = try #require(listed.first { $0.id == id })
        #expect(row.live == false && row.status == "stopped" && row.holding == 0)
        #expect(a.leaseRenewalInterval == nil)
    }

    @Test("transfer_work holds only the transfers waiting for a time, and the engine's questions about them are answered from it")
    func workIndexOfWaitingTransfers() async throws {
        let target = try await PostgresScratch.freshTarget(prefix: "work")
        let engine = try await Self.engine(target)
        defer { engine.shutdown() }
        try await PostgresSeed.transfers(engine, count: 2_000, perBatch: 500, batchState: "posting")
        try await PostgresSeed.execute(engine, """
            UPDATE transfer SET state = 'in_doubt', next_action_at = '2026-11-01T00:0' || (id % 10) || ':00.000Z' WHERE id % 100 = 1;
            UPDATE transfer SET state = 'retry_wait', next_action_at = '2026-11-01T00:05:00.000Z' WHERE id % 100 = 2;
            UPDATE transfer SET state = 'settled' WHERE id % 100 >= 50;
            ANALYZE transfer;
            """)
        // Only the waiting transfers are in the index: its condition names their states and no other.
        let definition = try #require(try await PostgresSeed.texts(engine, "SELECT pg_get_indexdef('transfer_work'::regclass)").first ?? nil)
        #expect(definition.contains("WHERE (state = ANY (ARRAY['retry_wait'::text, 'in_doubt'::text]))"), "\(definition)")
        // The engine's three questions (its claims of due retries and of due inquiries, and the next time
        // anything is due), planned with sequential scans and the claim index (state, id) ruled out: each
        // reads transfer_work, which it could not if its condition did not imply the index's.
        let questions = [
            "SELECT id FROM transfer WHERE state = 'retry_wait' AND next_action_at <= '2026-11-02' ORDER BY next_action_at LIMIT 8",
            "SELECT id FROM transfer WHERE state = 'in_doubt' AND (next_action_at IS NULL OR next_action_at <= '2026-11-02') "
                + "ORDER BY next_action_at NULLS FIRST, id LIMIT 8",
            "SELECT min(next_action_at) FROM transfer WHERE state IN (\(StoreSQL.list(EngineRules.waitingForTime)))",
        ]
        for question in questions {
            let plan = try await PostgresSeed.plan(engine, question, after: ["SET LOCAL enable_seqscan = off", "DROP INDEX transfer_claim"])
            #expect(plan.contains("transfer_work"), "\(question):\n\(plan)")
        }
        let due = try await PostgresSeed.texts(engine, questions[1])
        #expect(due.count == 8)
    }
}
