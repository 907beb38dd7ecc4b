import GRDB
import SalurStore

extension Migrations {
    /// Statement files stored whole, and the basis of the last reconciliation run (see
    /// `ReconciliationBasis`): triggers mark it as soon as a transfer's state, settlement time,
    /// references, account or amount changes, or a transfer is deleted.
    static func registerReconciliationBasis(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(SchemaStep.v14) { db in
            try db.execute(sql: ReconciliationBasis.tablesSQL)
            let columns = ReconciliationBasis.transferColumns
            try db.execute(sql: """
                CREATE TRIGGER transfer_reconciliation_update AFTER UPDATE OF \(columns.joined(separator: ", ")) ON transfer
                WHEN \(columns.map { "old.\($0) IS NOT new.\($0)" }.joined(separator: " OR "))
                BEGIN \(ReconciliationBasis.markSQL); END;
                CREATE TRIGGER transfer_reconciliation_delete AFTER DELETE ON transfer
                BEGIN \(ReconciliationBasis.markSQL); END;
                """)
        }
    }
}
