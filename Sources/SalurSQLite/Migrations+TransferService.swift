import GRDB
import SalurStore

extension Migrations {
    /// The SNAP service a transfer is queued for (`TransferService`, `[bank.routing]`); NULL for
    /// transfers queued before: their kind's service, 17 or 18.
    static func registerTransferService(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(SchemaStep.v12) { db in
            try db.execute(sql: "ALTER TABLE transfer ADD COLUMN service TEXT")
        }
    }
}
