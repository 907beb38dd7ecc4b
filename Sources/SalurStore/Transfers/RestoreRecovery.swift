package import Foundation
package import SalurCore

/// What Salur does when its database may be behind what it has already sent (DESIGN §4.9): a restored
/// backup, a PostgreSQL point-in-time recovery, a failover to a standby that lost commits.
///
/// Decided here once, for both stores: pending transfers are put in batches first (so that every
/// transfer has the batch, and so the approval, it will be paid under); then every transfer that
/// is not settled, failed, cancelled or returned — whatever its state in the restored database, since
/// the bank may have booked it after the backup was taken — goes `in_doubt`, with its settle point at
/// the recovery. The engine then asks the bank about each (service 36, by its partnerReferenceNo,
/// which was fixed when the transfer was made and so is the same in the backup): booked → settled;
/// failed at the bank → failed; "not found" twice after the settle time → `retry_wait`, sent only
/// once its batch is approved and posting, as any transfer. Nothing is sent before that answer.
///
/// Transfers made after the backup are not in the restored database at all: the reconciliation of
/// the bank's statement shows their debits as `unknown_debit` exceptions (the README's restore runbook).
package enum RestoreRecovery {
    /// States a transfer may be in, in a restored database, that the bank may since have booked.
    package static let openStates: [TransferState] = [.pending, .awaitingApproval, .approved, .retryWait, .held, .sending, .inDoubt]

    /// The transfer's `last_message` after the recovery.
    package static func message(reason: String) -> String {
        "database restored (\(reason)): asking the bank before anything is sent again"
    }

    /// The stand-in external id (this + the transfer's id) that a transfer with no attempt in the
    /// restored database carries while it is asked about: it pairs the inquiry's answer with the
    /// transfer, and is never sent as X-EXTERNAL-ID (inquiries go by partnerReferenceNo).
    package static let standInExternalIDPrefix = "restore-"

    /// The audit row of a recovery that put `count` transfers in doubt.
    package static func audit(_ request: RestoreRecoveryRequest, count: Int) -> (action: String, subject: String, details: [String: String]) {
        ("database.restore-recovery", "\(count) transfers",
         ["in_doubt": String(count), "reason": request.reason, "mark": String(request.markAtLeast)])
    }

    /// How far a recovery moves the request-id counter (`send_mark.requests`) on: a restored counter
    /// would hand out again, the same day, X-EXTERNAL-IDs sent after the backup. More than any day's
    /// inquiries; a thousandth of the counter's 15 digits.
    package static let requestIDJump: Int64 = 1_000_000_000_000
}

/// Why and by whom a restore recovery runs.
package struct RestoreRecoveryRequest: Sendable {
    /// "send mark 120 behind 134" or "operator: restored from the 2026-12-01 backup".
    package var reason: String
    package var actor: String
    /// The send mark the database is to hold afterwards at least (the highest an engine saw), so that
    /// the same gap is not found again.
    package var markAtLeast: Int64
    /// How pending transfers are put in batches first.
    package var rules: BatchingRules
    package var now: Date

    package init(reason: String, actor: String, markAtLeast: Int64, rules: BatchingRules, now: Date) {
        self.reason = reason
        self.actor = actor
        self.markAtLeast = markAtLeast
        self.rules = rules
        self.now = now
    }
}

/// The database's send mark and its last restore recovery, for `daemon status` and the log.
package struct SendMarkStatus: Sendable, Equatable, Codable {
    /// How many claims of attempts this database has committed.
    package var claims: Int64
    package var recoveredAt: String?
    package var recoveredTransfers: Int64?
    package var recoveredBy: String?
    package var recoveredReason: String?

    package init(claims: Int64, recoveredAt: String? = nil, recoveredTransfers: Int64? = nil, recoveredBy: String? = nil,
                 recoveredReason: String? = nil) {
        self.claims = claims
        self.recoveredAt = recoveredAt
        self.recoveredTransfers = recoveredTransfers
        self.recoveredBy = recoveredBy
        self.recoveredReason = recoveredReason
    }
}
