import Foundation
import GRDB
package import SalurCore
package import SalurStore

/// The send mark and restore recovery on SQLite (`RestoreRecovery` decides what they do).
extension SQLiteLedger {
    package func sendMarkStatus() async throws -> SendMarkStatus {
        try await readAsync { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM send_mark WHERE id = 1") else { return SendMarkStatus(claims: 0) }
            return SendMarkStatus(claims: row["claims"], recoveredAt: row["recovered_at"], recoveredTransfers: row["recovered_transfers"],
                                  recoveredBy: row["recovered_by"], recoveredReason: row["recovered_reason"])
        }
    }

    package func recoverFromRestore(_ request: RestoreRecoveryRequest) async throws -> Int {
        try await writeAsync { db in
            let stamp = SQLiteLedger.timestamp(request.now)
            _ = try SQLiteLedger.formBatches(db, rules: request.rules, actor: request.actor, at: request.now)
            let open = RestoreRecovery.openStates.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            try SQLiteLedger.finishInterruptedAttempts(db, at: stamp)
            try db.execute(sql: """
                UPDATE transfer SET state = 'in_doubt', external_id = coalesce(external_id, ? || id), next_action_at = ?,
                    not_found_answers = 0, settle_from = ?, last_message = ?, updated_at = ?
                WHERE state IN (\(open))
                """, arguments: [RestoreRecovery.standInExternalIDPrefix, stamp, stamp,
                                 RestoreRecovery.message(reason: request.reason), stamp])
            let count = db.changesCount
            try db.execute(sql: """
                UPDATE send_mark SET claims = max(claims, ?), requests = requests + \(RestoreRecovery.requestIDJump), recovered_at = ?, recovered_transfers = ?, recovered_by = ?,
                    recovered_reason = ? WHERE id = 1
                """, arguments: [request.markAtLeast, stamp, count, request.actor, request.reason])
            let entry = RestoreRecovery.audit(request, count: count)
            try SQLiteLedger.audit(db, actor: request.actor, action: entry.action, subject: entry.subject, details: entry.details)
            return count
        }
    }
}
