import GRDB
import SalurStore

extension Migrations {
    /// What the bank said when the engine checked an opened account (SNAP service 15).
    static func registerAccountCheck(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(SchemaStep.v5) { db in
            try db.execute(sql: """
                ALTER TABLE recipient ADD COLUMN account_check TEXT
                    CHECK (account_check IN ('active', 'name_mismatch', 'inactive', 'unknown'));
                ALTER TABLE recipient ADD COLUMN account_checked_at TEXT;
                ALTER TABLE recipient ADD COLUMN bank_account_name TEXT;
                CREATE INDEX recipient_unchecked ON recipient (opening_state, account_checked_at);
                -- Consecutive "not found" answers about the current attempt: one is not enough to send again.
                ALTER TABLE transfer ADD COLUMN not_found_answers INTEGER NOT NULL DEFAULT 0;
                -- The engine's claim walks approved transfers in queue order without sorting them.
                CREATE INDEX transfer_claim ON transfer (state, id);
                """)
        }
    }
}
