import Foundation
import GRDB
import SalurSQLite
import SalurStore
import Testing

/// The SQLite store lets SQLite's own busy error through on the engine's writes; the backend-neutral
/// `StoreError` reads it through `StoreDriverError`, which SalurSQLite gives GRDB's error.
@Suite("StoreError reads SQLite's own errors")
struct StoreDriverErrorTests {
    @Test("SQLite's busy error, raised by a real second writer, is busy and transient; a full disk is not transient; a constraint failure is neither")
    func rawErrors() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        let holder = try DatabaseQueue(path: path)
        try holder.write { db in try db.execute(sql: "CREATE TABLE t (x)") }
        // Another connection holds the write lock until released, then rolls back.
        let held = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        Thread {
            _ = try? holder.write { db -> Void in
                try db.execute(sql: "INSERT INTO t VALUES (0)")
                held.signal()
                release.wait()
                throw CancellationError()
            }
        }.start()
        held.wait()
        defer { release.signal() }
        let other = try DatabaseQueue(path: path)
        var busy: (any Error)?
        do {
            try other.write { db in try db.execute(sql: "INSERT INTO t VALUES (1)") }
        } catch {
            busy = error
        }
        let error = try #require(busy)
        #expect(error is DatabaseError)
        #expect(StoreError.isBusy(error))
        #expect(StoreError.isTransient(error))
        #expect(!StoreError.isDiskFull(error))

        let full = DatabaseError(resultCode: .SQLITE_FULL)
        #expect(StoreError.isDiskFull(full))
        #expect(!StoreError.isTransient(full))
        let constraint = DatabaseError(resultCode: .SQLITE_CONSTRAINT)
        #expect(!StoreError.isBusy(constraint))
        #expect(!StoreError.isDiskFull(constraint))
        #expect(!StoreError.isTransient(constraint))
    }
}
