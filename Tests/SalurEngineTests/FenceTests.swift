import BankSimulator
import Foundation
import Logging
import SalurBank
import SalurCore
import SalurEngine
import SalurPostgres
import SalurStore
import SalurTestSupport
import Testing

/// Fence at departure and the lease on PostgreSQL (DESIGN §4.8): what an engine claimed is sent only
/// while the lease it was claimed under holds, checked down in libcurl; the lease is renewed on a
/// path of its own that no lock or busy pool delays; taking over gives up on a lock instead of waiting;
/// a claim is committed with `synchronous_commit` on a server that honours it, or not at all.
// Timed against leases of seconds and a private cluster of its own: it runs on a quiet machine (make test
// runs it alone, after the suite; SALUR_SKIP_SOLO=1 leaves it out of the parallel run).
@Suite("Fence at departure, lease renewal and claim durability (PostgreSQL)", .enabled(if: PostgresScratch.isEnabled),
       .enabled(if: ProcessInfo.processInfo.environment["SALUR_SKIP_SOLO"] != "1"),
       .timeLimit(.minutes(5)))
struct FenceTests {
    /// The in-process simulator answering every request after `latencyMs`, and a real libcurl + SNAP
    /// client to it with `maxInFlight` connections.
    static func slowBank(latencyMs: Int, maxInFlight: Int) async throws -> (BankSimulator, CurlClient, SNAPClient, SNAPCredentials) {
        try await EngineHarness.bankSide(faults: .none, maxInFlight: maxInFlight, requestTimeoutMs: 20_000) { config in
            config.latencyMilliseconds = latencyMs
            config.seed = 3
            config.eventLoopThreads = 2
        }
    }

    static func settings(maxInFlight: Int, chunkSize: Int) -> EngineSettings {
        EngineSettings(batching: BatchingRules(maxItems: 500, maxAmount: Rupiah(1_000_000_000), approvalRequired: true),
                       retry: RetryPolicy(baseDelayMs: 5, maxDelayMs: 100, maxAttempts: 60, inquiryDelayMs: 10, notFoundSettleMs: 50),
                       breakerThreshold: 10_000, breakerCooldownMs: 20, chunkSize: chunkSize, maxInFlight: maxInFlight, pollIntervalMs: 20)
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    @Test("attempts claimed under a lease that runs out while they wait for a connection are not sent, and stay safe to retry")
    func leaseRunsOutWhileQueued() async throws {
        let (simulator, client, bank, credentials) = try await Self.slowBank(latencyMs: 0, maxInFlight: 1)
        defer { client.shutdown() }
        try await bank.warmUp()   // the token is cached: the transfers' requests wait for the connection only
        let target = try await PostgresScratch.freshTarget(prefix: "fence")
        let ledger = try await PostgresEngineLedgerTests.engine(target, lease: .seconds(60))
        defer { ledger.shutdown() }
        try await PostgresSeed.transfers(ledger, count: 4, perBatch: 4, batchState: "posting")

        // Something else holds the client's one connection — a request to a listener that never
        // answers — until the test lets it go.
        let silent = try Self.silentListener()
        var silentOpen = true
        defer { if silentOpen { close(silent.fd) } }
        let blocker = Task {
            try? await client.send(HTTPRequest(method: "POST", url: "http://127.0.0.1:\(silent.port)/hold", body: Array("{}".utf8)))
        }
        try await PostgresEngineLedgerTests.poll(seconds: 60, "the blocker to be in flight") { client.stats.inFlight == 1 }

        // One pass under a fresh short lease that is not renewed: it claims a chunk or more (up to its
        // window, three with one connection), whose requests queue behind the blocker. The blocker goes
        // only once the lease has run out.
        // (Long enough that a loaded machine claims well inside it.)
        ledger.configureEngine(lease: .seconds(8))
        try await ledger.renewLease()
        let engine = Engine(ledger: ledger, bank: bank, settings: Self.settings(maxInFlight: 1, chunkSize: 4), logger: Self.quietLogger)
        async let passing = engine.pass()
        try await PostgresEngineLedgerTests.poll(seconds: 60, "the claims to queue") { client.stats.queued >= 2 }
        let sendBy = try #require(ledger.sendDeadline())
        try await PostgresEngineLedgerTests.poll(seconds: 60, "the lease to run out") { ContinuousClock.now >= sendBy }
        close(silent.fd)   // the blocker fails; its connection is free for what queued behind it
        silentOpen = false
        let report = try await passing
        _ = await blocker.value
        let claimed = report.sent
        #expect((2...3).contains(claimed), "claimed \(claimed)")

        // None was sent: the bank never saw a transfer request.
        #expect(await simulator.stats().requests[.transferIntrabank, default: 0] == 0)
        #expect(await simulator.ledger().isEmpty)
        // Each is waiting to be tried again (not in doubt: they provably never left), their attempts
        // recorded as not sent; nothing is left `sending`.
        let states = try await PostgresEngineLedgerTests.states(ledger)
        #expect(states == ["retry_wait": claimed, "approved": 4 - claimed], "\(states)")
        #expect(try await PostgresSeed.int(ledger, "SELECT count(*) FROM transfer_attempt WHERE outcome = 'retry_wait'") == claimed)
        let messages = try await PostgresSeed.texts(ledger, "SELECT DISTINCT last_message FROM transfer WHERE state = 'retry_wait'")
        #expect(messages == ["not sent: the engine's lease ran out first"], "\(messages)")

        // Safe to retry: another engine, with a live lease and connections to spare, pays all four, once each.
        let (otherClient, otherBank) = try Self.client(for: simulator, credentials: credentials)
        defer { otherClient.shutdown() }
        let other = try await PostgresEngineLedgerTests.engine(target, lease: .seconds(60))
        defer { other.shutdown() }
        let survivor = Engine(ledger: other, bank: otherBank, settings: Self.settings(maxInFlight: 8, chunkSize: 8), logger: Self.quietLogger)
        try await survivor.run(exitWhenIdle: true)
        #expect(try await PostgresEngineLedgerTests.states(other) == ["settled": 4])
        let booked = await simulator.ledger().map(\.partnerReferenceNo)
        #expect(booked.count == 4 && Set(booked).count == 4, "\(booked)")
        try await simulator.shutdown()
    }

    /// A TCP listener on 127.0.0.1 that never accepts: a connection to it is made (by the kernel) and
    /// its request is never answered, until the listener is closed.
    static func silentListener() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ProcessError("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else {
            close(fd)
            throw ProcessError("bind/listen failed")
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A second client to the same simulator, with the same credentials.
    static func client(for simulator: BankSimulator, credentials: SNAPCredentials) throws -> (CurlClient, SNAPClient) {
        var options = CurlClient.Options()
        options.maxInFlight = 8
        options.requestTimeoutMs = 20_000
        let client = try CurlClient(options: options)
        let bank = SNAPClient(endpoint: SNAPClient.Endpoint(baseURL: "http://127.0.0.1:\(simulator.port)", sourceAccount: "0011999999"),
                              credentials: credentials, transport: client)
        return (client, bank)
    }

    @Test("the lease is renewed while the pool waits behind a lock on transfer; a take-over gives up on that lock instead of waiting")
    func renewalDoesNotWaitBehindLocks() async throws {
        let target = try await PostgresScratch.freshTarget(prefix: "renew")
        let engine = try await PostgresEngineLedgerTests.engine(target, lease: .seconds(60))
        let taker = try await PostgresEngineLedgerTests.engine(target)
        let holder = try await PostgresLedger(target: target, maximumConnections: 2)
        let observer = try await PostgresLedger(target: target, maximumConnections: 2)
        defer { [engine, taker, holder, observer].forEach { $0.shutdown() } }
        try await PostgresSeed.transfers(engine, count: 8, perBatch: 8, batchState: "posting")

        let outcome: (renewed: Bool, renewTook: Duration, takeover: Int?, takeoverTook: Duration) =
            try await PostgresSeed.holding(holder, "LOCK TABLE transfer IN EXCLUSIVE MODE") {
                // Every pooled connection of the engine waits behind the lock (as behind a long reconciliation).
                let claims = Task { try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<4 { group.addTask { try await engine.advance(recording: [], claiming: 1, now: Date(), maxAttempts: 10).count } }
                    return try await group.reduce(0, +)
                } }
                defer { claims.cancel() }
                let clock = ContinuousClock()
                let waitingDeadline = clock.now + .seconds(20)
                while try await PostgresSeed.int(observer, """
                    SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'transfer'::regclass
                    """) < 4 {
                    if clock.now > waitingDeadline { throw ProcessError("the claims never queued behind the lock") }
                    try await Task.sleep(for: .milliseconds(10))
                }

                // Renewal: done at once, on its own connection. Bounded, so a renewal stuck behind the
                // lock fails the test instead of hanging it.
                let before = engine.sendDeadline()!
                let renewStart = clock.now
                let renewed = try await Self.within(.seconds(5)) {
                    try await engine.renewLease()
                    return engine.sendDeadline()! > before
                }
                let renewTook = clock.now - renewStart

                // Another engine's take-over: waits at most its lock timeout, then gives up.
                let takeoverStart = clock.now
                let takeover = try await Self.within(.seconds(10)) { try await taker.takeOverAbandoned() }
                return (renewed ?? false, renewTook, takeover, clock.now - takeoverStart)
            }
        #expect(outcome.renewed, "the lease was not renewed within 5 s while the lock was held (took \(outcome.renewTook))")
        #expect(outcome.takeover == 0, "take-over: \(outcome.takeover.map(String.init) ?? "still waiting after 10 s")")
        #expect(outcome.takeoverTook < .seconds(5), "take-over took \(outcome.takeoverTook)")
        // The lock gone, the engine's lease still holds and its claims went through.
        #expect(ContinuousClock.now < engine.sendDeadline()!)
    }

    /// `body`'s result, or nil if it has not finished within `limit`. A body still stuck then is
    /// cancelled and left behind (not awaited), so the test goes on and releases what it waits for.
    static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        let (outcomes, continuation) = AsyncStream<Result<T, any Error>?>.makeStream()
        let work = Task {
            do { continuation.yield(.success(try await body())) } catch { continuation.yield(.failure(error)) }
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            continuation.yield(nil)
        }
        defer { timer.cancel() }
        for await first in outcomes {
            guard let first else {
                work.cancel()
                return nil
            }
            return try first.get()
        }
        return nil
    }

    @Test("claims commit with synchronous_commit; a server that would not honour the configured level is refused, naming the setting")
    func claimDurability() async throws {
        let target = try await PostgresScratch.freshTarget(prefix: "durable")
        let ledger = try await PostgresEngineLedgerTests.engine(target)
        defer { ledger.shutdown() }
        try await PostgresSeed.transfers(ledger, count: 6, perBatch: 6, batchState: "posting")

        // The test cluster (fsync on, no standby) honours "on": claims go through.
        #expect(try await ledger.durabilityRefusal() == nil)
        #expect(try await ledger.advance(recording: [], claiming: 2, now: Date(), maxAttempts: 10).count == 2)

        // remote_apply asks for a synchronous standby the server does not have: no claim, and the
        // refusal names the setting. Registering is refused the same way.
        ledger.configureEngine(lease: .seconds(60), durability: .remoteApply)
        let refused = await #expect(throws: StoreError.self) {
            _ = try await ledger.advance(recording: [], claiming: 2, now: Date(), maxAttempts: 10)
        }
        #expect(refused.map { "\($0)" }?.contains("synchronous_standby_names") == true, "\(String(describing: refused))")
        #expect(try await PostgresEngineLedgerTests.states(ledger) == ["sending": 2, "approved": 4])
        let fresh = try await PostgresLedger(target: target, maximumConnections: 2)
        defer { fresh.shutdown() }
        fresh.configureEngine(lease: .seconds(60), durability: .remoteWrite)
        let notRegistered = await #expect(throws: StoreError.self) {
            try await fresh.registerEngine(pid: 1, host: "refused.example", version: "test")
        }
        #expect(notRegistered.map { "\($0)" }?.contains("synchronous_standby_names is empty") == true,
                "\(String(describing: notRegistered))")
        #expect(try await PostgresSeed.int(fresh, "SELECT count(*) FROM engine WHERE host = 'refused.example'") == 0)
    }

    @Test("a server running with fsync = off (a cluster of the test's own) is refused: the engine does not register, and says which setting")
    func fsyncOffRefused() async throws {
        let cluster = try PrivateCluster.start(settings: ["fsync=off"])
        defer { cluster.stop() }
        let ledger = try await PostgresLedger(target: try PostgresTarget(url: cluster.url), maximumConnections: 2)
        defer { ledger.shutdown() }
        ledger.configureEngine(lease: .seconds(60))
        #expect(try await ledger.durabilityRefusal()?.contains("fsync = off") == true)
        let refused = await #expect(throws: StoreError.self) {
            try await ledger.registerEngine(pid: 1, host: "fsync-off.example", version: "test")
        }
        #expect(refused.map { "\($0)" }?.contains("fsync = off") == true, "\(String(describing: refused))")
        #expect(ledger.engineID == nil)
        #expect(try await ledger.engines().isEmpty)
    }

    @Test("the durability decision: fsync and full_page_writes must be on; remote levels need a synchronous standby", arguments: [
        (ClaimDurability.on, "on", "on", "", nil),
        (.on, "off", "on", "", "fsync = off"),
        (.remoteApply, "off", "on", "s1", "fsync = off"),
        (.on, "on", "off", "", "full_page_writes = off"),
        (.on, "on", "on", "s1", nil),
        (.remoteWrite, "on", "on", "", "synchronous_standby_names is empty"),
        (.remoteApply, "on", "on", "  ", "synchronous_standby_names is empty"),
        (.remoteApply, "on", "on", "FIRST 1 (s1, s2)", nil),
    ] as [(ClaimDurability, String, String, String, String?)])
    func durabilityDecision(level: ClaimDurability, fsync: String, fullPageWrites: String, standbys: String, expected: String?) {
        let refusal = level.refusal(fsync: fsync, fullPageWrites: fullPageWrites, synchronousStandbyNames: standbys)
        if let expected {
            #expect(refusal?.contains(expected) == true, "\(refusal ?? "nil")")
        } else {
            #expect(refusal == nil)
        }
    }
}
