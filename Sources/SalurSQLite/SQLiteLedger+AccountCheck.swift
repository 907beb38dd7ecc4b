package import Foundation
import GRDB
import SalurCore
package import SalurStore

extension SQLiteLedger {
    /// Opened accounts never checked with the bank, or due again (`AccountRecheck`): by age, or
    /// checked before the period of a transfer to them that has not left.
    package func accountsToCheck(limit: Int, recheck: AccountRecheck) async throws -> [AccountToCheck] {
        try await readAsync { db in
            var conditions = ["account_checked_at IS NULL"]
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let before = recheck.dueBefore {
                conditions.append("account_checked_at < ?")
                arguments.append(before)
            }
            let waiting = StoreSQL.list(AccountRecheck.waitingStates)
            let periods = try String.fetchAll(db, sql: """
                SELECT DISTINCT period FROM transfer WHERE state IN (\(waiting)) AND recipient_id IS NOT NULL
                """)
            for bound in recheck.bounds(periods: periods) {
                // Not correlated: each period's recipients are read once (by the state index), not per recipient.
                conditions.append("""
                    (account_checked_at < ? AND id IN (SELECT recipient_id FROM transfer
                        WHERE state IN (\(waiting)) AND period = ? AND recipient_id IS NOT NULL))
                    """)
                arguments += [bound.before, bound.period]
            }
            arguments.append(limit)
            return try Row.fetchAll(db, sql: """
                SELECT id, account_no, name, account_checked_at FROM recipient
                WHERE opening_state = 'opened' AND (\(conditions.joined(separator: " OR "))) ORDER BY id LIMIT ?
                """, arguments: StatementArguments(arguments)).map {
                AccountToCheck(recipientID: $0["id"], accountNo: $0["account_no"], name: $0["name"], checkedAt: $0["account_checked_at"])
            }
        }
    }

    /// Stores the bank's answers. An account found not payable is audited, and the transfers queued
    /// to it that have not left are held with the reason; one found payable again releases the
    /// transfers an earlier answer held (`AccountHold`).
    package func recordAccountChecks(_ checks: [AccountCheckResult], now: Date) async throws {
        guard !checks.isEmpty else { return }
        try await writeAsync { db in
            let stamp = SQLiteLedger.timestamp(now)
            let update = try db.makeStatement(sql: """
                UPDATE recipient SET account_check = ?, account_checked_at = ?, bank_account_name = ?, bank_account_status = ?
                WHERE id = ? AND account_checked_at IS ?
                """)
            var touched: Set<String> = []
            for result in checks {
                try update.execute(arguments: [result.check.rawValue, stamp, result.bankName, result.bankStatus, result.account.recipientID,
                                               result.account.checkedAt])
                guard db.changesCount == 1 else { continue }
                let nik = try String.fetchOne(db, sql: "SELECT nik FROM recipient WHERE id = ?", arguments: [result.account.recipientID]) ?? ""
                if !result.check.payable {
                    try SQLiteLedger.audit(db, actor: "salurd", action: "account.check", subject: nik, details: AccountHold.checkDetails(result))
                }
                touched.formUnion(try SQLiteLedger.applyAccountHold(db, recipientID: result.account.recipientID, nik: nik,
                                                                    hold: AccountHold(result, checkedAt: stamp), now: stamp))
            }
            try SQLiteLedger.completeBatches(db, touched)
        }
    }

    /// Holds (or releases) the not-yet-sent transfers to one recipient after a check; returns their batches.
    static func applyAccountHold(_ db: Database, recipientID: Int64, nik: String, hold: AccountHold?, now: String) throws -> Set<String> {
        let queued = try Row.fetchAll(db, sql: """
            SELECT t.id, t.state, t.batch_id, t.hold_reason, b.state AS batch_state FROM transfer t LEFT JOIN batch b ON b.id = t.batch_id
            WHERE t.recipient_id = ? AND t.state IN (\(StoreSQL.list(AccountHold.movable)))
            """, arguments: [recipientID])
        var batches: Set<String> = []
        for row in queued {
            let state = TransferState(rawValue: row["state"]) ?? .held
            let move = AccountHold.move(from: state, heldForAccount: (row["hold_reason"] as String?) != nil,
                                        batchState: (row["batch_state"] as String?).flatMap(BatchState.init), hold: hold)
            guard let move else { continue }
            try db.execute(sql: "UPDATE transfer SET state = ?, hold_reason = ?, next_action_at = NULL, updated_at = ? WHERE id = ?",
                           arguments: [move.state.rawValue, move.holdReason, now, row["id"] as Int64])
            let entry = AccountHold.audit(move, nik: nik, hold: hold)
            try audit(db, actor: "salurd", action: entry.action, subject: String(row["id"] as Int64), details: entry.details)
            if let batch: String = row["batch_id"] { batches.insert(batch) }
        }
        return batches
    }

    /// An operator asks the bank again about these recipients' accounts (after the bank reopened
    /// one, or after a wording was added to `[bank.account_status]`): the engine's next check decides,
    /// and releases the transfers held for the account once the bank says it is payable.
    package func recheckAccounts(niks: [String], actor: String) async throws -> Int {
        try await writeAsync { db in
            var count = 0
            for nik in niks {
                guard let row = try Row.fetchOne(db, sql: "SELECT id, opening_state, account_check FROM recipient WHERE nik = ?", arguments: [nik]) else {
                    throw StoreError.notFound("recipient with NIK \(nik)")
                }
                guard row["opening_state"] == "opened" else {
                    throw StoreError.refused("recipient \(nik) has no opened account (state \(row["opening_state"] as String)); nothing to check")
                }
                try db.execute(sql: "UPDATE recipient SET account_checked_at = NULL WHERE id = ?", arguments: [row["id"] as Int64])
                try SQLiteLedger.audit(db, actor: actor, action: "account.recheck", subject: nik,
                                       details: ["was": row["account_check"] ?? "unchecked"])
                count += 1
            }
            return count
        }
    }
}
