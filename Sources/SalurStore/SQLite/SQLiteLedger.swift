import Foundation
package import GRDB
package import SalurCore

/// The embedded default `Ledger`: one SQLite file in WAL mode, written through GRDB.
///
/// Durability: `PRAGMA synchronous = FULL` on the writer connection (GRDB sets NORMAL when it
/// enables WAL, which may lose the last transactions on power loss — not acceptable for money), so
/// every commit is fsynced before `write` returns. Both `salurctl` and `salurd` open the same file;
/// writers wait for each other up to the busy timeout.
package final class SQLiteLedger: Ledger {
    let pool: DatabasePool
    /// The database file.
    package let path: String
    /// The calendar time this ledger stamps records and forms ids with.
    package let clock: WallClock

    /// Opens (creating if needed) the database at `path` and migrates it.
    /// Refuses a database written by a newer schema than this binary knows.
    package init(path: String, busyTimeout: Double = 5, migrate: Bool = true, clock: WallClock = .system) throws {
        self.path = path
        self.clock = clock
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError.unusable(path: path, reason: "cannot create its folder: \(error.localizedDescription)")
            }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "salur"
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            let migrator = Migrations.migrator
            try pool.read { db in
                if try migrator.hasBeenSuperseded(db) {
                    throw StoreError.newerSchema("it has migrations this binary does not know")
                }
            }
            if migrate { try migrator.migrate(pool) }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw SQLiteLedger.translate(error, path: path)
        }
    }

    /// The writer connection's `PRAGMA synchronous` (2 = FULL).
    package func synchronousMode() throws -> Int {
        try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// Runs `body` in one IMMEDIATE write transaction, mapping SQLite's busy errors to `StoreError.busy`.
    func write<T>(_ what: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(body)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            throw StoreError.busy(what)
        }
    }

    /// Runs `body` on a read snapshot.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            throw StoreError.busy("reading")
        }
    }

    static func translate(_ error: DatabaseError, path: String) -> any Error {
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: StoreError.busy("opening \(path)")
        case .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_NOTADB, .SQLITE_CORRUPT:
            StoreError.unusable(path: path, reason: error.message ?? "\(error.resultCode)")
        default: error
        }
    }

    /// A time as stored: UTC ISO 8601 with milliseconds.
    static func timestamp(_ date: Date) -> String {
        Timestamp.iso8601(date)
    }

    /// Now by this ledger's clock, as stored.
    func timestamp() -> String { Timestamp.iso8601(clock.now) }

    /// Now by the system clock, as stored: for the audit row's own time and the few static helpers that
    /// run inside a transaction without the ledger at hand. Nothing decided from it depends on the date.
    static func systemTimestamp() -> String { Timestamp.iso8601(Date()) }
}

extension SQLiteLedger {
    /// A read-only view of the database as it is now, unaffected by later writes (WAL snapshot).
    package func snapshot() throws -> DatabaseSnapshot {
        try pool.makeSnapshot()
    }
}

extension SQLiteLedger {
    /// Names of the schema steps this binary knows, in order.
    package static var knownSteps: [String] { Migrations.migrator.migrations }

    /// The steps applied to the file, in order.
    package func appliedSteps() throws -> [String] {
        let known = Migrations.migrator.migrations
        let applied = try read { db in try Migrations.migrator.appliedIdentifiers(db) }
        return known.filter(applied.contains)
    }

    /// Applies the missing steps; returns their names.
    @discardableResult
    package func migrate() throws -> [String] {
        let before = Set(try appliedSteps())
        try Migrations.migrator.migrate(pool)
        return Self.knownSteps.filter { !before.contains($0) }
    }
}
