package import Foundation
import Logging
import PostgresNIO
package import SalurCore
package import SalurStore
import Synchronization

/// The posting engine's store on PostgreSQL, for any number of `salurd` processes on any number of
/// hosts sharing one database (DESIGN §4, with these additions):
///
/// - Each process start registers an engine row with a lease that PostgreSQL's clock judges
///   (hosts' clocks may differ); `renewLease` extends it. An attempt is claimed
///   (`FOR UPDATE … SKIP LOCKED`, `state = 'sending'`, `claimed_by` = this engine) in the same
///   transaction as its attempt row, so two engines never claim one transfer.
/// - An engine sends an attempt only before the end of the lease it was claimed under, by its own
///   monotonic clock (`sendDeadline`). Another engine takes over (marks in doubt) what an engine
///   left `sending` only once that engine's lease has run out in PostgreSQL's clock — or, on the
///   same kernel and PID namespace, once its process is provably gone. So a transfer taken over is
///   never sent afterwards by the engine that claimed it; a request of that engine still on its way
///   is covered by the not-found settle window, which the config keeps above lease + request timeout.
///   The send deadline travels with the request down to libcurl, which checks it again right before
///   the first byte is written: an engine frozen with requests queued sends none of them on waking.
/// - The lease is renewed on a connection of its own (never a pooled one that may wait behind a
///   reconciliation's table lock), and taking over waits for locks no longer than
///   `takeoverLockTimeout`: a long `salurctl reconcile` can never let a live engine's lease lapse.
/// - A claim commits with `synchronous_commit` set (`ClaimDurability`), and the engine refuses to
///   claim on a server that would not honour it (`fsync = off`, say).
/// - Inquiries are claimed too (their next time pushed forward under `SKIP LOCKED`), and batch starts
///   are serialised by a session advisory lock around the balance inquiry.
extension PostgresLedger {
    /// How `clock_timestamp()` is written as the store's ISO 8601 text.
    static let clockText = #"to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"#
    /// The longest a take-over waits for a lock (a reconciliation holds `transfer` for its whole run):
    /// then it gives up until its next round instead of queueing.
    static let takeoverLockTimeout: Duration = .seconds(1)
    /// Session advisory lock held by the engine that is checking the balance and starting batches.
    static let batchStartLock: Int64 = 0x5341_4C55_0010
    /// The channel `salurctl batches approve` (through a trigger on `batch`) notifies.
    package static let workChannel = "salur_work"

    // MARK: Engine identity and lease

    /// Sets the lease length (`[engine] lease_ms`) before `registerEngine`. `node` replaces this
    /// kernel's boot and PID namespace as the engine's node (tests: an engine whose PID the others
    /// must not probe, as if it ran on another host). `durability` is what each claim's commit waits
    /// for (`[database] synchronous_commit`).
    package func configureEngine(lease: Duration, node: String? = PostgresLedger.localNode, durability: ClaimDurability = .on) {
        engineSession.state.withLock {
            $0.lease = lease
            $0.node = node
            $0.durability = durability
        }
    }

    /// Why this server would not keep a claim's commit durable as configured (a message naming the
    /// setting), or nil. `registerEngine` refuses with it, and so does every claim.
    package func durabilityRefusal() async throws -> String? {
        let durability = engineSession.state.withLock { $0.durability }
        return try await withConnection("reading the server's durability settings") { connection in
            try await self.durabilityRefusal(connection, durability)
        }
    }

    func durabilityRefusal(_ connection: PostgresConnection, _ durability: ClaimDurability) async throws -> String? {
        let row = try await self.rows(connection, """
            SELECT current_setting('fsync') AS fsync, current_setting('full_page_writes') AS fpw,
                   current_setting('synchronous_standby_names') AS standbys
            """).first
        return durability.refusal(fsync: try row?["fsync"].decode(String.self) ?? "off",
                                  fullPageWrites: try row?["fpw"].decode(String.self) ?? "off",
                                  synchronousStandbyNames: try row?["standbys"].decode(String.self) ?? "")
    }

    /// This kernel's boot and PID namespace, if /proc tells.
    package static var localNode: String? { EngineSession.node }

    /// This engine's id once registered (`host:pid:random`).
    package var engineID: String? { engineSession.state.withLock { $0.id } }

    package func registerEngine(pid: Int, host: String, version: String) async throws {
        if let refusal = try await durabilityRefusal() { throw StoreError.refused(refusal) }
        let lease = engineSession.state.withLock { s -> Duration in
            s.pid = pid
            s.host = host
            s.version = version
            return s.lease
        }
        try await register(pid: pid, host: host, version: version, lease: lease)
    }

    private func register(pid: Int, host: String, version: String, lease: Duration) async throws {
        let id = "\(host):\(pid):" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let node = engineSession.state.withLock { $0.node }
        let started = ContinuousClock.now
        _ = try await transaction("registering the engine", audited: false) { connection in
            try await self.execute(connection, """
                INSERT INTO engine (id, pid, host, version, started_at, heartbeat_at, lease_until, status, node)
                VALUES (\(id), \(pid), \(host), \(version), \(unescaped: Self.clockText), \(unescaped: Self.clockText),
                        clock_timestamp() + \(lease.milliseconds) * interval '1 millisecond', 'starting', \(node))
                """)
        }
        engineSession.state.withLock { s in
            s.id = id
            s.validUntil = started + lease
            s.lapsed = false
        }
        logger.info("engine registered", metadata: ["engine": "\(id)", "lease_ms": "\(lease.milliseconds)"])
    }

    package var leaseRenewalInterval: Duration? {
        engineSession.state.withLock { s in s.id == nil ? nil : s.lease / 3 }
    }

    package func sendDeadline() -> ContinuousClock.Instant? {
        engineSession.state.withLock { s in s.validUntil ?? .now }
    }

    package func renewLease() async throws {
        try await renew(status: nil)
    }

    package func heartbeat(status: String) async throws {
        try await renew(status: status)
    }

    /// Extends the lease from now (PostgreSQL's clock) — only while it has not run out: a lapsed lease
    /// is never revived, since other engines may have taken its transfers over. After a lapse this
    /// process registers as a new engine; attempts claimed under the old lease are past their send
    /// deadline and are never sent.
    private func renew(status: String?) async throws {
        let (id, lease, lapsed) = engineSession.state.withLock { ($0.id, $0.lease, $0.lapsed) }
        guard let id else {
            if lapsed { try await reregister(lease: lease, status: status) }  // an earlier attempt failed
            return
        }
        let started = ContinuousClock.now
        let stamp = Timestamp.iso8601(clock.now)
        // One statement on the lease's own connection: never queued behind the pool's users.
        let renewed = try await onLeaseConnection("renewing the engine lease") { connection in
            try await self.execute(connection, """
                UPDATE engine SET lease_until = clock_timestamp() + \(lease.milliseconds) * interval '1 millisecond',
                    heartbeat_at = \(stamp), status = coalesce(\(status), status)
                WHERE id = \(id) AND lease_until > clock_timestamp() AND stopped_at IS NULL RETURNING 1
                """)
        }
        if renewed == 1 {
            engineSession.state.withLock { s in
                if s.id == id { s.validUntil = started + lease }
            }
            return
        }
        // One re-registration, whether the lease task or the heartbeat found the lapse first.
        let first = engineSession.state.withLock { s -> Bool in
            guard s.id == id else { return false }
            s.id = nil
            s.validUntil = nil
            s.lapsed = true
            return true
        }
        guard first else { return }
        logger.error("engine lease ran out before it was renewed; registering as a new engine (what the old one claimed is not sent)",
                     metadata: ["engine": "\(id)"])
        _ = try await transaction("retiring the lapsed engine", audited: false) { connection in
            try await self.execute(connection, """
                UPDATE engine SET status = 'lease lapsed', stopped_at = coalesce(stopped_at, \(stamp)) WHERE id = \(id) RETURNING 1
                """)
        }
        try await reregister(lease: lease, status: status)
    }

    /// Runs `body` on the lease's own connection, outside the pool — opened on first use, its every
    /// statement bounded by a third of the lease (by the server's `statement_timeout`, and here too, for
    /// a server that has gone silent), and dropped after a failure (the next renewal opens another).
    /// The pool's connections may all be waiting behind a reconciliation's lock on `transfer`; the
    /// lease must not wait with them.
    private func onLeaseConnection(_ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> Int) async throws -> Int {
        let (open, lease) = engineSession.state.withLock { ($0.leaseConnection, $0.lease) }
        var connection: PostgresConnection
        if let open {
            connection = open
        } else {
            do {
                connection = try await dedicatedConnection(statementTimeout: lease / 3)
            } catch {
                throw translate(error, doing: what)
            }
            let fresh = connection
            connection = engineSession.state.withLock { s in
                if let other = s.leaseConnection { return other }
                s.leaseConnection = fresh
                return fresh
            }
            if connection !== fresh { try? await fresh.close() }
        }
        do {
            let statement = connection
            return try await withThrowingTaskGroup(of: Int?.self) { group in
                group.addTask { try await body(statement) }
                group.addTask {
                    try await Task.sleep(for: lease / 3 + .seconds(1))
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                guard let first else {
                    // Closing the connection fails the statement still waiting on it (`statement`), so the group can end.
                    try? await statement.close()
                    throw StoreError.unavailable("\(self.target.description): \(what): no answer within \((lease / 3 + .seconds(1)).milliseconds) ms")
                }
                return first
            }
        } catch {
            let dropped = connection
            engineSession.state.withLock { s in
                if s.leaseConnection === dropped { s.leaseConnection = nil }
            }
            try? await dropped.close()
            throw translate(error, doing: what)
        }
    }

    /// Closes the lease's own connection, if open.
    func closeLeaseConnection() async {
        let open = engineSession.state.withLock { s -> PostgresConnection? in
            defer { s.leaseConnection = nil }
            return s.leaseConnection
        }
        try? await open?.close()
    }

    private func reregister(lease: Duration, status: String?) async throws {
        let (pid, host, version) = engineSession.state.withLock { ($0.pid, $0.host, $0.version) }
        try await register(pid: pid, host: host, version: version, lease: lease)
        if let status { try await renew(status: status) }
    }

    package func stopEngine() async throws {
        let id = engineSession.state.withLock { s -> String? in
            defer {
                s.id = nil
                s.validUntil = nil
            }
            return s.id
        }
        await closeLeaseConnection()
        guard let id else { return }
        let stamp = Timestamp.iso8601(clock.now)
        _ = try await transaction("stopping the engine", audited: false) { connection in
            try await self.execute(connection, """
                UPDATE engine SET status = 'stopped', stopped_at = \(stamp), heartbeat_at = \(stamp),
                    lease_until = least(lease_until, clock_timestamp()) WHERE id = \(id) RETURNING 1
                """)
        }
    }

    package func engines() async throws -> [EngineLease] {
        try await withConnection("listing engines") { connection in
            try await self.rows(connection, """
                SELECT e.id, e.pid, e.host, e.version, e.started_at, e.heartbeat_at, e.status,
                       to_char(e.lease_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS lease_until,
                       (e.lease_until > clock_timestamp() AND e.stopped_at IS NULL) AS live,
                       (SELECT count(*) FROM transfer t WHERE t.state = 'sending' AND t.claimed_by = e.id) AS holding
                FROM engine e ORDER BY e.heartbeat_at DESC, e.id
                """).map { row in
                EngineLease(pid: Int(try row["pid"].decode(Int64.self)), host: try row["host"].decode(String.self),
                            version: try row["version"].decode(String.self), startedAt: try row["started_at"].decode(String.self),
                            heartbeatAt: try row["heartbeat_at"].decode(String.self), status: try row["status"].decode(String.self),
                            id: try row["id"].decode(String.self), leaseUntil: try row["lease_until"].decode(String.self),
                            live: try row["live"].decode(Bool.self), holding: Int(try row["holding"].decode(Int64.self)))
            }
        }
    }

    // MARK: Recovery and take-over

    /// At start (and after a pass abandoned mid-way): this engine's own `sending` transfers, and
    /// those of engines that are gone, become in doubt. Another live engine's are never touched.
    package func recoverInterrupted() async throws -> Int {
        try await takeOver(includingOwn: true)
    }

    /// Gives up, returning 0, when a lock it needs is held past `takeoverLockTimeout` (a reconciliation
    /// holds `transfer`): what is abandoned stays so until the next round, and the caller moves on.
    package func takeOverAbandoned() async throws -> Int {
        do {
            return try await takeOver(includingOwn: false, lockTimeout: Self.takeoverLockTimeout)
        } catch where Self.isLockTimeout(error) {
            logger.info("taking over abandoned transfers waited too long for a lock (a reconciliation?); trying again later")
            return 0
        }
    }

    /// Whether `error` (as `translate` made it) is PostgreSQL's lock timeout.
    static func isLockTimeout(_ error: any Error) -> Bool {
        guard case .unavailable(let what) = error as? StoreError else { return false }
        return what.contains("[SQLSTATE 55P03]")
    }

    private func takeOver(includingOwn: Bool, lockTimeout: Duration? = nil) async throws -> Int {
        let me = engineID ?? ""
        try await retireEndedProcesses(me: me)
        let now = Date()
        let stamp = Timestamp.iso8601(now)
        return try await transaction("taking over interrupted transfers") { connection in
            if let lockTimeout {
                try await self.execute(connection, PostgresQuery(unsafeSQL: "SET LOCAL lock_timeout = \(max(1, lockTimeout.milliseconds))"))
            }
            let taken = try await self.rows(connection, """
                WITH gone AS (
                    SELECT t.id FROM transfer t LEFT JOIN engine e ON e.id = t.claimed_by
                    WHERE t.state = 'sending'
                      AND (t.claimed_by IS NULL OR e.id IS NULL OR e.lease_until <= clock_timestamp()
                           OR (\(includingOwn) AND t.claimed_by = \(me)))
                    FOR UPDATE OF t SKIP LOCKED)
                UPDATE transfer t SET state = 'in_doubt', next_action_at = \(stamp), settle_from = \(stamp), updated_at = \(stamp),
                    last_message = CASE WHEN t.claimed_by = \(me) OR t.claimed_by IS NULL THEN 'interrupted while sending'
                                        ELSE 'interrupted while sending; taken over from engine ' || t.claimed_by END
                FROM gone WHERE t.id = gone.id
                RETURNING t.id, t.claimed_by
                """)
            guard !taken.isEmpty else { return 0 }
            let ids = try taken.map { try $0["id"].decode(Int64.self) }
            var from: [String: Int] = [:]
            for row in taken { from[try row["claimed_by"].decode(String?.self) ?? "-", default: 0] += 1 }
            try await self.execute(connection, """
                UPDATE transfer_attempt SET outcome = 'interrupted', finished_at = \(stamp)
                WHERE finished_at IS NULL AND transfer_id = ANY(\(ids))
                """)
            var details = ["in_doubt": String(ids.count)]
            for (engine, count) in from where engine != me { details["from " + engine] = String(count) }
            try await self.audit(connection, actor: "salurd", action: "engine.recover", subject: "\(ids.count) transfers", details: details)
            return ids.count
        }
    }

    /// Engines on this very kernel and PID namespace whose process no longer exists are gone now,
    /// whatever their lease says (a restart after SIGKILL need not wait for the lease to run out).
    /// A PID that exists — possibly reused — proves nothing: that engine keeps its lease.
    private func retireEndedProcesses(me: String) async throws {
        let (node, host) = engineSession.state.withLock { ($0.node, $0.id == nil ? nil : $0.host) }
        guard let node, let host else { return }
        let candidates = try await withConnection("looking for ended engines") { connection in
            try await self.rows(connection, """
                SELECT id, pid FROM engine WHERE host = \(host) AND node = \(node) AND id <> \(me)
                  AND stopped_at IS NULL AND lease_until > clock_timestamp()
                """).map { (try $0["id"].decode(String.self), try $0["pid"].decode(Int64.self)) }
        }
        let ended = candidates.filter { EngineSession.processEnded(pid: $0.1) }.map(\.0)
        guard !ended.isEmpty else { return }
        let stamp = Timestamp.iso8601(clock.now)
        _ = try await transaction("retiring ended engines", audited: false) { connection in
            try await self.execute(connection, """
                UPDATE engine SET status = 'process ended', stopped_at = \(stamp), lease_until = least(lease_until, clock_timestamp())
                WHERE id = ANY(\(ended)) AND stopped_at IS NULL RETURNING 1
                """)
        }
        logger.notice("engines whose process ended on this host retired", metadata: ["engines": "\(ended.joined(separator: ","))"])
    }

    // MARK: Batches

    package func batchesToStart() async throws -> [BatchToStart] {
        try await withConnection("listing batches to start") { connection in
            try await self.rows(connection, """
                SELECT b.id, coalesce(sum(t.amount), 0)::bigint AS remaining FROM batch b
                LEFT JOIN transfer t ON t.batch_id = b.id AND t.state IN (\(unescaped: StoreSQL.list(EngineRules.toPay)))
                WHERE b.state = 'approved' GROUP BY b.id ORDER BY b.created_at, b.id
                """).map { BatchToStart(id: try $0["id"].decode(String.self), remaining: Rupiah(try $0["remaining"].decode(Int64.self))) }
        }
    }

    package func outstandingPosting() async throws -> Rupiah {
        try await withConnection("reading what is still posting") { connection in
            Rupiah(try await connection.statement("""
                SELECT coalesce(sum(t.amount), 0)::bigint FROM transfer t JOIN batch b ON b.id = t.batch_id
                WHERE b.state = 'posting' AND t.state IN (\(unescaped: StoreSQL.list(EngineRules.mayStillTake)))
                """, logger: self.logger).first?.decode(Int64.self) ?? 0)
        }
    }

    package func startBatch(id: String, balance: Rupiah) async throws {
        try await transaction("starting batch \(id)") { connection in
            let started = try await self.execute(connection, """
                UPDATE batch SET state = 'posting', updated_at = \(Timestamp.iso8601(clock.now)) WHERE id = \(id) AND state = 'approved' RETURNING 1
                """)
            if started == 1 {
                try await self.audit(connection, actor: "salurd", action: "batch.post", subject: id, details: ["balance": String(balance.value)])
                try await self.completeBatches(connection, [id])
            }
        }
    }

    package func holdByEngine(id: String, reason: String) async throws {
        try await transaction("holding batch \(id)") { connection in
            try await self.holdBatch(connection, id: id, reason: reason, actor: "salurd", strict: false)
        }
    }

    /// A session advisory lock on a connection of its own, held while `body` runs (the balance
    /// inquiry included). A process that dies releases it with its connection.
    package func whileStartingBatches(_ body: () async throws -> Void) async throws -> Bool {
        try await withConnection("starting batches") { connection in
            let locked = try await connection.statement("SELECT pg_try_advisory_lock(\(Self.batchStartLock))", logger: self.logger)
                .first?.decode(Bool.self) ?? false
            guard locked else { return false }
            do {
                try await body()
            } catch {
                _ = try? await self.execute(connection, "SELECT pg_advisory_unlock(\(Self.batchStartLock))")
                throw error
            }
            try await self.execute(connection, "SELECT pg_advisory_unlock(\(Self.batchStartLock))")
            return true
        }
    }

    // MARK: Posting

    package func advance(recording resolutions: [Resolution], claiming limit: Int, now: Date, maxAttempts: Int) async throws -> [ClaimedAttempt] {
        let durability = engineSession.state.withLock { $0.durability }
        // Claims up to `limit` attempts; returns them (or why the server may not keep a claim) and the
        // batches whose retries ran out.
        func claim(_ connection: PostgresConnection) async throws -> ([ClaimedAttempt], String?, Set<String>) {
            guard limit > 0, let me = self.engineID else { return ([], nil, []) }
            // The claim is durable before its requests leave, whatever the server's default: a commit
            // lost after a request left would let the transfer be sent again (`set_config(…, true)` is
            // `SET LOCAL`). Claims only under a lease that still holds (by PostgreSQL's clock): a lapsed
            // engine re-registers before it claims again. One round trip for both.
            let gate = try await self.rows(connection, """
                SELECT set_config('synchronous_commit', \(durability.rawValue), true) AS level,
                       current_setting('fsync') AS fsync, current_setting('full_page_writes') AS fpw,
                       current_setting('synchronous_standby_names') AS standbys,
                       EXISTS (SELECT 1 FROM engine WHERE id = \(me) AND lease_until > clock_timestamp() AND stopped_at IS NULL) AS leased
                """).first
            if let refusal = durability.refusal(fsync: try gate?["fsync"].decode(String.self) ?? "off",
                                                fullPageWrites: try gate?["fpw"].decode(String.self) ?? "off",
                                                synchronousStandbyNames: try gate?["standbys"].decode(String.self) ?? "") {
                return ([], refusal, [])
            }
            guard try gate?["leased"].decode(Bool.self) == true else { return ([], nil, []) }
            let stamp = Timestamp.iso8601(now)
            // With each, what the bank last said of its recipient's account (`AccountHold` gate).
            let columns = """
                t.id, t.attempts, t.round_attempts, t.last_message, t.batch_id, t.partner_reference_no, t.kind, t.service,
                t.beneficiary_account, t.beneficiary_name, t.beneficiary_bank_code, t.amount, t.remark, t.nik, t.created_at,
                t.period, r.account_check, r.bank_account_status, r.account_checked_at
                """
            // Retries due first, then approved transfers up to the limit (each select with its limit
            // known to the planner, so that each reads its index range only), the recipient joined
            // only to the rows taken. Approved transfers are taken batch by batch, oldest batch
            // first, each batch's in id order straight from `transfer_batch_order`: as one join of
            // posting batches and approved transfers ordered by id, the planner chose — after a bulk
            // approval, whether or not its statistics had caught up — to read and sort every approved
            // transfer of every posting batch (a million at national scale) for each chunk it claimed.
            var rows = try await self.rows(connection, """
                WITH claimable AS (
                    SELECT * FROM transfer t WHERE t.state = 'retry_wait' AND t.next_action_at <= \(stamp)
                      AND (SELECT b.state FROM batch b WHERE b.id = t.batch_id) = 'posting'
                    ORDER BY t.next_action_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                SELECT \(unescaped: columns) FROM claimable t LEFT JOIN recipient r ON r.id = t.recipient_id
                ORDER BY t.next_action_at, t.id
                """)
            if rows.count < limit {
                rows += try await self.rows(connection, """
                    WITH claimable AS (
                        SELECT t.* FROM (SELECT id FROM batch WHERE state = 'posting' ORDER BY created_at, id) b
                        CROSS JOIN LATERAL (
                            SELECT * FROM transfer t WHERE t.batch_id = b.id AND t.state = 'approved'
                            ORDER BY t.id LIMIT \(limit - rows.count) FOR UPDATE SKIP LOCKED) t
                        LIMIT \(limit - rows.count))
                    SELECT \(unescaped: columns) FROM claimable t LEFT JOIN recipient r ON r.id = t.recipient_id ORDER BY t.id
                    """)
            }
            guard !rows.isEmpty else { return ([], nil, []) }
            // A transfer the bank's statement already shows debited is never sent again.
            let tried = try rows.filter { try $0["attempts"].decode(Int64.self) > 0 }.map { try $0["id"].decode(Int64.self) }
            var debited: Set<Int64> = []
            if !tried.isEmpty {
                debited = Set(try await self.rows(connection, """
                    SELECT DISTINCT transfer_id FROM statement_entry WHERE transfer_id = ANY(\(tried)) AND direction = 'debit'
                    """).map { try $0["transfer_id"].decode(Int64.self) })
            }
            var toDoubt: [Int64] = []
            var exhausted: [(Int64, String)] = []
            var exhaustedBatches: Set<String> = []
            var sending: [PostgresRandomAccessRow] = []
            var accountHolds: [(Int64, String, String)] = []
            let recheck = AccountRecheck(now: now, recheckDays: 0)
            for row in rows {
                let id = try row["id"].decode(Int64.self)
                if debited.contains(id) {
                    toDoubt.append(id)
                } else if let hold = AccountHold(check: try row["account_check"].decode(String?.self).flatMap(AccountCheck.init),
                                                 status: try row["bank_account_status"].decode(String?.self),
                                                 accountNo: try row["beneficiary_account"].decode(String.self),
                                                 checkedAt: try row["account_checked_at"].decode(String?.self)) {
                    // Never sent to an account the bank reported not payable: held, with the reason, for an operator.
                    accountHolds.append((id, try row["nik"].decode(String?.self) ?? "", hold.reason))
                } else if try row["attempts"].decode(Int64.self) == 0,
                          recheck.awaitsCheck(checkedAt: try row["account_checked_at"].decode(String?.self),
                                              period: try row["period"].decode(String.self)) {
                    // A new period's payment waits for its recipient's account to be checked again
                    // (before its first attempt: a retry is not held back).
                    continue
                } else if AttemptRules.isExhausted(round: Int(try row["round_attempts"].decode(Int64.self)), maxAttempts: maxAttempts) {
                    let rounds = Int(try row["round_attempts"].decode(Int64.self))
                    exhausted.append((id, AttemptRules.gaveUpWaiting(after: rounds, last: try row["last_message"].decode(String?.self))))
                    exhaustedBatches.insert(try row["batch_id"].decode(String.self))
                } else {
                    sending.append(row)
                }
            }
            if !toDoubt.isEmpty {
                try await self.execute(connection, """
                    UPDATE transfer SET state = 'in_doubt', next_action_at = \(stamp), updated_at = \(stamp),
                        last_message = 'the bank statement shows a debit for it; asking the bank instead of sending again'
                    WHERE id = ANY(\(toDoubt))
                    """)
            }
            for (id, nik, reason) in accountHolds {
                try await self.execute(connection, """
                    UPDATE transfer SET state = 'held', hold_reason = \(reason), next_action_at = NULL, updated_at = \(stamp) WHERE id = \(id)
                    """)
                try await self.audit(connection, actor: "salurd", action: "transfer.hold", subject: String(id),
                                     details: ["nik": nik, "reason": reason])
            }
            if !exhausted.isEmpty {
                try await self.execute(connection, """
                    UPDATE transfer t SET state = 'failed', last_message = v.message, next_action_at = NULL, updated_at = \(stamp)
                    FROM unnest(\(exhausted.map(\.0)), \(exhausted.map(\.1))) AS v(id, message) WHERE t.id = v.id
                    """)
            }
            var claimed: [ClaimedAttempt] = []
            if !sending.isEmpty {
                // Attempt rows, the transfers marked sending and the send mark raised by one claim more (a
                // database that went back in time shows fewer than an engine has seen) — in one statement.
                // X-EXTERNAL-ID: numeric, unique per day at the bank — the Jakarta date plus a sequence
                // unique forever here (`ExternalID.attempt`, spelled in SQL). started_at by PostgreSQL's
                // clock: the not-found settle window is judged against it, by whichever engine asks later.
                var transferIDs: [Int64] = [], attemptNos: [Int64] = []
                for row in sending {
                    transferIDs.append(try row["id"].decode(Int64.self))
                    attemptNos.append(try row["attempts"].decode(Int64.self) + 1)
                }
                let written = try await self.rows(connection, """
                    WITH v AS (
                        SELECT u.transfer_id, u.attempt_no, nextval(pg_get_serial_sequence('transfer_attempt', 'id')) AS id
                        FROM unnest(\(transferIDs)::bigint[], \(attemptNos)::bigint[]) AS u(transfer_id, attempt_no)),
                    e AS (
                        SELECT v.*, \(ExternalID.jakartaDay(now)) || lpad(v.id::text, greatest(\(unescaped: String(ExternalID.attemptDigits)), length(v.id::text)), '0')
                            AS external_id
                        FROM v),
                    attempt AS (
                        INSERT INTO transfer_attempt (id, transfer_id, attempt_no, external_id, started_at)
                        SELECT e.id, e.transfer_id, e.attempt_no, e.external_id, \(unescaped: Self.clockText) FROM e),
                    sent AS (
                        UPDATE transfer t SET state = 'sending', attempts = attempts + 1, round_attempts = round_attempts + 1,
                            external_id = e.external_id, next_action_at = NULL, not_found_answers = 0, hold_reason = NULL, ask_reason = NULL,
                            updated_at = \(stamp),
                            claimed_by = \(me)
                        FROM e WHERE t.id = e.transfer_id),
                    mark AS (UPDATE send_mark SET claims = claims + 1 WHERE id = 1)
                    SELECT transfer_id, external_id FROM e
                    """)
                var externalIDs: [Int64: String] = [:]
                for row in written { externalIDs[try row["transfer_id"].decode(Int64.self)] = try row["external_id"].decode(String.self) }
                for row in sending {
                    let id = try row["id"].decode(Int64.self)
                    guard let externalID = externalIDs[id] else { throw StoreError.unavailable("claiming attempts: no attempt row for transfer \(id)") }
                    claimed.append(ClaimedAttempt(
                        transferID: id, attemptNo: Int(try row["attempts"].decode(Int64.self)) + 1,
                        roundAttempt: Int(try row["round_attempts"].decode(Int64.self)) + 1,
                        externalID: externalID, partnerReferenceNo: try row["partner_reference_no"].decode(String.self),
                        kind: TransferKind(rawValue: try row["kind"].decode(String.self)) ?? .intrabank,
                        beneficiaryAccount: try row["beneficiary_account"].decode(String.self),
                        beneficiaryName: try row["beneficiary_name"].decode(String.self),
                        beneficiaryBankCode: try row["beneficiary_bank_code"].decode(String?.self),
                        amount: Rupiah(try row["amount"].decode(Int64.self)), remark: try row["remark"].decode(String.self),
                        batchID: try row["batch_id"].decode(String.self),
                        createdAt: Timestamp.parse(try row["created_at"].decode(String.self)),
                        service: try row["service"].decode(String?.self), paysPerson: try row["nik"].decode(String?.self) != nil))
                }
            }
            return (claimed, nil, exhaustedBatches)
        }
        let (taken, refusal) = try await transaction("claiming attempts") { connection -> ([ClaimedAttempt], String?) in
            // Batches the answers (or exhausted retries) may have finished are looked at last, just before
            // the commit: their rows stay locked for as short a time as can be, since other engines'
            // answers wait on them.
            let answered = try await self.record(connection, resolutions, now: now, completing: false)
            let (claimed, refusal, exhaustedBatches) = try await claim(connection)
            try await self.completeBatches(connection, answered.union(exhaustedBatches))
            return (claimed, refusal)
        }
        // The answers are recorded; nothing is claimed on a server that would not keep the claim.
        if let refusal { throw StoreError.refused(refusal) }
        return taken
    }

    package func record(_ resolutions: [Resolution], now: Date) async throws {
        guard !resolutions.isEmpty else { return }
        try await transaction("recording answers") { connection in
            try await self.record(connection, resolutions, now: now)
        }
    }

    /// A decision applies only while the transfer still carries that attempt's external id and is
    /// `sending` or `in_doubt`, so a late or repeated answer — or one from an engine whose transfer
    /// was taken over — can never move a transfer backwards. One statement records a whole chunk
    /// (transfers and their attempts); it locks the rows in id order first, so two engines recording
    /// together cannot deadlock on them.
    @discardableResult
    func record(_ connection: PostgresConnection, _ resolutions: [Resolution], now: Date, completing: Bool = true) async throws -> Set<String> {
        guard !resolutions.isEmpty else { return [] }
        let stamp = Timestamp.iso8601(now)
        var touched: Set<String> = []
        var holds: [(String, String)] = []
        for round in Self.rounds(of: resolutions) {
            let next = round.map { $0.holdBatch != nil ? TransferState.held.rawValue : $0.next.rawValue }
            let applied = try await rows(connection, """
                WITH v AS (
                    SELECT * FROM unnest(\(round.map(\.transferID)), \(round.map(\.externalID)), \(next),
                                         \(round.map { $0.code != nil }), \(round.map { $0.code ?? "" }),
                                         \(round.map { $0.message != nil }), \(round.map { $0.message ?? "" }),
                                         \(round.map { $0.bankReference != nil }), \(round.map { $0.bankReference ?? "" }),
                                         \(round.map { $0.nextActionAt.map(Timestamp.iso8601) ?? "" }), \(round.map(\.notFoundAnswer)),
                                         \(round.map(\.neverLeft)))
                        AS v(id, external_id, state, has_code, code, has_message, message, has_reference, reference, next_at, not_found,
                             never_left)),
                locked AS (SELECT t.id FROM transfer t WHERE t.id = ANY(\(round.map(\.transferID))) ORDER BY t.id FOR UPDATE),
                done AS (
                    UPDATE transfer t SET state = v.state,
                        last_code = CASE WHEN v.has_code THEN v.code ELSE t.last_code END,
                        last_message = CASE WHEN v.has_message THEN v.message ELSE t.last_message END,
                        bank_reference_no = CASE WHEN v.has_reference THEN v.reference ELSE t.bank_reference_no END,
                        next_action_at = nullif(v.next_at, ''),
                        settled_at = CASE WHEN v.state = 'settled' THEN \(stamp) ELSE t.settled_at END,
                        inquiries = t.inquiries + CASE WHEN t.state = 'in_doubt' THEN 1 ELSE 0 END,
                        not_found_answers = CASE WHEN v.not_found THEN t.not_found_answers + 1 ELSE 0 END,
                        round_attempts = greatest(0, t.round_attempts - CASE WHEN v.never_left THEN 1 ELSE 0 END),
                        updated_at = \(stamp)
                    FROM v, locked
                    WHERE t.id = v.id AND locked.id = t.id AND t.external_id = v.external_id AND t.state IN (\(unescaped: StoreSQL.list(EngineRules.answerable)))
                    RETURNING t.id, t.batch_id, v.external_id),
                attempts AS (
                    UPDATE transfer_attempt a SET finished_at = coalesce(a.finished_at, \(stamp)), outcome = v.state,
                        code = CASE WHEN v.has_code THEN v.code ELSE a.code END,
                        message = CASE WHEN v.has_message THEN v.message ELSE a.message END
                    FROM done JOIN v ON v.id = done.id WHERE a.external_id = done.external_id
                    RETURNING 1)
                SELECT done.id, done.batch_id, (SELECT count(*) FROM attempts) AS n FROM done
                """)
            let hold = Dictionary(round.compactMap { r in r.holdBatch.map { (r.transferID, $0) } }, uniquingKeysWith: { a, _ in a })
            for row in applied {
                // A transfer outside any batch is never claimed by the engine; nothing to follow.
                guard let batch = try row["batch_id"].decode(String?.self) else { continue }
                touched.insert(batch)
                if let reason = hold[try row["id"].decode(Int64.self)] { holds.append((batch, reason)) }
            }
        }
        for (batch, reason) in holds {
            try await holdBatch(connection, id: batch, reason: reason, actor: "salurd", strict: false)
        }
        // Unless the caller looks at them itself before its commit.
        if completing, !touched.isEmpty { try await completeBatches(connection, touched.sorted()) }
        return touched
    }

    /// The resolutions in id order, split so that no transfer appears twice in one statement (a
    /// second answer for one transfer is applied after the first, as it would be one by one).
    static func rounds(of resolutions: [Resolution]) -> [[Resolution]] {
        var rounds: [[Resolution]] = []
        var seen: [Set<Int64>] = []
        for r in resolutions.sorted(by: { $0.transferID < $1.transferID }) {
            if let index = seen.firstIndex(where: { !$0.contains(r.transferID) }) {
                rounds[index].append(r)
                seen[index].insert(r.transferID)
            } else {
                rounds.append([r])
                seen.append([r.transferID])
            }
        }
        return rounds
    }

    // MARK: Inquiries

    /// In-doubt transfers whose inquiry is due, claimed for this engine: their next time is pushed
    /// past the inquiry (twice the lease), so another engine does not ask about them meanwhile;
    /// recording the answer sets the real next time. An engine that dies holding them only delays them.
    package func dueInquiries(limit: Int, now: Date) async throws -> [InquiryTarget] {
        let hold = engineSession.state.withLock { $0.lease } * 2
        let claimedUntil = Timestamp.iso8601(now.addingTimeInterval(hold.seconds))
        let stamp = Timestamp.iso8601(now)
        return try await transaction("claiming inquiries", audited: false) { connection in
            let rows = try await self.rows(connection, """
                WITH due AS (
                    SELECT id FROM transfer WHERE state = 'in_doubt' AND (next_action_at IS NULL OR next_action_at <= \(stamp))
                    ORDER BY next_action_at NULLS FIRST, id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                UPDATE transfer t SET next_action_at = \(claimedUntil) FROM due WHERE t.id = due.id
                RETURNING t.id, t.external_id, t.partner_reference_no, t.kind, t.service, t.amount, t.beneficiary_account, t.round_attempts,
                    t.inquiries, t.not_found_answers, t.settle_from, t.ask_reason
                """)
            guard !rows.isEmpty else { return [] }
            // Each attempt's age by PostgreSQL's clock, turned into this host's clock.
            let externalIDs = try rows.compactMap { try $0["external_id"].decode(String?.self) }
            var ages: [String: Double] = [:]
            for row in try await self.rows(connection, """
                SELECT external_id, extract(epoch FROM clock_timestamp() - started_at::timestamptz)::float8 AS age
                FROM transfer_attempt WHERE external_id = ANY(\(externalIDs))
                """) {
                ages[try row["external_id"].decode(String.self)] = try row["age"].decode(Double.self)
            }
            let local = Date()
            return try rows.map { row in
                let externalID = try row["external_id"].decode(String?.self) ?? ""
                return InquiryTarget(
                    transferID: try row["id"].decode(Int64.self), externalID: externalID,
                    partnerReferenceNo: try row["partner_reference_no"].decode(String.self),
                    kind: TransferKind(rawValue: try row["kind"].decode(String.self)) ?? .intrabank,
                    amount: Rupiah(try row["amount"].decode(Int64.self)), roundAttempts: Int(try row["round_attempts"].decode(Int64.self)),
                    inquiriesSoFar: Int(try row["inquiries"].decode(Int64.self)),
                    attemptStartedAt: Self.settlePoint(attemptStarted: ages[externalID].map { local.addingTimeInterval(-$0) },
                                                       settleFrom: try row["settle_from"].decode(String?.self).flatMap(Timestamp.parse)),
                    notFoundAnswers: Int(try row["not_found_answers"].decode(Int64.self)),
                    beneficiaryAccount: try row["beneficiary_account"].decode(String.self),
                    askReason: try row["ask_reason"].decode(String?.self).flatMap(AskReason.init),
                    service: try row["service"].decode(String?.self))
            }.sorted { $0.transferID < $1.transferID }
        }
    }

    /// The later of an attempt's start and the transfer's settle point (a recovery), from which a
    /// "not found" counts.
    static func settlePoint(attemptStarted: Date?, settleFrom: Date?) -> Date? {
        switch (attemptStarted, settleFrom) {
        case let (started?, from?): return max(started, from)
        case let (started, from): return started ?? from
        }
    }

    /// The earliest retry or inquiry due — or the end of another engine's lease while it holds
    /// transfers `sending`, when they can be taken over (so an idle engine wakes for that too).
    package func nextDue() async throws -> Date? {
        let me = engineID ?? ""
        return try await withConnection("reading the next due time") { connection in
            let row = try await self.rows(connection, """
                SELECT (SELECT min(next_action_at) FROM transfer WHERE state IN (\(unescaped: StoreSQL.list(EngineRules.waitingForTime)))) AS due,
                       (SELECT extract(epoch FROM min(e.lease_until) - clock_timestamp())::float8 FROM engine e
                        WHERE e.id <> \(me) AND EXISTS (SELECT 1 FROM transfer t WHERE t.state = 'sending' AND t.claimed_by = e.id)) AS lease_left
                """).first
            let due = try row?["due"].decode(String?.self).flatMap(Timestamp.parse)
            let leaseEnds = try row?["lease_left"].decode(Double?.self).map { Date().addingTimeInterval(max(0, $0) + 0.05) }
            switch (due, leaseEnds) {
            case let (due?, ends?): return min(due, ends)
            case let (due, ends): return due ?? ends
            }
        }
    }

    package func isIdle() async throws -> Bool {
        try await withConnection("checking for work") { connection in
            let busy = try await connection.statement("""
                SELECT EXISTS (SELECT 1 FROM transfer WHERE state IN (\(unescaped: StoreSQL.list(EngineRules.keepEngineBusy))))
                    OR EXISTS (SELECT 1 FROM transfer t JOIN batch b ON b.id = t.batch_id
                               WHERE t.state = 'approved' AND b.state IN ('approved', 'posting'))
                """, logger: self.logger).first?.decode(Bool.self) ?? false
            return !busy
        }
    }

    /// Rows of changes `transfer_tally` may hold, beyond twice one per batch and state, before
    /// `queue status` folds them.
    package static let tallyFoldAfter = 1_000

    package func queueStatus(now: Date) async throws -> QueueStatus {
        try await withConnection("reading the queue") { connection in
            var transfers = Dictionary(uniqueKeysWithValues: TransferState.allCases.map { ($0.rawValue, StateTotal()) })
            // The tally the triggers keep (step v18), not the transfers.
            let tally = try await self.rows(connection, """
                SELECT state, sum(n)::bigint AS n, sum(amount)::bigint AS a, count(*) AS rows,
                       count(DISTINCT coalesce(batch_id, '')) AS groups
                FROM transfer_tally GROUP BY state
                """)
            var rows: Int64 = 0, groups: Int64 = 0
            for row in tally {
                rows += try row["rows"].decode(Int64.self)
                groups += try row["groups"].decode(Int64.self)
                guard try row["n"].decode(Int64.self) != 0 else { continue }
                transfers[try row["state"].decode(String.self)] = StateTotal(count: Int(try row["n"].decode(Int64.self)),
                                                                             amount: try row["a"].decode(Int64.self))
            }
            if rows > 2 * groups + Int64(Self.tallyFoldAfter) { try await self.foldTally(connection) }
            var batches = Dictionary(uniqueKeysWithValues: BatchState.allCases.map { ($0.rawValue, StateTotal()) })
            for row in try await self.rows(connection, """
                SELECT state, count(*) AS n, coalesce(sum(amount), 0)::bigint AS a FROM batch GROUP BY state
                """) {
                batches[try row["state"].decode(String.self)] = StateTotal(count: Int(try row["n"].decode(Int64.self)),
                                                                           amount: try row["a"].decode(Int64.self))
            }
            let ages = try await self.rows(connection, """
                SELECT (\(unescaped: StoreSQL.oldestWaitingCreatedAt)) AS pending,
                       (SELECT min(updated_at) FROM transfer WHERE state = 'in_doubt') AS in_doubt
                """).first
            func age(_ column: String) throws -> Int? {
                guard let text = try ages?[column].decode(String?.self), let then = Timestamp.parse(text) else { return nil }
                return max(0, Int(now.timeIntervalSince(then)))
            }
            return QueueStatus(transfers: transfers, batches: batches, oldestPendingAgeSeconds: try age("pending"),
                               oldestInDoubtAgeSeconds: try age("in_doubt"))
        }
    }

    /// Folds `transfer_tally`'s rows of changes into one row per batch and state, in one statement: rows other
    /// engines add meanwhile are not among those it sees, so they stay. One folder at a time; another
    /// finding the lock taken leaves the folding to it.
    func foldTally(_ connection: PostgresConnection) async throws {
        try await execute(connection, "BEGIN")
        do {
            let locked = try await connection.statement("SELECT pg_try_advisory_xact_lock(\(LockKey.tally.rawValue))", logger: logger)
                .first?.decode(Bool.self) ?? false
            if locked {
                try await execute(connection, """
                    WITH folded AS (DELETE FROM transfer_tally RETURNING batch_id, state, n, amount)
                    INSERT INTO transfer_tally (batch_id, state, n, amount)
                    SELECT batch_id, state, sum(n), sum(amount) FROM folded GROUP BY batch_id, state
                    HAVING sum(n) <> 0 OR sum(amount) <> 0
                    """)
            }
            try await execute(connection, "COMMIT")
        } catch {
            _ = try? await execute(connection, "ROLLBACK")
            throw error
        }
    }

    // MARK: Batch progress

    package func batchProgress(watching ids: Set<String>) async throws -> [BatchProgress] {
        try await withConnection("reading batch progress") { connection in
            let rows = try await self.rows(connection, """
                SELECT b.id, b.state AS batch_state, b.hold_reason, t.state AS transfer_state, count(t.id) AS n
                FROM batch b LEFT JOIN transfer t ON t.batch_id = b.id
                WHERE b.state = 'posting' OR b.id = ANY(\(Array(ids)))
                GROUP BY b.id, b.state, b.hold_reason, t.state ORDER BY b.id
                """)
            var byID: [String: BatchProgress] = [:]
            var order: [String] = []
            for row in rows {
                let id = try row["id"].decode(String.self)
                if byID[id] == nil {
                    order.append(id)
                    byID[id] = BatchProgress(id: id, state: try row["batch_state"].decode(String.self),
                                             holdReason: try row["hold_reason"].decode(String?.self), transfers: [:])
                }
                if let state = try row["transfer_state"].decode(String?.self) {
                    byID[id]?.transfers[state] = Int(try row["n"].decode(Int64.self))
                }
            }
            return order.compactMap { byID[$0] }
        }
    }

    // MARK: Account checks

    package func accountsToCheck(limit: Int, recheck: AccountRecheck) async throws -> [AccountToCheck] {
        try await withConnection("listing accounts to check") { connection in
            let waiting = StoreSQL.list(AccountRecheck.waitingStates)
            let periods = try await self.rows(connection, """
                SELECT DISTINCT period FROM transfer WHERE state IN (\(unescaped: waiting)) AND recipient_id IS NOT NULL
                """).map { try $0["period"].decode(String.self) }
            var binds = PostgresBindings()
            var conditions = ["account_checked_at IS NULL"]
            if let before = recheck.dueBefore {
                binds.append(before)
                conditions.append("account_checked_at < $\(binds.count)")
            }
            for bound in recheck.bounds(periods: periods) {
                binds.append(bound.before)
                binds.append(bound.period)
                conditions.append("""
                    (account_checked_at < $\(binds.count - 1) AND id IN (SELECT recipient_id FROM transfer
                        WHERE state IN (\(waiting)) AND period = $\(binds.count) AND recipient_id IS NOT NULL))
                    """)
            }
            binds.append(Int64(limit))
            let query = PostgresQuery(unsafeSQL: """
                SELECT id, account_no, name, account_checked_at FROM recipient
                WHERE opening_state = 'opened' AND (\(conditions.joined(separator: " OR "))) ORDER BY id LIMIT $\(binds.count)
                """, binds: binds)
            return try await self.rows(connection, query).map {
                AccountToCheck(recipientID: try $0["id"].decode(Int64.self), accountNo: try $0["account_no"].decode(String.self),
                               name: try $0["name"].decode(String.self), checkedAt: try $0["account_checked_at"].decode(String?.self))
            }
        }
    }

    package func recordAccountChecks(_ checks: [AccountCheckResult], now: Date) async throws {
        guard !checks.isEmpty else { return }
        let stamp = Timestamp.iso8601(now)
        // In recipient order; of two answers about one account in one list, the first stays.
        var seen: Set<Int64> = []
        let results = checks.sorted(by: { $0.account.recipientID < $1.account.recipientID })
            .filter { seen.insert($0.account.recipientID).inserted }
        try await transaction("recording account checks") { connection in
            // Two engines may check one account at once: the first answer stays, and is audited once.
            // One statement stores every answer (rows locked in id order first); one reads the
            // transfers waiting on those accounts.
            let ids = results.map(\.account.recipientID)
            let updated = try await self.rows(connection, """
                WITH v AS (
                    SELECT * FROM unnest(\(ids)::bigint[], \(results.map(\.check.rawValue))::text[],
                                         \(results.map { $0.bankName ?? "" })::text[], \(results.map { $0.bankName != nil })::bool[],
                                         \(results.map { $0.bankStatus ?? "" })::text[], \(results.map { $0.bankStatus != nil })::bool[],
                                         \(results.map { $0.account.checkedAt ?? "" })::text[], \(results.map { $0.account.checkedAt != nil })::bool[])
                        AS v(id, account_check, name, has_name, status, has_status, prior, has_prior)),
                locked AS (SELECT r.id FROM recipient r WHERE r.id = ANY(\(ids)::bigint[]) ORDER BY r.id FOR UPDATE)
                UPDATE recipient r SET account_check = v.account_check, account_checked_at = \(stamp),
                    bank_account_name = CASE WHEN v.has_name THEN v.name END, bank_account_status = CASE WHEN v.has_status THEN v.status END
                FROM v, locked
                WHERE r.id = v.id AND locked.id = r.id
                  AND r.account_checked_at IS NOT DISTINCT FROM (CASE WHEN v.has_prior THEN v.prior END)
                RETURNING r.id, r.nik
                """)
            var niks: [Int64: String] = [:]
            for row in updated { niks[try row["id"].decode(Int64.self)] = try row["nik"].decode(String.self) }
            guard !niks.isEmpty else { return }
            var queued: [Int64: [PostgresRandomAccessRow]] = [:]
            for row in try await self.rows(connection, """
                SELECT t.id, t.recipient_id, t.state, t.batch_id, t.hold_reason, b.state AS batch_state
                FROM transfer t LEFT JOIN batch b ON b.id = t.batch_id
                WHERE t.recipient_id = ANY(\(Array(niks.keys))::bigint[]) AND t.state IN (\(unescaped: StoreSQL.list(AccountHold.movable)))
                ORDER BY t.id FOR UPDATE OF t
                """) {
                queued[try row["recipient_id"].decode(Int64.self), default: []].append(row)
            }
            var touched: Set<String> = []
            for result in results {
                guard let nik = niks[result.account.recipientID] else { continue }
                if !result.check.payable {
                    try await self.audit(connection, actor: "salurd", action: "account.check", subject: nik,
                                         details: AccountHold.checkDetails(result))
                }
                touched.formUnion(try await self.applyAccountHold(connection, queued[result.account.recipientID] ?? [], nik: nik,
                                                                  hold: AccountHold(result, checkedAt: stamp), now: stamp))
            }
            try await self.completeBatches(connection, touched)
        }
    }

    /// Holds (or releases) the not-yet-sent transfers to one recipient (`queued`, locked) after a
    /// check; returns their batches.
    private func applyAccountHold(_ connection: PostgresConnection, _ queued: [PostgresRandomAccessRow], nik: String, hold: AccountHold?,
                                  now: String) async throws -> Set<String> {
        var batches: Set<String> = []
        for row in queued {
            let id = try row["id"].decode(Int64.self)
            let state = TransferState(rawValue: try row["state"].decode(String.self)) ?? .held
            let move = AccountHold.move(from: state, heldForAccount: try row["hold_reason"].decode(String?.self) != nil,
                                        batchState: try row["batch_state"].decode(String?.self).flatMap(BatchState.init), hold: hold)
            guard let move else { continue }
            try await execute(connection, """
                UPDATE transfer SET state = \(move.state.rawValue), hold_reason = \(move.holdReason), next_action_at = NULL,
                    updated_at = \(now) WHERE id = \(id)
                """)
            let entry = AccountHold.audit(move, nik: nik, hold: hold)
            try await audit(connection, actor: "salurd", action: entry.action, subject: String(id), details: entry.details)
            if let batch = try row["batch_id"].decode(String?.self) { batches.insert(batch) }
        }
        return batches
    }

    package func recheckAccounts(niks: [String], actor: String) async throws -> Int {
        try await transaction("asking for account re-checks") { connection in
            var count = 0
            for nik in niks {
                guard let row = try await self.rows(connection, """
                    SELECT id, opening_state, account_check FROM recipient WHERE nik = \(nik) FOR UPDATE
                    """).first else {
                    throw StoreError.notFound("recipient with NIK \(nik)")
                }
                let opening = try row["opening_state"].decode(String.self)
                guard opening == "opened" else {
                    throw StoreError.refused("recipient \(nik) has no opened account (state \(opening)); nothing to check")
                }
                try await self.execute(connection, """
                    UPDATE recipient SET account_checked_at = NULL WHERE id = \(try row["id"].decode(Int64.self))
                    """)
                try await self.audit(connection, actor: actor, action: "account.recheck", subject: nik,
                                     details: ["was": try row["account_check"].decode(String?.self) ?? "unchecked"])
                count += 1
            }
            return count
        }
    }

    // MARK: Wake-ups

    /// Listens on `salur_work` on a pooled connection of its own and calls `wake` for every
    /// notification, until cancelled or the connection fails (the caller listens again).
    package func listenForWork(_ wake: @escaping @Sendable () -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.listen(on: Self.workChannel) { notifications in
                wake()  // anything approved while nobody listened is picked up now
                for try await _ in notifications { wake() }
            }
        }
    }
}

/// This process's engine: its id, its lease, and what a renewal needs.
final class EngineSession: Sendable {
    struct State {
        var id: String?
        var pid = 0
        var host = ""
        var version = ""
        var lease: Duration = .seconds(30)
        var node: String? = EngineSession.node
        /// The lease ran out and this process is not registered again yet.
        var lapsed = false
        /// When the lease as last renewed ends, by this process's monotonic clock: the renewal's start
        /// plus the lease, never later than PostgreSQL's `lease_until`.
        var validUntil: ContinuousClock.Instant?
        /// What a claim's commit waits for.
        var durability: ClaimDurability = .on
        /// The connection the lease is renewed on, outside the pool.
        var leaseConnection: PostgresConnection?
    }

    let state = Mutex(State())

    /// This kernel's boot and PID namespace (`boot_id/pid:[inode]`): engines with the same node see
    /// the same PIDs, so one whose PID no longer exists has ended. Nil where /proc does not tell.
    static let node: String? = {
        guard let boot = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines), !boot.isEmpty,
              let namespace = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid") else { return nil }
        return boot + "/" + namespace
    }()

    /// True only when the kernel says no such process exists (ESRCH); a process of another user
    /// (EPERM) or a reused PID counts as alive.
    static func processEnded(pid: Int64) -> Bool {
        guard pid > 0, pid <= Int64(Int32.max) else { return false }
        return kill(pid_t(pid), 0) == -1 && errno == ESRCH
    }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension PostgresLedger: EngineLedger {}
