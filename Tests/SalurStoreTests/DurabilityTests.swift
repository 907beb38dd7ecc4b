import Foundation
import GRDB
@testable import SalurSQLite
import Testing
import SalurCore
@testable import SalurStore

/// DESIGN.md §4: WAL, `synchronous = FULL` on the writer, busy errors surfaced as `StoreError.busy`.
@Suite("SQLite durability")
struct DurabilityTests {
    @Test func synchronousIsFull() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        #expect(try SQLiteLedger(path: dir.file("salur.db")).synchronousMode() == 2)
    }

    @Test func journalModeIsWAL() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        let ledger = try SQLiteLedger(path: path)
        _ = try ledger.importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester")
        let mode = try DatabaseQueue(path: path).read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func writerHeldByAnotherProcessIsBusy() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        let ledger = try SQLiteLedger(path: path, busyTimeout: 0.05)
        let other = try DatabaseQueue(path: path)
        try other.inTransaction(.immediate) { _ in
            #expect {
                _ = try ledger.importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester")
            } throws: { error in
                guard case StoreError.busy = error else { return false }
                return true
            }
            return .rollback
        }
        // Once the other writer is gone, the same import goes through.
        #expect(try ledger.importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester").added == 4)
    }

    @Test func newerSchemaIsRefused() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        _ = try SQLiteLedger(path: path)
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99 from the future')")
        }
        #expect {
            _ = try SQLiteLedger(path: path)
        } throws: { error in
            guard case StoreError.newerSchema = error else { return false }
            return true
        }
    }

    @Test func notADatabaseIsUnusable() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try SQLiteLedger(path: path)
        } throws: { error in
            guard case StoreError.unusable(let at, _) = error else { return false }
            return at == path
        }
    }
}
