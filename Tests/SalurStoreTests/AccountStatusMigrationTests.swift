import Foundation
import GRDB
@testable import SalurSQLite
import Testing
@testable import SalurCore
@testable import SalurStore

/// Migration v7: the account check gains `unrecognised` (a status wording Salur does not know), the
/// bank's own wording is kept, and a transfer can carry its own hold reason.
@Suite("Account status migration (v7)")
struct AccountStatusMigrationTests {
    @Test("a v6 file keeps every account check through v7, which accepts 'unrecognised' and still refuses anything else")
    func keepsChecks() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        let old = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(old, upTo: "v6 recipients loaded in bulk, opening tally")
        let stamp = "2026-01-05T08:00:00.000Z"
        try old.write { db in
            try db.execute(sql: """
                INSERT INTO recipient (id, nik, name, program, district, phone, opening_state, account_no, rejection_reason,
                                       created_at, updated_at, account_check, account_checked_at, bank_account_name)
                VALUES (3, '\(Fixture.yohanes)', 'Yohanes Ndun', 'BANSOS-NT', 'Oebobo', '081237000001', 'opened', '001100000001', NULL,
                        '\(stamp)', '\(stamp)', 'inactive', '\(stamp)', 'YOHANES NDUN'),
                       (4, '\(Fixture.maria)', 'Maria Bunga', 'BANSOS-NT', 'Alak', '081237000002', 'opened', '001100000002', NULL,
                        '\(stamp)', '\(stamp)', 'name_mismatch', '\(stamp)', 'MARIA B'),
                       (5, '\(Fixture.petrus)', 'Petrus Lay', 'PKH', 'Maulafa', '081237000003', 'opened', '001100000003', NULL,
                        '\(stamp)', '\(stamp)', NULL, NULL, NULL);
                """)
        }
        try old.close()

        let ledger = try SQLiteLedger(path: path)
        try ledger.pool.write { db in
            let checks = try Row.fetchAll(db, sql: "SELECT id, account_check, account_checked_at, bank_account_name FROM recipient ORDER BY id")
                .map { "\($0["id"] as Int64) \($0["account_check"] as String? ?? "-") \($0["bank_account_name"] as String? ?? "-")" }
            #expect(checks == ["3 inactive YOHANES NDUN", "4 name_mismatch MARIA B", "5 - -"])
            try db.execute(sql: "UPDATE recipient SET account_check = 'unrecognised', bank_account_status = 'Status 9' WHERE id = 5")
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE recipient SET account_check = 'bogus' WHERE id = 5") }
            #expect(try db.columns(in: "transfer").contains { $0.name == "hold_reason" })
            #expect(try db.columns(in: "recipient").contains { $0.name == "account_check_v6" } == false)
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
        }
    }
}
