import GRDB
import SalurStore

extension Migrations {
    /// `reconcile status --period` from the kept figures while other months' transfers change (see
    /// `ReconciliationMarks`): row triggers mark the UTC hour of a transfer's settlement time, before
    /// and after, when one that has one is added, deleted or changes a column matching reads. A
    /// transfer without a settlement time (queueing, approving, sending) passes the triggers' `WHEN`
    /// and writes nothing; an hour marked already costs one lookup in the marks' key.
    static func registerReconciliationMarks(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(SchemaStep.v20) { db in
            try db.execute(sql: ReconciliationMarks.tablesSQL)
            func hour(_ row: String) -> String { "strftime('%Y-%m-%dT%H', \(row).settled_at)" }
            let columns = ReconciliationBasis.transferColumns
            try db.execute(sql: """
                CREATE TRIGGER transfer_reconciliation_mark_update AFTER UPDATE OF \(columns.joined(separator: ", ")) ON transfer
                WHEN (old.settled_at IS NOT NULL OR new.settled_at IS NOT NULL) AND \(ReconciliationMarks.changed(old: "old", new: "new", distinct: "IS NOT"))
                BEGIN
                    \(ReconciliationMarks.markSQL(hour: hour("old")));
                    \(ReconciliationMarks.markSQL(hour: hour("new")));
                END;
                CREATE TRIGGER transfer_reconciliation_mark_insert AFTER INSERT ON transfer WHEN new.settled_at IS NOT NULL
                BEGIN \(ReconciliationMarks.markSQL(hour: hour("new"))); END;
                CREATE TRIGGER transfer_reconciliation_mark_delete AFTER DELETE ON transfer WHEN old.settled_at IS NOT NULL
                BEGIN \(ReconciliationMarks.markSQL(hour: hour("old"))); END;
                """)
        }
    }
}
