import Foundation
import GRDB
import Testing

/// `salurctl accounts recheck NIK…`: the operator's way to have the engine ask the bank again about
/// an account whose payments are held.
@Suite("salurctl accounts recheck", .timeLimit(.minutes(5)))
struct AccountRecheckCommandTests {
    func expectExit(_ result: Salurctl.Result, _ code: Int32, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == code, "\(result)", sourceLocation: sourceLocation)
    }

    @Test("an opened account is marked for a new check and audited; an unknown or unopened NIK is refused, changing nothing")
    func recheck() async throws {
        let ws = try Workspace(); defer { ws.dir.remove() }
        try ws.dir.write("recipients.csv", SalurctlTests.twoRecipients)
        expectExit(try await ws.run(["recipients", "import"], ["recipients.csv"]), 0)
        expectExit(try await ws.run(["accounts", "export-requests"], ["-o", "req.csv"]), 0)
        try ws.dir.write("results.csv", "nik,status,account_no,reason\n5371031502850001,opened,001100000001,\n")
        expectExit(try await ws.run(["accounts", "import-results"], ["results.csv"]), 0)
        // As the engine leaves it after the bank said the account was blocked.
        try await DatabaseQueue(path: ws.database).write { db in
            try db.execute(sql: """
                UPDATE recipient SET account_check = 'inactive', account_checked_at = '2026-11-23T02:00:00.000Z',
                    bank_account_status = 'Rekening tidak aktif' WHERE nik = '5371031502850001'
                """)
        }

        let refused = try await ws.run(["accounts", "recheck"], ["5371015502850002"])
        expectExit(refused, 1)
        #expect(refused.stderr.contains("recipient 5371015502850002 has no opened account"), "\(refused.stderr)")
        expectExit(try await ws.run(["accounts", "recheck"], ["5371039999990009"]), 1)

        let done = try await ws.run(["accounts", "recheck"], ["5371031502850001"])
        expectExit(done, 0)
        #expect(done.stdout.contains("1 accounts to be checked again"))
        try await DatabaseQueue(path: ws.database).read { db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT account_check, account_checked_at FROM recipient WHERE nik = '5371031502850001'"))
            #expect(row["account_check"] as String? == "inactive", "payments stay held until the new answer")
            #expect(row["account_checked_at"] as String? == nil)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_log WHERE action = 'account.recheck'") == 1)
        }
        expectExit(try await ws.run(["audit", "verify"]), 0)
    }
}
