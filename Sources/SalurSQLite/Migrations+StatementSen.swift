import GRDB
import SalurStore

extension Migrations {
    /// Statements in sen, and the bank's own items.
    ///
    /// Every amount column of `statement` and `statement_entry` keeps its whole rupiah (truncated
    /// toward zero), and a `_sen_part` column beside it the sen beyond them (with the amount's sign):
    /// the exact amount is `whole × 100 + sen_part`. Statements stored before carry no sen, so the
    /// default 0 keeps them exactly what they were. Each entry keeps the bank's transaction code
    /// (MT940 `:61:` type, camt.053 `BkTxCd`) and the bank item it was classified as (NULL: none).
    static func registerStatementSen(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(SchemaStep.v11) { db in
            try db.execute(sql: """
                ALTER TABLE statement ADD COLUMN opening_balance_sen_part INTEGER NOT NULL DEFAULT 0
                    CHECK (opening_balance_sen_part BETWEEN -99 AND 99);
                ALTER TABLE statement ADD COLUMN closing_balance_sen_part INTEGER NOT NULL DEFAULT 0
                    CHECK (closing_balance_sen_part BETWEEN -99 AND 99);
                ALTER TABLE statement ADD COLUMN debit_total_sen_part INTEGER NOT NULL DEFAULT 0 CHECK (debit_total_sen_part BETWEEN 0 AND 99);
                ALTER TABLE statement ADD COLUMN credit_total_sen_part INTEGER NOT NULL DEFAULT 0 CHECK (credit_total_sen_part BETWEEN 0 AND 99);
                ALTER TABLE statement ADD COLUMN opening_derived_from TEXT;
                ALTER TABLE statement_entry ADD COLUMN amount_sen_part INTEGER NOT NULL DEFAULT 0 CHECK (amount_sen_part BETWEEN 0 AND 99);
                ALTER TABLE statement_entry ADD COLUMN transaction_code TEXT NOT NULL DEFAULT '';
                ALTER TABLE statement_entry ADD COLUMN bank_item TEXT
                    CHECK (bank_item IN ('interest', 'interest_tax', 'account_fee', 'transfer_fee'));
                """)
        }
    }
}
