import ArgumentParser
import BankSimulator
import Foundation
import Logging
import SalurBank
import SalurCLI
import SalurCore
import SalurEngine
import SalurPostgres
import SalurSQLite
import SalurStore
import SalurTestSupport
import Synchronization

/// Issue figures: N transfers posted by the engine to a simulator answering in 20 ms, beside the
/// raw limit — the same CurlClient and SNAP client posting the same requests at the same
/// concurrency, with no database and no bookkeeping — as a ratio; and commits per attempt.
struct PostBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "post", abstract: "Engine posting throughput vs the raw CurlClient limit.")

    @Option(help: "How many transfers.") var transfers = 100_000
    @Option(help: "Simulator latency per answer, ms.") var latencyMs = 20
    @Option(help: "Requests in flight (bank.max_in_flight).") var maxInFlight = 64
    @Option(help: "Attempts per commit (engine.chunk_size).") var chunkSize = 256
    @Option(help: "Folder for the database (default: the temporary folder).") var dir: String?
    @Option(help: "Where the engine's ledger lives: sqlite, postgres, or both.") var store = "sqlite"
    @Option(help: "PostgreSQL: how many engines post at once (comma-separated runs, e.g. 1,3).") var engines = "1,3"
    @Option(help: "PostgreSQL: an admin database URL on a loopback cluster; each run gets a fresh database in it (default: $SALUR_TEST_POSTGRES_URL).")
    var postgresUrl: String?
    @Option(help: "PostgreSQL: its password file (default: $SALUR_TEST_POSTGRES_PASSWORD_FILE).") var passwordFile: String?

    func validate() throws {
        guard ["sqlite", "postgres", "both"].contains(store) else { throw ValidationError("--store must be sqlite, postgres or both") }
        guard !engineCounts.isEmpty, engineCounts.allSatisfy({ (1...8).contains($0) }) else { throw ValidationError("--engines: 1…8, comma-separated") }
    }

    var engineCounts: [Int] { engines.split(separator: ",").compactMap { Int($0) } }

    func run() async throws {
        let folder = try Bench.folder(dir, "post")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let keys = try SNAPKeys.generate()
        let simulator = try await BankSimulator.start(Bench.simulatorConfig(
            publicKeyPEM: keys.publicPEM, latencyMs: latencyMs, balance: Rupiah(Int64(transfers) * 2 * 300_000 + 1)))
        var options = CurlClient.Options()
        options.maxInFlight = maxInFlight
        let (client, bank) = try await Bench.snapClient(to: simulator, privateKeyPEM: keys.privatePEM, options: options)

        // Raw limit: the same requests, same client, same concurrency; no database.
        let window = max(chunkSize, maxInFlight * 2)
        let (rawSettled, raw) = await Bench.time {
            await withTaskGroup(of: Bool.self) { group in
                var next = 0, settled = 0
                func add() {
                    let n = next
                    next += 1
                    group.addTask {
                        let outcome = await bank.transfer(TransferInstruction(
                            service: .intrabank, partnerReferenceNo: "RAW\(n)", externalID: "7\(n)",
                            beneficiaryAccount: DemoData.accountNo(n), beneficiaryName: "RAW", amount: Rupiah(300_000), remark: "raw"))
                        if case .settled = outcome { return true }
                        return false
                    }
                }
                while next < min(window, transfers) { add() }
                while let ok = await group.next() {
                    if ok { settled += 1 }
                    if next < transfers { add() }
                }
                return settled
            }
        }
        let rawRate = Double(rawSettled) / raw
        print("raw CurlClient + SNAP: \(rawSettled) transfers in \(Bench.f(raw)) s = \(Bench.f(rawRate, 0)) transfers/s "
              + "(\(maxInFlight) in flight, \(latencyMs) ms latency)")
        await simulator.reset()

        let rules = BatchingRules(maxItems: 1_000, maxAmount: Rupiah(1_000_000_000), approvalRequired: true)
        var sqliteRate: Double?
        if store != "postgres" {
            // The engine: the same number of transfers queued and approved in the ledger.
            let ledger = try SQLiteLedger(path: folder + "/salur/salur.sqlite")
            let (_, setup) = try Bench.time { try DemoTreasury.seed(ledger, count: transfers, seed: 3, rules: rules) }
            print("set-up (import, open, enqueue, approve \(transfers)): \(Bench.f(setup)) s")
            let rate = try await post(label: "engine (SQLite)", ledgers: [ledger], banks: [bank], rules: rules)
            print("ratio engine / raw: \(Bench.f(rate / rawRate)) (goal ≥ 0.90)")
            sqliteRate = rate
            let booked = await simulator.ledger().count
            print("bank ledger after the engine run: \(booked) bookings")
            await simulator.reset()
        }
        if store != "sqlite" {
            let admin = postgresUrl ?? PostgresScratch.adminURL
            guard admin != nil else { throw ValidationError("--store postgres needs --postgres-url or $SALUR_TEST_POSTGRES_URL (e.g. under scripts/pg-test-cluster.sh run --)") }
            var onePostgres: Double?
            for count in engineCounts {
                let (url, file) = try await PostgresScratch.freshDatabase(prefix: "bench", adminURL: admin, passwordFile: passwordFile ?? PostgresScratch.passwordFile)
                let target = try PostgresTarget(url: url, passwordFile: file)
                var ledgers: [PostgresLedger] = []
                for index in 0..<count {
                    let ledger = try await PostgresLedger(target: target, maximumConnections: 4)
                    ledger.configureEngine(lease: .seconds(30))
                    try await ledger.registerEngine(pid: Int(getpid()), host: "bench-\(index + 1)", version: "bench")
                    ledgers.append(ledger)
                }
                let (_, setup) = try await Bench.time { try await DemoTreasury.seed(store: ledgers[0], count: transfers, seed: 3, rules: rules) }
                print("PostgreSQL set-up (import, open, enqueue, approve \(transfers)): \(Bench.f(setup)) s")
                // Each engine a process of its own in production: here each has its own pool, curl client and SNAP client.
                var banks: [SNAPClient] = [bank]
                var clients: [CurlClient] = []
                for _ in 1..<count {
                    let (extra, other) = try await Bench.snapClient(to: simulator, privateKeyPEM: keys.privatePEM, options: options)
                    clients.append(extra)
                    banks.append(other)
                }
                let rate = try await post(label: "\(count) engine\(count == 1 ? "" : "s") (PostgreSQL)", ledgers: ledgers, banks: banks, rules: rules)
                if count == 1 { onePostgres = rate }
                var line = "ratio \(count)×PostgreSQL / raw: \(Bench.f(rate / rawRate))"
                if let sqliteRate { line += "; / SQLite engine: \(Bench.f(rate / sqliteRate))" }
                if let onePostgres, count > 1 { line += "; / 1×PostgreSQL: \(Bench.f(rate / onePostgres))" }
                print(line)
                let booked = await simulator.ledger().count
                print("bank ledger after the run: \(booked) bookings (\(transfers) transfers)")
                for ledger in ledgers {
                    try await ledger.stopEngine()
                    ledger.shutdown()
                }
                for extra in clients { extra.shutdown() }
                await simulator.reset()
            }
        }
        print("peak RSS of this process: \(Bench.f(Bench.peakRSSMiB(), 0)) MiB")
        client.shutdown()
        try await simulator.shutdown()
    }

    /// Runs one engine per ledger until none has work left; prints and returns transfers settled per second.
    func post(label: String, ledgers: [any EngineLedger & TransferLedger], banks: [SNAPClient], rules: BatchingRules) async throws -> Double {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let counting = ledgers.map { CountingLedger($0) }
        let engines = zip(counting, banks).map { ledger, bank in
            Engine(ledger: ledger, bank: bank, settings: EngineSettings(
                batching: rules,
                retry: RetryPolicy(baseDelayMs: 50, maxDelayMs: 2_000, maxAttempts: 8, inquiryDelayMs: 100, notFoundSettleMs: 1_000),
                breakerThreshold: 1_000, breakerCooldownMs: 100, chunkSize: chunkSize, maxInFlight: maxInFlight, pollIntervalMs: 50),
                logger: logger)
        }
        let port = (postgresUrl ?? PostgresScratch.adminURL).flatMap { URLComponents(string: $0)?.port }
        let cpuBefore = (own: CPUTime.process(getpid()), postgres: CPUTime.postgres(port: port))
        let (_, posting) = try await Bench.time {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for engine in engines { group.addTask { try await engine.run(exitWhenIdle: true) } }
                try await group.waitForAll()
            }
        }
        let own = CPUTime.process(getpid()) - cpuBefore.own, postgres = CPUTime.postgres(port: port) - cpuBefore.postgres
        let settled = try await ledgers[0].queueStatus().transfers["settled"]?.count ?? 0
        let rate = Double(settled) / posting
        let attempts = try await ledgers[0].attemptCount()
        let commits = counting.reduce(0) { $0 + $1.writes.withLock { $0 } }
        print("\(label): \(settled) settled in \(Bench.f(posting)) s = \(Bench.f(rate, 0)) transfers/s; "
              + "\(attempts) attempts in \(commits) write transactions (\(Bench.f(Double(attempts) / Double(max(commits, 1)), 1)) attempts per commit)")
        // Where the two cores went: this process (engines, simulator, curl) and the PostgreSQL server's processes.
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        print("  CPU while posting: this process \(Bench.f(own)) s, postgres \(Bench.f(postgres)) s, "
              + "of \(Bench.f(posting * cores)) s on \(Int(cores)) cores (\(Bench.f((own + postgres) / (posting * cores) * 100, 0)) % busy)")
        return rate
    }
}

/// Forwards to the real ledger and counts write transactions on the posting path.
final class CountingLedger: EngineLedger {
    let base: any EngineLedger
    let writes = Mutex(0)
    init(_ base: any EngineLedger) { self.base = base }

    func recoverInterrupted() async throws -> Int { try await base.recoverInterrupted() }
    func sendMarkStatus() async throws -> SendMarkStatus { try await base.sendMarkStatus() }
    func recoverFromRestore(_ request: RestoreRecoveryRequest) async throws -> Int { try await base.recoverFromRestore(request) }
    func reserveRequestIDs(_ count: Int) async throws -> ClosedRange<Int64> { try await base.reserveRequestIDs(count) }
    func formPendingBatches(rules: BatchingRules, actor: String) async throws -> [String] { try await base.formPendingBatches(rules: rules, actor: actor) }
    func batchesToStart() async throws -> [BatchToStart] { try await base.batchesToStart() }
    func outstandingPosting() async throws -> Rupiah { try await base.outstandingPosting() }
    func startBatch(id: String, balance: Rupiah) async throws { writes.withLock { $0 += 1 }; try await base.startBatch(id: id, balance: balance) }
    func holdByEngine(id: String, reason: String) async throws { try await base.holdByEngine(id: id, reason: reason) }
    func advance(recording resolutions: [Resolution], claiming limit: Int, now: Date, maxAttempts: Int) async throws -> [ClaimedAttempt] {
        writes.withLock { $0 += 1 }
        return try await base.advance(recording: resolutions, claiming: limit, now: now, maxAttempts: maxAttempts)
    }
    func record(_ resolutions: [Resolution], now: Date) async throws {
        if !resolutions.isEmpty { writes.withLock { $0 += 1 } }
        try await base.record(resolutions, now: now)
    }
    func dueInquiries(limit: Int, now: Date) async throws -> [InquiryTarget] { try await base.dueInquiries(limit: limit, now: now) }
    func nextDue() async throws -> Date? { try await base.nextDue() }
    func isIdle() async throws -> Bool { try await base.isIdle() }
    func queueStatus(now: Date) async throws -> QueueStatus { try await base.queueStatus(now: now) }
    func registerEngine(pid: Int, host: String, version: String) async throws { try await base.registerEngine(pid: pid, host: host, version: version) }
    func engines() async throws -> [EngineLease] { try await base.engines() }
    func heartbeat(status: String) async throws { try await base.heartbeat(status: status) }
    func batchProgress(watching ids: Set<String>) async throws -> [BatchProgress] { try await base.batchProgress(watching: ids) }
    func accountsToCheck(limit: Int, recheck: AccountRecheck) async throws -> [AccountToCheck] {
        try await base.accountsToCheck(limit: limit, recheck: recheck)
    }
    func recordAccountChecks(_ checks: [AccountCheckResult], now: Date) async throws {
        try await base.recordAccountChecks(checks, now: now)
    }
    var leaseRenewalInterval: Duration? { base.leaseRenewalInterval }
    func renewLease() async throws { try await base.renewLease() }
    func sendDeadline() -> ContinuousClock.Instant? { base.sendDeadline() }
    func takeOverAbandoned() async throws -> Int { try await base.takeOverAbandoned() }
    func whileStartingBatches(_ body: () async throws -> Void) async throws -> Bool { try await base.whileStartingBatches(body) }
    func stopEngine() async throws { try await base.stopEngine() }
}

/// CPU seconds (user + system) from /proc.
enum CPUTime {
    /// One process's, its ended children's aside.
    static func process(_ pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The PostgreSQL server listening on `port` (its postmaster, whose command line names the port)
    /// and its backends, together; other servers on the machine are not counted.
    static func postgres(port: Int?) -> Double {
        guard let port, let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return 0 }
        var parents: [Int32: Int32] = [:], servers: Set<Int32> = []
        for entry in entries {
            guard let pid = Int32(entry),
                  let comm = try? String(contentsOfFile: "/proc/\(entry)/comm", encoding: .utf8),
                  comm.trimmingCharacters(in: .whitespacesAndNewlines) == "postgres",
                  let status = try? String(contentsOfFile: "/proc/\(entry)/status", encoding: .utf8) else { continue }
            let ppid = status.split(separator: "\n").first { $0.hasPrefix("PPid:") }.flatMap { Int32($0.dropFirst(5).trimmingCharacters(in: .whitespaces)) }
            parents[pid] = ppid ?? 0
            let command = (try? String(contentsOfFile: "/proc/\(entry)/cmdline", encoding: .utf8)) ?? ""
            if command.split(separator: "\0").contains(where: { $0 == String(port) || $0 == "port=\(port)" || $0.hasSuffix(":\(port)") }) {
                servers.insert(pid)
            }
        }
        return parents.reduce(0.0) { total, entry in
            servers.contains(entry.key) || servers.contains(entry.value) ? total + process(entry.key) : total
        }
    }
}
