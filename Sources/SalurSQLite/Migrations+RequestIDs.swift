import GRDB
import SalurStore

extension Migrations {
    /// The request counter: how many `X-EXTERNAL-ID`s for requests other than transfer attempts
    /// (status, balance and account inquiries) engines have reserved (`ExternalID.request`).
    static func registerRequestIDs(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(SchemaStep.v9) { db in
            try db.execute(sql: """
                ALTER TABLE send_mark ADD COLUMN requests INTEGER NOT NULL DEFAULT 0;
                """)
        }
    }
}
