import GRDB
import SalurStore

extension Migrations {
    /// `queue status` at a million transfers: the claim index (state, id) carries each transfer's
    /// amount too, so that counting and adding up the transfers by state reads the index alone, not
    /// the table. Same index, same count of indexes to keep up.
    static func registerQueueStatus(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(SchemaStep.v13QueueStatus) { db in
            try db.execute(sql: """
                DROP INDEX transfer_claim;
                CREATE INDEX transfer_claim ON transfer (state, id, amount);
                """)
        }
    }
}
