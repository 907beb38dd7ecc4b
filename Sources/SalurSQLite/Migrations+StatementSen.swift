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
            try db.execute(sql: StoreSQL.statementSenStep(integer: "INTEGER"))
        }
    }
}
