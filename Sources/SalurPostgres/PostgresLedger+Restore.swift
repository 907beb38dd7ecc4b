import Foundation
import PostgresNIO
package import SalurCore
package import SalurStore

/// The send mark and restore recovery on PostgreSQL (`RestoreRecovery` decides what they do).
extension PostgresLedger {
    package func sendMarkStatus() async throws -> SendMarkStatus {
        try await withConnection("reading the send mark") { connection in
            guard let row = try await self.rows(connection, """
                SELECT claims, recovered_at, recovered_transfers, recovered_by, recovered_reason FROM send_mark WHERE id = 1
                """).first else { return SendMarkStatus(claims: 0) }
            return SendMarkStatus(claims: try row["claims"].decode(Int64.self), recoveredAt: try row["recovered_at"].decode(String?.self),
                                  recoveredTransfers: try row["recovered_transfers"].decode(Int64?.self),
                                  recoveredBy: try row["recovered_by"].decode(String?.self),
                                  recoveredReason: try row["recovered_reason"].decode(String?.self))
        }
    }

    package func recoverFromRestore(_ request: RestoreRecoveryRequest) async throws -> Int {
        let stamp = Timestamp.iso8601(request.now)
        let open = RestoreRecovery.openStates.map(\.rawValue)
        return try await transaction("recovering from a restore") { connection in
            _ = try await self.formBatches(connection, rules: request.rules, actor: request.actor)
            try await self.execute(connection, """
                UPDATE transfer_attempt SET outcome = 'interrupted', finished_at = \(stamp)
                WHERE finished_at IS NULL AND transfer_id IN (SELECT id FROM transfer WHERE state = 'sending')
                """)
            let count = try await self.rows(connection, """
                UPDATE transfer SET state = 'in_doubt', external_id = coalesce(external_id, \(RestoreRecovery.standInExternalIDPrefix) || id),
                    next_action_at = \(stamp), not_found_answers = 0, settle_from = \(stamp), claimed_by = NULL,
                    last_message = \(RestoreRecovery.message(reason: request.reason)), updated_at = \(stamp)
                WHERE state = ANY(\(open)) RETURNING 1
                """).count
            try await self.execute(connection, """
                UPDATE send_mark SET claims = greatest(claims, \(request.markAtLeast)), requests = requests + \(RestoreRecovery.requestIDJump),
                    recovered_at = \(stamp),
                    recovered_transfers = \(Int64(count)), recovered_by = \(request.actor), recovered_reason = \(request.reason) WHERE id = 1
                """)
            let entry = RestoreRecovery.audit(request, count: count)
            try await self.audit(connection, actor: request.actor, action: entry.action, subject: entry.subject, details: entry.details)
            return count
        }
    }
}
