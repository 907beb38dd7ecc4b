import GRDB
import SalurStore

extension Migrations {
    /// Why a transfer in doubt is asked about (`AskReason`): `retry` for a re-payment, whose
    /// "refunded", "cancelled" or "failed" answer means it may be sent (`RetryFailed`).
    static func registerRetryAsk(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(SchemaStep.v10) { db in
            try db.execute(sql: "ALTER TABLE transfer ADD COLUMN ask_reason TEXT")
        }
    }
}
