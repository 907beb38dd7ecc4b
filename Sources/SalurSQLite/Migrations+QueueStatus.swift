import GRDB
import SalurStore

extension Migrations {
    /// `queue status` at a million transfers: the claim index (state, id) carries each transfer's
    /// amount too, so that counting and adding up the transfers by state reads the index alone, not
    /// the table. And the transfers to one recipient found by an index, for the engine's account
    /// checks (each answer holds or releases the transfers waiting on that account), which read every
    /// waiting transfer once per chunk of answers without it.
    static func registerQueueStatus(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(SchemaStep.v15) { db in
            try db.execute(sql: """
                DROP INDEX transfer_claim;
                CREATE INDEX transfer_claim ON transfer (state, id, amount);
                CREATE INDEX transfer_recipient ON transfer (recipient_id);
                """)
        }
    }
}
