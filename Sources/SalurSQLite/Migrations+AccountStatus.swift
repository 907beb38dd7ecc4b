import GRDB
import SalurStore

extension Migrations {
    /// The bank's own status wording kept with each account check, a check result for wordings Salur
    /// does not recognise, and a transfer's own hold reason (an account the bank reported not payable
    /// holds the transfers to it, whatever their batch does).
    ///
    /// SQLite cannot alter a CHECK: `account_check` is renamed, added anew with the wider CHECK, copied
    /// and the old column dropped (its CHECK goes with it; no index or trigger names it).
    static func registerAccountStatus(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(SchemaStep.v7) { db in
            try db.execute(sql: """
                ALTER TABLE recipient RENAME COLUMN account_check TO account_check_v6;
                ALTER TABLE recipient ADD COLUMN account_check TEXT
                    CHECK (account_check = 'active' OR account_check = 'name_mismatch' OR account_check = 'inactive'
                           OR account_check = 'unknown' OR account_check = 'unrecognised');
                UPDATE recipient SET account_check = account_check_v6 WHERE account_check_v6 IS NOT NULL;
                ALTER TABLE recipient DROP COLUMN account_check_v6;
                ALTER TABLE recipient ADD COLUMN bank_account_status TEXT;
                ALTER TABLE transfer ADD COLUMN hold_reason TEXT;
                """)
        }
    }
}
