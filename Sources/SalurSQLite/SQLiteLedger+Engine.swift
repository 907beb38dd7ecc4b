package import Foundation
import GRDB
package import SalurCore
package import SalurStore

/// What the engine asks of the store. Each call is one transaction: a state is durable before
/// the network call that depends on it.
extension SQLiteLedger {
    /// On start-up, every transfer left `sending` may or may not have reached the bank: mark it in doubt.
    package func recoverInterrupted() async throws -> Int {
        try await writeAsync { db in
            let now = self.timestamp()
            try SQLiteLedger.finishInterruptedAttempts(db, at: now)
            try db.execute(sql: """
                UPDATE transfer SET state = 'in_doubt', next_action_at = ?, settle_from = ?, last_message = 'interrupted while sending',
                    updated_at = ?
                WHERE state = 'sending'
                """, arguments: [now, now, now])
            let count = db.changesCount
            if count > 0 {
                try SQLiteLedger.audit(db, actor: "salurd", action: "engine.recover", subject: "\(count) transfers",
                                       details: ["in_doubt": String(count)])
            }
            return count
        }
    }

    /// Attempts of transfers still `sending` end as interrupted: their answer will never be recorded.
    static func finishInterruptedAttempts(_ db: Database, at stamp: String) throws {
        try db.execute(sql: """
            UPDATE transfer_attempt SET outcome = 'interrupted', finished_at = ?
            WHERE finished_at IS NULL AND transfer_id IN (SELECT id FROM transfer WHERE state = 'sending')
            """, arguments: [stamp])
    }

    /// Approved batches waiting for their balance check, with what is left to pay in each.
    package func batchesToStart() async throws -> [BatchToStart] {
        try await readAsync { db in
            try Row.fetchAll(db, sql: """
                SELECT b.id, coalesce(sum(t.amount), 0) AS remaining FROM batch b
                LEFT JOIN transfer t ON t.batch_id = b.id AND t.state IN (\(StoreSQL.list(EngineRules.toPay)))
                WHERE b.state = 'approved' GROUP BY b.id ORDER BY b.created_at, b.id
                """).map { BatchToStart(id: $0["id"], remaining: Rupiah($0["remaining"] as Int64)) }
        }
    }

    /// What batches already posting may still take from the source account.
    package func outstandingPosting() async throws -> Rupiah {
        try await readAsync { db in
            Rupiah(try Int64.fetchOne(db, sql: """
                SELECT coalesce(sum(t.amount), 0) FROM transfer t JOIN batch b ON b.id = t.batch_id
                WHERE b.state = 'posting' AND t.state IN (\(StoreSQL.list(EngineRules.mayStillTake)))
                """) ?? 0)
        }
    }

    /// Starts posting an approved batch whose balance check passed.
    package func startBatch(id: String, balance: Rupiah) async throws {
        try await writeAsync { db in
            try db.execute(sql: "UPDATE batch SET state = 'posting', updated_at = ? WHERE id = ? AND state = 'approved'",
                           arguments: [self.timestamp(), id])
            if db.changesCount == 1 {
                try SQLiteLedger.audit(db, actor: "salurd", action: "batch.post", subject: id, details: ["balance": String(balance.value)])
                try SQLiteLedger.completeBatches(db, [id])
            }
        }
    }

    /// Holds a batch on the engine's own account (e.g. the balance does not cover it).
    package func holdByEngine(id: String, reason: String) async throws {
        try await writeAsync { db in try SQLiteLedger.hold(db, id: id, reason: reason, actor: "salurd", strict: false) }
    }

    /// Commits up to `limit` new attempts as `sending` — one transaction, one fsync — and returns
    /// them. Transfers out of attempts are marked failed instead.
    package func claimAttempts(limit: Int, now: Date, maxAttempts: Int) async throws -> [ClaimedAttempt] {
        try await advance(recording: [], claiming: limit, now: now, maxAttempts: maxAttempts)
    }

    /// Records `resolutions`, then claims up to `limit` new attempts — one transaction, one fsync,
    /// so a busy engine pays one commit per chunk.
    package func advance(recording resolutions: [Resolution], claiming limit: Int, now: Date, maxAttempts: Int) async throws -> [ClaimedAttempt] {
        try await writeAsync { db in
            try SQLiteLedger.record(db, resolutions, now: now)
            guard limit > 0 else { return [] }
            let stamp = SQLiteLedger.timestamp(now)
            // Two index walks, no sort: retries that fall due first, then approved transfers in
            // queue order. (One query over both states sorted by id would sort every waiting
            // transfer on every claim.)
            // With each, what the bank last said of its recipient's account (`AccountHold` gate).
            let account = """
                r.account_check AS account_check, r.bank_account_status AS account_status, r.account_checked_at AS account_checked_at
                """
            var rows = try Row.fetchAll(db, sql: """
                SELECT t.*, \(account) FROM transfer t JOIN batch b ON b.id = t.batch_id LEFT JOIN recipient r ON r.id = t.recipient_id
                WHERE t.state = 'retry_wait' AND t.next_action_at <= ? AND b.state = 'posting'
                ORDER BY t.next_action_at LIMIT ?
                """, arguments: [stamp, limit])
            if rows.count < limit {
                rows += try Row.fetchAll(db, sql: """
                    SELECT t.*, \(account) FROM transfer t INDEXED BY transfer_claim JOIN batch b ON b.id = t.batch_id
                    LEFT JOIN recipient r ON r.id = t.recipient_id
                    WHERE t.state = 'approved' AND b.state = 'posting' ORDER BY t.id LIMIT ?
                    """, arguments: [limit - rows.count])
            }
            guard !rows.isEmpty else { return [] }
            var nextAttemptID = (try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM transfer_attempt") ?? 0) + 1
            let insertAttempt = try db.makeStatement(sql: """
                INSERT INTO transfer_attempt (id, transfer_id, attempt_no, external_id, started_at) VALUES (?, ?, ?, ?, ?)
                """)
            let markSending = try db.makeStatement(sql: """
                UPDATE transfer SET state = 'sending', attempts = attempts + 1, round_attempts = round_attempts + 1,
                    external_id = ?, next_action_at = NULL, not_found_answers = 0, hold_reason = NULL, ask_reason = NULL, updated_at = ?
                WHERE id = ?
                """)
            var claimed: [ClaimedAttempt] = []
            var exhausted: Set<String> = []
            let recheck = AccountRecheck(now: now, recheckDays: 0)
            // A transfer the bank's statement already shows debited is never sent again: it goes
            // back to in doubt, for the status inquiry and the reconciliation to settle.
            let debited = try db.makeStatement(sql: """
                SELECT 1 FROM statement_entry WHERE transfer_id = ? AND direction = 'debit' LIMIT 1
                """)
            for row in rows {
                let id: Int64 = row["id"]
                if (row["attempts"] as Int) > 0, try Bool.fetchOne(debited, arguments: [id]) != nil {
                    try db.execute(sql: """
                        UPDATE transfer SET state = 'in_doubt', next_action_at = ?, updated_at = ?,
                            last_message = 'the bank statement shows a debit for it; asking the bank instead of sending again'
                        WHERE id = ?
                        """, arguments: [stamp, stamp, id])
                    continue
                }
                // Never sent to an account the bank reported not payable: held, with the reason, for an operator.
                if let hold = AccountHold(check: (row["account_check"] as String?).flatMap(AccountCheck.init),
                                          status: row["account_status"], accountNo: row["beneficiary_account"],
                                          checkedAt: row["account_checked_at"]) {
                    try db.execute(sql: """
                        UPDATE transfer SET state = 'held', hold_reason = ?, next_action_at = NULL, updated_at = ? WHERE id = ?
                        """, arguments: [hold.reason, stamp, id])
                    try SQLiteLedger.audit(db, actor: "salurd", action: "transfer.hold", subject: String(id),
                                           details: ["nik": (row["nik"] as String?) ?? "", "reason": hold.reason])
                    continue
                }
                // A new period's payment waits for its recipient's account to be checked again (before
                // its first attempt: a retry is not held back).
                if (row["attempts"] as Int) == 0, recheck.awaitsCheck(checkedAt: row["account_checked_at"], period: row["period"]) { continue }
                if AttemptRules.isExhausted(round: row["round_attempts"] as Int, maxAttempts: maxAttempts) {
                    try db.execute(sql: """
                        UPDATE transfer SET state = 'failed', last_message = ?, next_action_at = NULL, updated_at = ? WHERE id = ?
                        """, arguments: [AttemptRules.gaveUpWaiting(after: row["round_attempts"] as Int, last: row["last_message"] as String?), stamp, id])
                    exhausted.insert(row["batch_id"])
                    continue
                }
                let attemptNo = (row["attempts"] as Int) + 1
                // X-EXTERNAL-ID: numeric, unique per day at the bank — the Jakarta date plus a sequence unique forever here.
                let externalID = ExternalID.attempt(nextAttemptID, on: now)
                try insertAttempt.execute(arguments: [nextAttemptID, id, attemptNo, externalID, stamp])
                try markSending.execute(arguments: [externalID, stamp, id])
                nextAttemptID += 1
                claimed.append(ClaimedAttempt(
                    transferID: id, attemptNo: attemptNo, roundAttempt: (row["round_attempts"] as Int) + 1, externalID: externalID, partnerReferenceNo: row["partner_reference_no"],
                    kind: TransferKind(rawValue: row["kind"]) ?? .intrabank, beneficiaryAccount: row["beneficiary_account"],
                    beneficiaryName: row["beneficiary_name"], beneficiaryBankCode: row["beneficiary_bank_code"],
                    amount: Rupiah(row["amount"] as Int64), remark: row["remark"], batchID: row["batch_id"],
                    createdAt: (row["created_at"] as String?).flatMap(Timestamp.parse), service: row["service"],
                    paysPerson: (row["nik"] as String?) != nil))
            }
            if !exhausted.isEmpty { try SQLiteLedger.completeBatches(db, exhausted) }
            // One claim more in the send mark: a restored database shows fewer than an engine has seen.
            if !claimed.isEmpty { try db.execute(sql: "UPDATE send_mark SET claims = claims + 1 WHERE id = 1") }
            return claimed
        }
    }

    /// Applies the engine's decisions for answered attempts and inquiries, in one transaction.
    /// A decision applies only while the transfer still carries that attempt's external id and is
    /// `sending` or `in_doubt`, so a late or repeated answer can never move a transfer backwards.
    package func record(_ resolutions: [Resolution], now: Date) async throws {
        guard !resolutions.isEmpty else { return }
        try await writeAsync { db in try SQLiteLedger.record(db, resolutions, now: now) }
    }

    static func record(_ db: Database, _ resolutions: [Resolution], now: Date) throws {
        guard !resolutions.isEmpty else { return }
        do {
            let stamp = SQLiteLedger.timestamp(now)
            let update = try db.makeStatement(sql: """
                UPDATE transfer SET state = ?, last_code = coalesce(?, last_code), last_message = coalesce(?, last_message),
                    bank_reference_no = coalesce(?, bank_reference_no), next_action_at = ?,
                    settled_at = CASE WHEN ? = 'settled' THEN ? ELSE settled_at END,
                    inquiries = inquiries + CASE WHEN state = 'in_doubt' THEN 1 ELSE 0 END,
                    not_found_answers = CASE WHEN ? THEN not_found_answers + 1 ELSE 0 END,
                    round_attempts = max(0, round_attempts - CASE WHEN ? THEN 1 ELSE 0 END),
                    updated_at = ?
                WHERE id = ? AND external_id = ? AND state IN (\(StoreSQL.list(EngineRules.answerable)))
                """)
            let finishAttempt = try db.makeStatement(sql: """
                UPDATE transfer_attempt SET finished_at = coalesce(finished_at, ?), outcome = ?, code = coalesce(?, code),
                    message = coalesce(?, message) WHERE external_id = ?
                """)
            var touched: Set<String> = []
            var holds: [(String, String)] = []
            for r in resolutions {
                var next = r.next
                if r.holdBatch != nil { next = .held }
                try update.execute(arguments: [next.rawValue, r.code, r.message, r.bankReference,
                                               r.nextActionAt.map { SQLiteLedger.timestamp($0) }, next.rawValue, stamp, r.notFoundAnswer, r.neverLeft, stamp,
                                               r.transferID, r.externalID])
                guard db.changesCount == 1 else { continue }
                try finishAttempt.execute(arguments: [stamp, next.rawValue, r.code, r.message, r.externalID])
                if let batch = try String.fetchOne(db, sql: "SELECT batch_id FROM transfer WHERE id = ?", arguments: [r.transferID]) {
                    touched.insert(batch)
                    if let reason = r.holdBatch { holds.append((batch, reason)) }
                }
            }
            for (batch, reason) in holds {
                try SQLiteLedger.hold(db, id: batch, reason: reason, actor: "salurd", strict: false)
            }
            try SQLiteLedger.completeBatches(db, touched)
        }
    }

    /// Transfers in doubt whose next inquiry is due.
    package func dueInquiries(limit: Int, now: Date) async throws -> [InquiryTarget] {
        try await readAsync { db in
            try Row.fetchAll(db, sql: """
                SELECT t.id, t.external_id, t.partner_reference_no, t.kind, t.service, t.amount, t.beneficiary_account, t.round_attempts,
                       t.inquiries, t.not_found_answers, t.ask_reason, nullif(max(coalesce(a.started_at, ''), coalesce(t.settle_from, '')), '') AS started_at
                FROM transfer t LEFT JOIN transfer_attempt a ON a.external_id = t.external_id
                WHERE t.state = 'in_doubt' AND (t.next_action_at IS NULL OR t.next_action_at <= ?) ORDER BY t.next_action_at, t.id LIMIT ?
                """, arguments: [SQLiteLedger.timestamp(now), limit]).map { row in
                InquiryTarget(transferID: row["id"], externalID: row["external_id"], partnerReferenceNo: row["partner_reference_no"],
                              kind: TransferKind(rawValue: row["kind"]) ?? .intrabank, amount: Rupiah(row["amount"] as Int64),
                              roundAttempts: row["round_attempts"], inquiriesSoFar: row["inquiries"],
                              attemptStartedAt: (row["started_at"] as String?).flatMap(Timestamp.parse),
                              notFoundAnswers: row["not_found_answers"], beneficiaryAccount: row["beneficiary_account"],
                              askReason: (row["ask_reason"] as String?).flatMap(AskReason.init), service: row["service"])
            }
        }
    }

    /// The earliest time any engine work falls due (a retry or an inquiry), if any.
    package func nextDue() async throws -> Date? {
        try await readAsync { db in
            try String.fetchOne(db, sql: """
                SELECT min(next_action_at) FROM transfer WHERE state IN (\(StoreSQL.list(EngineRules.waitingForTime)))
                """).flatMap(Timestamp.parse)
        }
    }

    /// True when nothing is left that the engine can move without an operator.
    package func isIdle() async throws -> Bool {
        try await readAsync { db in
            let busy = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM transfer WHERE state IN (\(StoreSQL.list(EngineRules.keepEngineBusy)))
                   OR (state = 'approved' AND batch_id IN (SELECT id FROM batch WHERE state IN ('approved', 'posting')))
                """) ?? 0
            return busy == 0
        }
    }

    /// Marks batches done when none of their transfers can still move.
    static func completeBatches<S: Sequence>(_ db: Database, _ ids: S) throws where S.Element == String {
        for id in ids {
            let open = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM transfer WHERE batch_id = ? AND state NOT IN (\(StoreSQL.list(BatchRules.finished)))
                """, arguments: [id]) ?? 0
            if open == 0 {
                try db.execute(sql: "UPDATE batch SET state = 'done', updated_at = ? WHERE id = ? AND state = 'posting'",
                               arguments: [systemTimestamp(), id])
                if db.changesCount == 1 {
                    let totals = try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM transfer WHERE batch_id = ? GROUP BY state",
                                                  arguments: [id])
                    var details: [String: String] = [:]
                    for row in totals { details[row["state"]] = String(row["n"] as Int) }
                    try audit(db, actor: "salurd", action: "batch.done", subject: id, details: details)
                }
            }
        }
    }

    // MARK: Engine lease

    /// Records this engine as the database's engine (the OS lock file enforces there is one).
    package func registerEngine(pid: Int, host: String, version: String) async throws {
        try await writeAsync { db in
            let now = self.timestamp()
            try db.execute(sql: """
                INSERT INTO engine_lease (id, pid, host, version, started_at, heartbeat_at, status) VALUES (1, ?, ?, ?, ?, ?, 'starting')
                ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, version = excluded.version,
                    started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, status = excluded.status
                """, arguments: [pid, host, version, now, now])
        }
    }

    /// The engine's heartbeat and one-line status.
    package func heartbeat(status: String) async throws {
        try await writeAsync { db in
            try db.execute(sql: "UPDATE engine_lease SET heartbeat_at = ?, status = ? WHERE id = 1",
                           arguments: [self.timestamp(), status])
        }
    }

    /// The last engine recorded in the database, if any.
    package func engineLease() throws -> EngineLease? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM engine_lease WHERE id = 1").map { row in
                EngineLease(pid: row["pid"], host: row["host"], version: row["version"], startedAt: row["started_at"],
                            heartbeatAt: row["heartbeat_at"], status: row["status"])
            }
        }
    }
}

extension SQLiteLedger {
    /// How many attempts have ever been started (a measure of the engine's progress).
    package func attemptCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM transfer_attempt") ?? 0 }
    }
}

extension SQLiteLedger: TransferLedger {}

extension SQLiteLedger {
    /// The one engine recorded in the file (the lock file next to it keeps it to one).
    package func engines() throws -> [EngineLease] {
        try engineLease().map { [$0] } ?? []
    }
}
