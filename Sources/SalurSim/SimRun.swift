import BankSimulator
import Foundation
import Logging
import SalurBank
import SalurCLI
import SalurCore
import SalurEngine
import SalurSQLite
import SalurStore

/// What a run may do, besides its seed.
package struct SimOptions: Sendable {
    /// Scheduler steps (jobs run) at most before the run ends as it stands.
    package var maxSteps = 400_000
    /// Simulated time at most.
    package var maxTime: Duration = .seconds(4 * 3_600)
    /// A rule broken on purpose (`Mutation`).
    package var mutation: Mutation?
    /// Trace lines a failing seed prints.
    package var traceLines = 60
    /// Print every trace line as it happens.
    package var echo = false
    /// A folder for the runs' database files.
    package var scratch: String

    package init(scratch: String) { self.scratch = scratch }
}

/// How one seed ended.
package struct SimResult: Sendable {
    package let seed: UInt64
    /// The invariant broken, with what broke it; nil when every check held.
    package let violation: String?
    package let scenario: String
    package let trace: [String]
    package let steps: Int
    package let simulatedSeconds: Double
    package let settled: Int
    package let failed: Int
    package let working: Int
    package let crashes: Int
    package let freezes: Int
    package let restores: Int
    package let bankRequests: Int
}

/// One seed: a treasury with approved transfers, the real engine (in one or more successive
/// processes) posting them through the real SNAP client over a simulated network to the in-process
/// bank, on simulated time, with the scenario's crashes, freezes and restores — every choice drawn
/// from the seed — and the invariants checked after every step of simulated time and at the end.
package final class SimRun {
    /// One key pair for every run of the process: what it signs does not depend on it.
    nonisolated(unsafe) private static var keys: (privatePEM: String, publicPEM: String)?

    let seed: UInt64
    let options: SimOptions
    let scenario: SimScenario
    let clock: SimClock
    let random: RandomSource
    let trace: SimTrace
    let folder: String
    var dbPath: String { folder + "/salur.sqlite" }
    var backupPath: String { folder + "/backup.sqlite" }
    var markPath: String { folder + "/sent-mark" }

    private var network: SimNetwork!
    private var credentials: SNAPCredentials!
    private var processes: [SimProcess] = []
    private var current: SimProcess?
    private var lastNumber = 0
    private var steps = 0
    private var crashes = 0, freezes = 0, restores = 0
    private var thawAt: [(at: Duration, process: SimProcess)] = []
    private var restartAt: Duration?
    /// Time skipped by next-day restores, which does not count towards `maxTime`.
    private var skipped: Duration = .zero
    /// The ledger the end-of-run figures are read from.
    private var finalLedger: SQLiteLedger?
    /// The invariants' own read connection to the database (opened again after a restore).
    private var observer: SimObserver?
    /// Ledgers opened by the simulator itself (a backup or the last check with no engine running), closed at the end.
    private var extraLedgers: [SQLiteLedger] = []

    package init(seed: UInt64, options: SimOptions) {
        self.seed = seed
        self.options = options
        scenario = SimScenario(seed: seed, mutation: options.mutation)
        // Monday 2 November 2026, 09:00 in Jakarta.
        clock = SimClock(wallOrigin: Date(timeIntervalSince1970: 1_793_584_800))
        random = RandomSource(seed: seed)
        trace = SimTrace(clock: clock, keep: options.traceLines, echo: options.echo)
        folder = options.scratch + "/seed-\(seed)"
    }

    /// Runs the seed to its end and says how it went. Throws only when the run cannot be set up.
    package func run() throws -> SimResult {
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer {
            for process in processes { try? process.ledger.close() }
            for ledger in extraLedgers { try? ledger.close() }
            observer?.close()
            try? FileManager.default.removeItem(atPath: folder)
        }
        trace.log("sim", "seed \(seed): \(scenario)")
        try setUp()
        let violation = loop()
        let finalCheck = violation ?? finalViolation()
        let records = (try? finalLedger?.transferRecords(from: nil, to: nil)) ?? nil
        let states = Dictionary(grouping: records ?? [], by: \.state).mapValues(\.count)
        if let finalCheck { trace.log("sim", "VIOLATION: \(finalCheck)") }
        return SimResult(seed: seed, violation: finalCheck, scenario: scenario.description, trace: trace.tail, steps: steps,
                         simulatedSeconds: SimClock.seconds(clock.elapsed), settled: states["settled"] ?? 0, failed: states["failed"] ?? 0,
                         working: (records?.count ?? 0) - (states["settled"] ?? 0) - (states["failed"] ?? 0),
                         crashes: crashes, freezes: freezes, restores: restores,
                         bankRequests: network.bank.stats().requests.values.reduce(0, +))
    }

    // MARK: Set-up

    private func setUp() throws {
        let keys = try Self.keys ?? SNAPKeys.generate()
        Self.keys = keys
        let secret = "sim-secret-\(seed)"
        var config = BankSimulatorConfig(clientKey: "salur-sim", clientPublicKeyPEM: keys.publicPEM, clientSecret: secret)
        config.sourceAccountNo = "0011999999"
        config.faults = scenario.faults
        config.seed = seed
        config.retryAfterSeconds = scenario.retryAfterSeconds
        config.settleAfterMilliseconds = scenario.settleAfterMs
        config.dedupePartnerReference = scenario.dedupeReference
        let bank = try InProcessBank(config: config, clock: BankClock { [clock] in clock.now })
        network = SimNetwork(bank: bank, clock: clock, random: random, profile: scenario.network,
                             executor: SimExecutor(name: "net"), trace: trace)
        credentials = try SNAPCredentials(partnerID: "KUPANG", clientKey: "salur-sim", channelID: "95221",
                                          clientSecret: Array(secret.utf8), privateKeyPEM: keys.privatePEM)
        // The treasury: recipients imported, accounts opened, one transfer each queued and approved by a second official.
        let ledger = try SQLiteLedger(path: dbPath, clock: clock.wall, execution: .inline, random: random)
        try DemoTreasury.seed(ledger, count: scenario.transfers, seed: seed, amount: scenario.amount, rules: scenario.settings.batching)
        try ledger.close()
        try startProcess()
        observer = try SimObserver(path: dbPath)
    }

    private func startProcess() throws {
        lastNumber += 1
        let name = "e\(lastNumber)"
        let executor = SimExecutor(name: name)
        let handle = SimProcessHandle(name: name)
        let ledger = try SQLiteLedger(path: dbPath, clock: clock.wall, execution: .inline, random: random)
        let transport = SimTransport(network: network, process: handle, maxInFlight: scenario.settings.maxInFlight,
                                     requestTimeoutMs: scenario.requestTimeoutMs)
        let trace = self.trace
        var logger = Logger(label: "salur.sim") { _ in SimLogHandler(trace: trace, who: name) }
        logger.logLevel = .info
        let ids = ReservedExternalIDs(clock: clock.wall) { count in try await ledger.reserveRequestIDs(count) }
        let client = SNAPClient(endpoint: SNAPClient.Endpoint(baseURL: "http://bank.sim", sourceAccount: "0011999999"),
                                credentials: credentials, transport: transport, logger: logger, externalIDs: ids, clock: clock.wall)
        let bank: any BankAdapter = options.mutation.map { MutatedBank(inner: client, mutation: $0) } ?? client
        let engine = Engine(ledger: ledger, bank: bank, settings: scenario.settings, logger: logger,
                            sentMark: SentMarkFile(path: markPath), clock: clock.wall, time: clock, random: random)
        let process = SimProcess(name: name, executor: executor, ledger: ledger, engine: engine)
        handle.attach(process)
        processes.append(process)
        current = process
        trace.log("sim", "\(name) starts")
        Task(executorPreference: executor) {
            do {
                try await engine.recover()
                try await engine.run(exitWhenIdle: false)
                trace.log(name, "engine stopped")
            } catch {
                trace.log(name, "engine ended: \(error)")
            }
            process.markEnded()
        }
    }

    // MARK: The scheduler

    /// Runs jobs, fires timers and applies the scenario's events until the work is done (or the
    /// limits are reached); returns the first invariant broken.
    private func loop() -> String? {
        var events = scenario.events
        var stopping = false
        while steps < options.maxSteps {
            let now = clock.elapsed
            if let first = events.first, first.at <= now {
                events.removeFirst()
                if let broken = apply(first.event) { return broken }
                continue
            }
            if let thaw = thawAt.first, thaw.at <= now {
                thawAt.removeFirst()
                thaw.process.executor.frozen = false
                trace.log("sim", "\(thaw.process.name) thaws")
                continue
            }
            if let restart = restartAt, restart <= now {
                restartAt = nil
                do {
                    try startProcess()
                    if observer == nil { observer = try SimObserver(path: dbPath) }
                } catch {
                    return "could not restart the engine: \(error)"
                }
                continue
            }
            let executors = processes.map(\.executor).filter { !$0.frozen } + [network.executor]
            let ready = executors.map(\.readyCount)
            let total = ready.reduce(0, +)
            if total > 0 {
                var pick = Int(random.next() % UInt64(total))
                for (executor, count) in zip(executors, ready) {
                    if pick < count {
                        executor.run(at: pick)
                        break
                    }
                    pick -= count
                }
                steps += 1
                continue
            }
            // Nothing can run until time moves: a step of simulated time. Check the world first.
            if let broken = checkInvariants() { return broken }
            if !stopping, events.isEmpty, thawAt.isEmpty, restartAt == nil, let live = current, live.isAlive, workIsDone() {
                stopping = true
                trace.log("sim", "every transfer settled or failed; stopping \(live.name)")
                live.engine.beginStopping()
                live.engine.wake()
                continue
            }
            if stopping, processes.allSatisfy({ $0.hasEnded || !$0.isAlive }) {
                return nil
            }
            let next = [clock.nextDeadline, events.first?.at, thawAt.first?.at, restartAt].compactMap { $0 }.min()
            guard let next else {
                return "nothing can move: no job ready, no timer set, and the work is not done"
            }
            if next - skipped > options.maxTime {
                trace.log("sim", "simulated time limit reached")
                return nil
            }
            if next == clock.nextDeadline {
                _ = clock.fireNext()
            } else {
                clock.advance(to: next)
            }
        }
        trace.log("sim", "step limit reached")
        return nil
    }

    private func apply(_ event: SimScenario.Event) -> String? {
        trace.log("sim", "\(event)")
        switch event {
        case .crash(let after):
            guard let live = current, live.isAlive else { return nil }
            kill(live)
            crashes += 1
            restartAt = clock.elapsed + after
        case .freeze(let duration):
            guard let live = current, live.isAlive, !live.executor.frozen else { return nil }
            live.executor.frozen = true
            freezes += 1
            thawAt.append((clock.elapsed + duration, live))
            thawAt.sort { $0.at < $1.at }
        case .backup:
            do {
                try? FileManager.default.removeItem(atPath: backupPath)
                if let live = current, live.isAlive {
                    try live.ledger.backup(to: backupPath)
                } else {
                    let ledger = try SQLiteLedger(path: dbPath, clock: clock.wall, execution: .inline, random: random)
                    try ledger.backup(to: backupPath)
                    try ledger.close()
                }
            } catch {
                return "could not take a backup: \(error)"
            }
        case .restore(let nextDay, let after):
            guard FileManager.default.fileExists(atPath: backupPath) else { return nil }
            if let live = current, live.isAlive { kill(live) }
            observer?.close()
            observer = nil
            lastChecked = nil
            lastSeen = [:]   // the restored database has another history
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dbPath + suffix) }
            do { try FileManager.default.copyItem(atPath: backupPath, toPath: dbPath) } catch { return "could not restore: \(error)" }
            restores += 1
            if nextDay {
                clock.advance(to: clock.elapsed + .seconds(86_400))
                skipped += .seconds(86_400)
            }
            restartAt = clock.elapsed + after
        case .hold(let index), .release(let index), .cancel(let index):
            guard let id = batchID(index) else { return nil }
            operatorCommand(event) { ledger in
                switch event {
                case .hold: try ledger.hold(id: id, reason: "checking the list again", actor: "checker")
                case .release: try ledger.release(id: id, actor: "checker")
                default: trace.log("operator", "batch \(id): \(try ledger.cancel(id: id, actor: "checker")) transfers cancelled")
                }
            }
        case .retryFailed:
            operatorCommand(event) { ledger in
                let summary = try ledger.retryFailed(batchID: nil, actor: "maker", rules: scenario.settings.batching)
                trace.log("operator", "\(summary)")
            }
        case .blockAccount(let index), .reopenAccount(let index):
            guard let account = recipientAccount(index) else { return nil }
            let blocked: Bool
            if case .blockAccount = event { blocked = true } else { blocked = false }
            network.bank.setAccount(BankAccount(accountNo: account, name: "recipient", status: blocked ? .inactive : .active))
        case .cutOff(let closed):
            network.bank.setCutOff(closed)
        }
        return nil
    }

    /// Runs one operator command as salurctl would: its own connection, one transaction; a refusal is
    /// an answer like any other.
    private func operatorCommand(_ event: SimScenario.Event, _ body: (SQLiteLedger) throws -> Void) {
        do {
            let ledger = try SQLiteLedger(path: dbPath, clock: clock.wall, execution: .inline, random: random)
            defer { try? ledger.close() }
            try body(ledger)
        } catch {
            trace.log("operator", "refused: \(error)")
        }
    }

    private func batchID(_ index: Int) -> String? {
        guard let batches = try? observer?.batches(), !batches.isEmpty else { return nil }
        return batches[index % batches.count].id
    }

    private func recipientAccount(_ index: Int) -> String? {
        guard let transfers = try? observer?.transfers(), !transfers.isEmpty else { return nil }
        return transfers[index % transfers.count].account
    }

    private func kill(_ process: SimProcess) {
        trace.log("sim", "\(process.name) killed")
        process.kill()
        // A frozen process killed stays dead: its jobs are run out (and fail) like any dead process's.
        process.executor.frozen = false
        thawAt.removeAll { $0.process === process }
    }

    // MARK: Invariants

    private func workIsDone() -> Bool {
        guard let records = try? observer?.transfers() else { return false }
        return records.allSatisfy { Self.terminal.contains($0.state) }
    }

    /// The bank's bookings (settled or pending: money moved) by beneficiary account.
    private func bookings() -> [String: [LedgerEntry]] {
        Dictionary(grouping: network.bank.ledger().filter { $0.status != .failed }, by: \.beneficiaryAccountNo)
    }

    /// The bank's ledger size and the database's data version at the last check: while neither
    /// changes, what held then holds now.
    private var lastChecked: (bank: Int, data: Int)?

    /// What must hold at every step.
    private func checkInvariants() -> String? {
        let bankEntries = network.bank.stats().requests.values.reduce(0, +)
        let data = (try? observer?.dataVersion()) ?? -1
        if let lastChecked, lastChecked == (bankEntries, data), data >= 0 { return nil }
        lastChecked = (bankEntries, data)
        let booked = bookings()
        for (account, entries) in booked where entries.count > 1 {
            return "paid twice: account \(account) booked \(entries.count) times (references \(entries.map(\.partnerReferenceNo)))"
        }
        guard let observer, let records = try? observer.transfers() else { return nil }
        if let broken = checkTransitions(records) { return broken }
        let byAccount = Dictionary(grouping: records, by: \.account)
        for (account, entries) in booked {
            guard let transfer = byAccount[account]?.first else { return "the bank paid account \(account), which no transfer names" }
            if entries[0].amount.value != transfer.amount {
                return "account \(account): booked \(entries[0].amount), transfer \(transfer.id) is for Rp \(transfer.amount)"
            }
        }
        for record in records {
            let entries = booked[record.account] ?? []
            if record.state == "settled", entries.isEmpty {
                return "transfer \(record.id) (\(record.reference)) is settled in Salur, but the bank booked nothing for \(record.account)"
            }
            if record.state == "cancelled", !entries.isEmpty {
                return "transfer \(record.id) (\(record.reference)) is cancelled in Salur, but the bank booked it (\(entries[0].partnerReferenceNo))"
            }
            if record.state == "failed", !entries.isEmpty {
                return "transfer \(record.id) (\(record.reference)) is failed in Salur, but the bank booked it (\(entries[0].partnerReferenceNo))"
            }
        }
        return checkBatches(records, observer: observer)
    }

    private func checkBatches(_ records: [SimObserver.Transfer], observer: SimObserver) -> String? {
        guard let batches = try? observer.batches() else { return nil }
        let byBatch = Dictionary(grouping: records, by: { $0.batch ?? "-" })
        for batch in batches {
            let members = byBatch[batch.id] ?? []
            let sum = members.reduce(Int64(0)) { $0 + $1.amount }
            if batch.itemCount != members.count || batch.amount != sum {
                return "batch \(batch.id) says \(batch.itemCount) transfers of Rp \(batch.amount) in all; it holds \(members.count) of Rp \(sum)"
            }
            if batch.state == "done", let open = members.first(where: { !Self.terminal.contains($0.state) }) {
                return "batch \(batch.id) is done while transfer \(open.id) is \(open.state)"
            }
        }
        return nil
    }

    static let terminal: Set<String> = Set(TransferState.allCases.filter(\.isTerminal).map(\.rawValue))

    /// Each transfer's state when last seen, since the database was last replaced.
    private var lastSeen: [Int64: TransferState] = [:]

    /// Every change of state seen since the last step is one `TransferState.allows` — directly, or
    /// through states the transfer passed between two looks.
    private func checkTransitions(_ records: [SimObserver.Transfer]) -> String? {
        for record in records {
            guard let now = TransferState(rawValue: record.state) else { return "transfer \(record.id) is in an unknown state \(record.state)" }
            defer { lastSeen[record.id] = now }
            guard let before = lastSeen[record.id], before != now else { continue }
            if !TransferState.reachable(from: before).contains(now) {
                return "transfer \(record.id) went from \(before.rawValue) to \(now.rawValue), which TransferState.allows does not lead to"
            }
        }
        return nil
    }

    /// What must hold at the end: every check above, nothing lost, every failure with its reason, the audit chain whole.
    private func finalViolation() -> String? {
        if let broken = checkInvariants() { return broken }
        let ledger: SQLiteLedger
        if let live = current, live.isAlive {
            ledger = live.ledger
        } else {
            guard let opened = try? SQLiteLedger(path: dbPath, clock: clock.wall, execution: .inline, random: random) else {
                return "the database cannot be opened at the end"
            }
            extraLedgers.append(opened)
            ledger = opened
        }
        finalLedger = ledger
        guard let records = try? ledger.transferRecords(from: nil, to: nil) else { return "the transfers cannot be read at the end" }
        if records.count != scenario.transfers { return "\(scenario.transfers) transfers were approved; \(records.count) are left" }
        if let silent = records.first(where: { $0.state == "failed" && ($0.failureMessage ?? "").isEmpty }) {
            return "transfer \(silent.transferID) failed without a reason"
        }
        do {
            _ = try ledger.verifyAudit()
        } catch {
            return "the audit chain does not verify: \(error)"
        }
        return nil
    }
}
