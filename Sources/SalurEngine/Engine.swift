import Foundation
package import Logging
package import SalurBank
package import SalurCore
package import SalurStore
import Synchronization

/// Salur's posting engine: forms batches, checks the balance before a batch is posted, sends
/// attempts, asks about transfers in doubt, and records every outcome — following DESIGN §4 so
/// that each transfer is paid once or not at all, whatever crashes or the bank does.
package final class Engine: Sendable {
    let ledger: any EngineLedger
    let bank: any BankAdapter
    let logger: Logger
    /// Where the highest send mark seen is kept outside the database; nil: restores are not noticed.
    let sentMark: SentMarkFile?
    /// The calendar time attempts are claimed at (it dates their X-EXTERNAL-IDs) and outcomes recorded at.
    let clock: WallClock
    /// The monotonic clock leases, fences, backoff and idle waits are measured on.
    let time: any MonotonicTime
    /// When this engine started, by the monotonic clock.
    let startedAt: ContinuousClock.Instant
    private let state: Mutex<MutableState>
    private let wakeSignal = WakeSignal()

    private struct MutableState {
        var settings: EngineSettings
        var breaker: CircuitBreaker
        var random: RandomSource.Generator
        var stopping = false
        var lastBatchEvent = ""
        var heartbeat: EngineHeartbeat?
        var lastBeat: ContinuousClock.Instant
        /// Batches seen posting, whose end (done, held) is still to be logged.
        var watchedBatches: Set<String> = []
        /// For each attempt of this engine still unresolved, by external id: the monotonic instant its
        /// request had certainly ended (the transport's answer or failure), or its claim while it is
        /// still being sent. A "not found" is believed only `not_found_settle_ms` after it.
        var settleOrigin: [String: ContinuousClock.Instant] = [:]
        /// Payees at other banks the bank confirmed (SNAP 16) while this engine runs (`PayeeCheck.key`).
        var verifiedPayees: Set<String> = []
    }

    /// What one pass of the engine did (for logs, STATUS= and tests).
    package struct PassReport: Sendable {
        package var sent = 0
        package var settled = 0
        package var inDoubt = 0
        package var failed = 0
        package var inquired = 0
        package var accountsChecked = 0
        package var batchesStarted: [String] = []
        package var batchesHeld: [String] = []
        /// Batches seen posting that ended this pass (every transfer settled, failed or cancelled).
        package var batchesDone: [String] = []
        package var didWork: Bool { sent + inquired + accountsChecked > 0 || !batchesStarted.isEmpty || !batchesHeld.isEmpty }
    }

    /// - Parameters:
    ///   - clock: the calendar time; `time`: the monotonic clock; `random`: retry jitter. The system's
    ///     in production; simulated and seeded in `salur-sim`.
    package init(ledger: any EngineLedger, bank: any BankAdapter, settings: EngineSettings, logger: Logger,
                 sentMark: SentMarkFile? = nil, clock: WallClock = .system, time: any MonotonicTime = SystemTime(),
                 random: RandomSource = .system) {
        self.clock = clock
        self.time = time
        self.startedAt = time.now
        self.ledger = ledger
        self.bank = bank
        self.logger = logger
        self.sentMark = sentMark
        state = Mutex(MutableState(settings: settings,
                                   breaker: CircuitBreaker(threshold: settings.breakerThreshold, cooldownMs: settings.breakerCooldownMs),
                                   random: random.generator, lastBeat: time.now))
    }

    /// Replaces the settings (config reload); work in flight keeps the settings it started with.
    package func update(_ settings: EngineSettings) {
        state.withLock {
            $0.settings = settings
            $0.breaker.threshold = settings.breakerThreshold
            $0.breaker.cooldownMs = settings.breakerCooldownMs
        }
    }

    package var settings: EngineSettings { state.withLock { $0.settings } }

    /// Whether the circuit breaker holds new attempts back now.
    package var breakerIsOpen: Bool {
        let now = clock.now
        return state.withLock { !$0.breaker.allows(now) }
    }

    /// Stop starting new attempts; what is in flight finishes and is recorded.
    package func beginStopping() { state.withLock { $0.stopping = true } }
    package var isStopping: Bool { state.withLock { $0.stopping } }

    /// Ends an idle wait at once (new work: e.g. PostgreSQL's `NOTIFY salur_work` after an approval).
    /// A wake while the engine is busy makes the next idle wait end at once.
    package func wake() { wakeSignal.signal() }

    /// Marks what an earlier process left `sending` as in doubt. Call once before `run`.
    package func recover() async throws {
        let count = try await ledger.recoverInterrupted()
        if count > 0 { logger.notice("transfers interrupted while sending are now in doubt", metadata: ["count": "\(count)"]) }
    }

    /// Runs passes until stopped (or, with `exitWhenIdle`, until nothing is left that can move
    /// without an operator). `afterPass` is called after every pass (heartbeat, watchdog, STATUS=);
    /// `heartbeat`, if given, beats from inside the loop as well, so a long pass or a long idle wait
    /// still shows the loop is alive.
    package func run(exitWhenIdle: Bool, heartbeat: EngineHeartbeat? = nil,
                     afterPass: @Sendable (PassReport) async -> Void = { _ in }) async throws {
        state.withLock {
            $0.heartbeat = heartbeat
            $0.lastBeat = time.now
        }
        defer { state.withLock { $0.heartbeat = nil } }
        // Several engines on one database: the lease on what this engine claims is renewed by a task
        // of its own, so that a long pass or a long request does not let it run out; taking over what
        // other engines abandoned is another task, so that renewal never waits behind it (a take-over
        // can wait on a reconciliation's lock; the lease must not).
        guard let every = ledger.leaseRenewalInterval else {
            return try await loop(exitWhenIdle: exitWhenIdle, afterPass: afterPass)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.keepLease(every: every) }
            group.addTask { await self.takeOverAbandoned(every: every) }
            defer { group.cancelAll() }
            try await loop(exitWhenIdle: exitWhenIdle, afterPass: afterPass)
        }
    }

    /// Renews the lease every `interval`, and does nothing else: it runs alone, on the ledger's own
    /// path for it (PostgreSQL: a connection outside the pool), so nothing the engine or an operator
    /// does to the database delays it.
    private func keepLease(every interval: Duration) async {
        while !Task.isCancelled {
            do { try await time.sleep(for: interval) } catch { return }
            do {
                try await ledger.renewLease()
            } catch {
                logger.warning("engine lease not renewed; attempts stop being sent if it runs out", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Takes over what engines that are gone left sending, every `interval` — here too, not only at
    /// the start of a pass, since a posting session can run for minutes.
    private func takeOverAbandoned(every interval: Duration) async {
        while !Task.isCancelled {
            do { try await time.sleep(for: interval) } catch { return }
            do {
                let abandoned = try await ledger.takeOverAbandoned()
                if abandoned > 0 {
                    logger.notice("transfers left sending by an engine that is gone are now in doubt", metadata: ["count": "\(abandoned)"])
                }
            } catch {
                logger.warning("could not look for transfers abandoned by other engines", metadata: ["error": "\(error)"])
            }
        }
    }

    private func loop(exitWhenIdle: Bool, afterPass: @Sendable (PassReport) async -> Void) async throws {
        // Batches already posting (left by an earlier process) are followed from the start.
        var before = PassReport()
        try await followBatches(&before)
        var needsRecovery = false
        while !isStopping {
            do {
                if needsRecovery {
                    try await recover()
                    needsRecovery = false
                }
                let report = try await pass()
                await afterPass(report)
                if exitWhenIdle, try await ledger.isIdle() { return }
                if isStopping { break }
                if !report.didWork { try await idleWait() }
            } catch where StoreError.isTransient(error) {
                // Another writer (a large `salurctl reconcile`, say) held the database past the busy
                // timeout, or the database server was out of reach for a while. The pass's own
                // requests have all ended (its task groups awaited them), but answers not yet recorded
                // leave transfers `sending`: they are marked in doubt, as after a restart, before the
                // next pass — and the daemon carries on instead of exiting.
                logger.warning("database busy or unavailable; pass abandoned, retrying", metadata: ["error": "\(error)"])
                needsRecovery = true
                try await idleWait(askingLedger: false)
            }
        }
    }

    /// One pass: batches, balance checks, a posting session and an inquiry session.
    package func pass() async throws -> PassReport {
        var report = PassReport()
        let settings = self.settings
        try await checkRestored(settings: settings)
        let abandoned = try await ledger.takeOverAbandoned()
        if abandoned > 0 {
            logger.notice("transfers left sending by an engine that is gone are now in doubt", metadata: ["count": "\(abandoned)"])
        }
        let formed = try await ledger.formPendingBatches(rules: settings.batching, actor: "salurd")
        for id in formed { logger.info("batch formed", metadata: ["batch": "\(id)"]) }
        if !isStopping { try await checkAccounts(&report, settings: settings) }
        try await startBatches(&report)
        try await postingSession(&report, settings: settings)
        try await inquirySession(&report, settings: settings)
        try await followBatches(&report)
        return report
    }

    /// Notices a database that went back in time (its send mark is below the one this engine kept
    /// outside it) and, before anything is sent, puts every transfer the bank may have booked since
    /// in doubt to be asked about (`RestoreRecovery`).
    func checkRestored(settings: EngineSettings) async throws {
        guard let sentMark else { return }
        let seen = try sentMark.read()
        let status = try await ledger.sendMarkStatus()
        guard seen > status.claims else { return }
        let reason = "send mark \(status.claims) in the database, \(seen) seen by this engine at \(sentMark.path)"
        logger.critical("the database is behind what was sent (restored backup or failover); asking the bank about every open transfer before sending",
                        metadata: ["database_mark": "\(status.claims)", "seen_mark": "\(seen)"])
        let count = try await ledger.recoverFromRestore(RestoreRecoveryRequest(reason: reason, actor: "salurd", markAtLeast: seen,
                                                                               rules: settings.batching, now: clock.now))
        logger.notice("restore recovery: transfers in doubt until the bank answers", metadata: ["count": "\(count)"])
        state.withLock { $0.lastBatchEvent = "restore recovery: \(count) transfers asked about" }
    }

    /// Sleeps until the next retry or inquiry falls due, or the poll interval passes — in slices, so
    /// the heartbeat keeps beating and a stop request ends the wait within a slice.
    ///
    /// After an abandoned pass (`askingLedger` false) it waits the whole poll interval without asking
    /// the database, which may be the thing that is out of reach.
    private func idleWait(askingLedger: Bool = true) async throws {
        let settings = self.settings
        var wait = Double(settings.pollIntervalMs) / 1000
        let wallNow = clock.now
        if askingLedger, let due = try await ledger.nextDue() { wait = min(wait, max(0.005, due.timeIntervalSince(wallNow))) }
        if let reopens = state.withLock({ $0.breaker.reopensAt }) { wait = min(wait, max(0.005, reopens.timeIntervalSince(wallNow))) }
        let deadline = time.now + .milliseconds(Int(wait * 1000))
        let beatEvery = state.withLock { $0.heartbeat?.interval }
        var slice = Self.idleSlice
        if let beatEvery { slice = min(slice, beatEvery) }
        while !isStopping, time.now < deadline {
            let woken = await wakeSignal.sleep(until: min(deadline, time.now + slice), on: time)
            if Task.isCancelled { beginStopping() }
            await beatIfDue()
            if woken { break }
        }
    }

    /// The longest an idle wait sleeps without looking at the stop flag.
    static let idleSlice: Duration = .milliseconds(100)

    /// Gives the heartbeat's beat if its interval has passed since the last one.
    func beatIfDue() async {
        let beat = state.withLock { s -> (@Sendable () async -> Void)? in
            guard let heartbeat = s.heartbeat else { return nil }
            let now = time.now
            guard now - s.lastBeat >= heartbeat.interval else { return nil }
            s.lastBeat = now
            return heartbeat.beat
        }
        await beat?()
    }

    // MARK: Batch ends

    /// Logs each batch seen posting that has since finished or been held (once each).
    private func followBatches(_ report: inout PassReport) async throws {
        let watched = state.withLock { $0.watchedBatches }.union(report.batchesStarted)
        let progress = try await ledger.batchProgress(watching: watched)
        var stillPosting: Set<String> = []
        for batch in progress {
            if batch.state == "posting" { stillPosting.insert(batch.id); continue }
            guard watched.contains(batch.id) else { continue }
            let counts = batch.transfers.keys.sorted().map { "\($0)=\(batch.transfers[$0]!)" }.joined(separator: " ")
            switch batch.state {
            case "done":
                report.batchesDone.append(batch.id)
                logger.info("batch done", metadata: ["batch": "\(batch.id)", "settled": "\(batch.transfers["settled"] ?? 0)",
                                                     "failed": "\(batch.transfers["failed"] ?? 0)", "transfers": "\(counts)"])
                state.withLock { $0.lastBatchEvent = "batch \(batch.id) done" }
            case "held":
                logger.warning("batch held", metadata: ["batch": "\(batch.id)", "reason": "\(batch.holdReason ?? "-")", "transfers": "\(counts)"])
                state.withLock { $0.lastBatchEvent = "batch \(batch.id) held" }
            default:
                logger.notice("batch left posting", metadata: ["batch": "\(batch.id)", "state": "\(batch.state)", "transfers": "\(counts)"])
            }
        }
        state.withLock { $0.watchedBatches = stillPosting }
    }

    // MARK: Balance check

    /// One balance inquiry per pass covers every batch waiting to start: each is started while
    /// the balance, less what batches already posting may still take, covers it; one it does
    /// not cover is held with the figures, for an operator.
    ///
    /// With several engines on one database, one engine at a time does this (the others skip it for
    /// the pass), and what batches already posting may still take is read before the balance: a
    /// transfer booked in between then lowers the balance but is still counted as outstanding —
    /// too careful by its amount, never too generous.
    private func startBatches(_ report: inout PassReport) async throws {
        guard !isStopping, !(try await ledger.batchesToStart()).isEmpty else { return }
        _ = try await ledger.whileStartingBatches {
            try await startBatchesAlone(&report)
        }
    }

    private func startBatchesAlone(_ report: inout PassReport) async throws {
        let waiting = try await ledger.batchesToStart()
        guard !waiting.isEmpty, !isStopping else { return }
        await beatIfDue()
        var committed = try await ledger.outstandingPosting()
        let balance: Rupiah
        switch await bank.availableBalance() {
        case .unavailable(let reason):
            logger.warning("balance inquiry failed; batches wait", metadata: ["batches": "\(waiting.count)", "reason": "\(reason)"])
            return
        case .notUsable(let reason):
            for batch in waiting {
                try await ledger.holdByEngine(id: batch.id, reason: reason)
                report.batchesHeld.append(batch.id)
                logger.warning("batch held", metadata: ["batch": "\(batch.id)", "reason": "\(reason)"])
                state.withLock { $0.lastBatchEvent = "batch \(batch.id) held" }
            }
            return
        case .available(let amount):
            balance = amount
        }
        for batch in waiting {
            await beatIfDue()
            let needed = try committed.adding(batch.remaining)
            if balance >= needed {
                try await ledger.startBatch(id: batch.id, balance: balance)
                committed = needed
                report.batchesStarted.append(batch.id)
                logger.info("batch posting", metadata: ["batch": "\(batch.id)", "amount": "\(batch.remaining.value)", "balance": "\(balance.value)"])
                state.withLock { $0.lastBatchEvent = "batch \(batch.id) posting" }
            } else {
                let reason = "source balance \(balance) does not cover this batch (\(batch.remaining))"
                    + (committed > .zero ? " plus \(committed) still posting" : "")
                try await ledger.holdByEngine(id: batch.id, reason: reason)
                report.batchesHeld.append(batch.id)
                logger.warning("batch held", metadata: ["batch": "\(batch.id)", "reason": "\(reason)"])
                state.withLock { $0.lastBatchEvent = "batch \(batch.id) held" }
            }
        }
    }

    // MARK: Posting

    private func postingSession(_ report: inout PassReport, settings: EngineSettings) async throws {
        // At most three times the bank's concurrency is committed ahead: enough that the bank always has
        // work while the next chunk commits, little enough that an operator's hold stops the batch
        // within a couple of round trips (what is committed as `sending` goes out regardless). A chunk
        // is half of what lies beyond the bank's concurrency: the next claim starts while a whole
        // concurrency's worth still waits to leave, so the bank does not wait on the claim's round
        // trips. With a chunk of all of it, a claim started only once the bank's slots were already
        // emptying: at 64 in flight and 20 ms answers, PostgreSQL posted at 0.85 of SQLite; with the
        // half, 1.01, and 8 in flight at 200 ms use 98.9 % of the bank's concurrency, not 97.3 %
        // (`salur-bench post --store both`, `salur-bench pipe`).
        let window = settings.maxInFlight * 3
        let chunk = min(settings.chunkSize, max(1, (window - settings.maxInFlight) / 2))
        var sent = 0, settled = 0, inDoubt = 0, failed = 0
        // A nil child result is the stop signal: on a stop request the sends still queued for a
        // connection are called off (the transport fails them as not sent: safe, they wait to be
        // retried), while those already on the wire finish and are recorded.
        try await withThrowingTaskGroup(of: Resolution?.self) { group in
            var inFlight = 0
            var buffer: [Resolution] = []
            var exhausted = false
            group.addTask { await self.untilStopping(); return nil }
            while true {
                let now = clock.now
                let stopping = isStopping
                // Read before claiming: what is claimed now is sent only while this engine's lease
                // (as renewed before the claim) still holds, so that no other engine can have taken it over.
                let leaseEnds = ledger.sendDeadline()
                let leaseHolds = leaseEnds.map { time.now < $0 } ?? true
                // And only within the departure window, so that the settle time covers every queueing delay.
                let windowEnds = settings.departureWindowMs.map { time.now + .milliseconds($0) }
                let sendBy = [leaseEnds, windowEnds].compactMap { $0 }.min()
                let fence: Fence = leaseEnds != nil && sendBy == leaseEnds ? .lease : .departureWindow
                let mayClaim = !exhausted && !stopping && leaseHolds && state.withLock { $0.breaker.allows(now) } && window - inFlight >= chunk
                if mayClaim || (!buffer.isEmpty && (buffer.count >= chunk || inFlight == 0 || stopping)) {
                    let limit = mayClaim ? chunk : 0
                    let claimed = try await ledger.advance(recording: buffer, claiming: limit, now: now,
                                                           maxAttempts: settings.retry.maxAttempts)
                    buffer.removeAll(keepingCapacity: true)
                    if mayClaim && claimed.count < limit { exhausted = true }
                    // The claim raised the database's send mark: kept outside it before any request leaves.
                    if !claimed.isEmpty, let sentMark { try sentMark.raise(to: try await ledger.sendMarkStatus().claims) }
                    let claimedNow = time.now
                    state.withLock { s in for attempt in claimed { s.settleOrigin[attempt.externalID] = claimedNow } }
                    for attempt in claimed {
                        group.addTask { await self.send(attempt, settings: settings, sendBy: sendBy, fence: fence) }
                    }
                    inFlight += claimed.count
                    sent += claimed.count
                    if mayClaim && !claimed.isEmpty { continue }
                }
                if inFlight == 0 { break }
                guard let next = try await group.next() else { break }
                guard let resolution = next else {
                    group.cancelAll()
                    continue
                }
                await beatIfDue()
                inFlight -= 1
                if resolution.next != .inDoubt { state.withLock { _ = $0.settleOrigin.removeValue(forKey: resolution.externalID) } }
                switch resolution.next {
                case .settled: settled += 1
                case .inDoubt: inDoubt += 1
                case .failed: failed += 1
                default: break
                }
                buffer.append(resolution)
            }
            group.cancelAll()
            if !buffer.isEmpty { try await ledger.record(buffer, now: clock.now) }
        }
        report.sent += sent
        report.settled += settled
        report.inDoubt += inDoubt
        report.failed += failed
    }

    /// Returns once a stop is requested, or when cancelled.
    private func untilStopping() async {
        while !isStopping {
            do { try await time.sleep(for: .milliseconds(50)) } catch { return }
        }
    }

    /// Sends one attempt and decides what its answer means for the transfer.
    /// What bounds an attempt's departure: the lease it was claimed under, or its departure window.
    enum Fence {
        case lease, departureWindow
        var logMessage: String {
            switch self {
            case .lease: "attempt not sent: this engine's lease ran out before it left"
            case .departureWindow: "attempt not sent: its departure window (not_found_settle_ms less request_timeout_ms) ran out before it left"
            }
        }
        var message: String {
            switch self {
            case .lease: "not sent: the engine's lease ran out first"
            case .departureWindow: "not sent: its departure window ran out first"
            }
        }
    }

    /// An attempt held back by its fence: it never left, so it waits to be tried again (`OutcomePolicy.withheld`).
    private func withheld(_ attempt: ClaimedAttempt, fence: Fence, reason: String?, now: Date) -> Resolution {
        apply(OutcomePolicy.withheld(attempt, message: fence.message, logMessage: fence.logMessage, reason: reason, at: now), now: now)
    }

    /// Logs a decision and tells the circuit breaker what it learnt; returns what the store is to record.
    private func apply(_ decision: OutcomePolicy.Decision, now: Date) -> Resolution {
        if let unavailable = decision.bankUnavailable { state.withLock { $0.breaker.record(bankUnavailable: unavailable, now: now) } }
        if let line = decision.log { logger.log(level: line.level, "\(line.message)", metadata: line.metadata) }
        return decision.resolution
    }

    private func send(_ attempt: ClaimedAttempt, settings: EngineSettings, sendBy: ContinuousClock.Instant?, fence: Fence) async -> Resolution {
        if let sendBy, time.now >= sendBy {
            // The lease this attempt was claimed under has run out (another engine may already have
            // taken the transfer over), or its departure window has: not even a token is fetched.
            return withheld(attempt, fence: fence, reason: nil, now: clock.now)
        }
        if PayeeCheck.applies(to: attempt), !state.withLock({ $0.verifiedPayees.contains(PayeeCheck.key(attempt)) }) {
            let answer = await bank.inquireExternalAccount(bankCode: attempt.beneficiaryBankCode ?? "", accountNo: attempt.beneficiaryAccount)
            let now = clock.now
            if let decision = PayeeCheck.decision(answer, for: attempt, retry: settings.retry, at: now) { return apply(decision, now: now) }
            state.withLock { _ = $0.verifiedPayees.insert(PayeeCheck.key(attempt)) }
            if let sendBy, time.now >= sendBy { return withheld(attempt, fence: fence, reason: nil, now: clock.now) }
        }
        let instruction = TransferInstruction(
            service: Self.service(attempt),
            partnerReferenceNo: attempt.partnerReferenceNo, externalID: attempt.externalID,
            beneficiaryAccount: attempt.beneficiaryAccount, beneficiaryName: attempt.beneficiaryName,
            amount: attempt.amount, remark: attempt.remark, transactionDate: attempt.createdAt, sendBy: sendBy,
            beneficiaryType: attempt.paysPerson ? .individual : .corporate)
        // The deadline travels with the request down to libcurl, which checks it again at the last
        // moment before the first byte leaves: up to 3 × max_in_flight attempts wait for a connection,
        // and an engine frozen (SIGSTOP, a paused VM) with them queued must not send them on waking.
        let outcome = await bank.transfer(instruction)
        let now = clock.now, ended = time.now
        // Its request has ended by now, whenever it left: the settle time bounds how late the bank may
        // book it from here, not from the claim — an attempt that waited for a connection until the end
        // of its departure window gets the whole settle time too.
        state.withLock { $0.settleOrigin[attempt.externalID] = ended }
        if case .notProcessed(nil, let reason, _, _, _) = outcome, let sendBy, ended >= sendBy {
            // Withheld by the transport's fence (or not sent for another reason, past the deadline all the same).
            return withheld(attempt, fence: fence, reason: reason, now: now)
        }
        let decision = state.withLock { s in
            OutcomePolicy(retry: settings.retry).afterTransfer(outcome, of: attempt, at: now, random: &s.random)
        }
        return apply(decision, now: now)
    }

    // MARK: Inquiries

    private func inquirySession(_ report: inout PassReport, settings: EngineSettings) async throws {
        guard !isStopping else { return }
        let due = try await ledger.dueInquiries(limit: settings.chunkSize, now: clock.now)
        guard !due.isEmpty else { return }
        let resolutions = await withTaskGroup(of: Resolution.self) { group in
            for target in due { group.addTask { await self.inquire(target, settings: settings) } }
            var all: [Resolution] = []
            for await resolution in group {
                all.append(resolution)
                await beatIfDue()
            }
            return all
        }
        try await ledger.record(resolutions, now: clock.now)
        state.withLock { s in for r in resolutions where r.next != .inDoubt { s.settleOrigin.removeValue(forKey: r.externalID) } }
        report.inquired += due.count
        for r in resolutions {
            switch r.next {
            case .settled: report.settled += 1
            case .failed: report.failed += 1
            default: break
            }
        }
    }

    private func inquire(_ target: InquiryTarget, settings: EngineSettings) async -> Resolution {
        // What was sent goes with the question, so that an answer about another booking under
        // this reference is not believed.
        let outcome = await bank.inquire(StatusQuery(partnerReferenceNo: target.partnerReferenceNo, externalID: target.externalID,
                                                     interbank: target.kind == .interbank, amount: target.amount,
                                                     beneficiaryAccount: target.beneficiaryAccount,
                                                     serviceCode: target.service.rawValue))
        let now = clock.now
        let knownFor = knownFor(target.externalID)
        let decision = state.withLock { s in
            OutcomePolicy(retry: settings.retry).afterInquiry(outcome, of: target, knownFor: knownFor, at: now, random: &s.random)
        }
        return apply(decision, now: now)
    }

    /// How long, by the monotonic clock, this engine has known the attempt `externalID` to be over on its
    /// side: since its request ended (`settleOrigin`), or since the engine started (an attempt of an
    /// earlier process, whose requests ended when it did; another engine's is measured from its take-over).
    func knownFor(_ externalID: String) -> TimeInterval {
        let since = state.withLock { $0.settleOrigin[externalID] } ?? startedAt
        let elapsed = time.now - since
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Transfers whose outcome only this bank can tell (`sending` or `in_doubt`), or nil when the
    /// database cannot be read right now.
    package func unresolvedCount() async -> Int? {
        guard let status = try? await ledger.queueStatus(now: clock.now) else { return nil }
        return (status.transfers["sending"]?.count ?? 0) + (status.transfers["in_doubt"]?.count ?? 0)
    }

    /// One line for `STATUS=` and logs: `42 pending, 3 in doubt, last batch B-2026-11-0007 posting`.
    package func statusLine() async -> String {
        let last = state.withLock { $0.lastBatchEvent }
        guard let status = try? await ledger.queueStatus(now: clock.now) else { return last }
        let waiting = ["pending", "awaiting_approval", "approved", "retry_wait", "sending"].reduce(0) { $0 + (status.transfers[$1]?.count ?? 0) }
        var parts = ["\(waiting) pending", "\(status.transfers["in_doubt"]?.count ?? 0) in doubt",
                     "\(status.transfers["settled"]?.count ?? 0) settled", "\(status.transfers["failed"]?.count ?? 0) failed"]
        if !last.isEmpty { parts.append("last \(last)") }
        return parts.joined(separator: ", ")
    }
}

extension Engine {
    /// The SNAP service an attempt goes by, as it was queued (`TransferService`).
    static func service(_ attempt: ClaimedAttempt) -> TransferInstruction.Service {
        let bank = attempt.beneficiaryBankCode ?? ""
        switch attempt.service {
        case .intrabank: return .intrabank
        case .interbank: return .interbank(bankCode: bank)
        case .rtgs: return .rtgs(bankCode: bank)
        case .skn: return .skn(bankCode: bank)
        }
    }
}
