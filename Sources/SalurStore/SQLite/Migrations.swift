import GRDB

/// The schema, as named steps. A step, once released, is never edited: change the schema by adding one.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 recipients, account openings, audit log") { db in
            try db.execute(sql: """
                CREATE TABLE recipient (
                    id INTEGER PRIMARY KEY,
                    nik TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    program TEXT NOT NULL,
                    district TEXT NOT NULL,
                    phone TEXT NOT NULL,
                    opening_state TEXT NOT NULL
                        CHECK (opening_state IN ('not_requested', 'requested', 'opened', 'rejected')),
                    account_no TEXT UNIQUE,
                    rejection_reason TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    CHECK ((opening_state = 'opened') = (account_no IS NOT NULL)),
                    CHECK ((opening_state = 'rejected') = (rejection_reason IS NOT NULL))
                );
                CREATE INDEX recipient_opening ON recipient (opening_state, rejection_reason);

                CREATE TABLE audit_log (
                    seq INTEGER PRIMARY KEY,
                    at TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    details TEXT NOT NULL,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                """)
        }
        return migrator
    }
}
