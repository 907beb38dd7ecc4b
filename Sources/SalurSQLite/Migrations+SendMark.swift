import GRDB
import SalurStore

extension Migrations {
    /// The send mark (how many claims of attempts this database has committed, and its last restore
    /// recovery) and each transfer's settle point (the moment from which a "not found" counts, when
    /// later than its last attempt's start: a recovery at start-up or after a restore).
    static func registerSendMark(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(SchemaStep.v8) { db in
            try db.execute(sql: """
                CREATE TABLE send_mark (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    claims INTEGER NOT NULL DEFAULT 0,
                    recovered_at TEXT,
                    recovered_transfers INTEGER,
                    recovered_by TEXT,
                    recovered_reason TEXT
                );
                INSERT INTO send_mark (id, claims) VALUES (1, 0);
                ALTER TABLE transfer ADD COLUMN settle_from TEXT;
                """)
        }
    }
}
