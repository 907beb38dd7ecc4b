import Foundation
package import GRDB
import GRDBSQLite
package import SalurCore
import SalurStore

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
    /// How the engine's calls reach the database.
    package let execution: Execution
    /// Where new partner references are drawn from.
    package let random: RandomSource

    /// How the engine's (async) calls reach the database.
    package enum Execution: Sendable {
        /// On GRDB's own queues, awaited: the caller's thread is free meanwhile (salurd, salurctl).
        case pooled
        /// On the caller's thread, start to end, before the call returns: `salur-sim`, whose scheduler
        /// must see every step of the engine happen on its own executor, in its own order.
        case inline
    }

    /// How a ledger opens its file.
    package enum Access: Sendable {
        /// Creates the file (and its folder) when missing, then migrates it: salurd, imports, enqueueing, `db migrate`.
        case create
        /// The file must exist; read and written, migrated.
        case existing
        /// The file must exist; opened read-only, so nothing is written, not even a schema step: the
        /// read commands, which then work for a user who may only read the file.
        case readOnly
    }

    /// Opens the database at `path` (creating it if needed and `access` allows) and migrates it.
    /// Refuses a database written by a newer schema than this binary knows.
    ///
    /// A file it creates is 0600, or 0660 when its folder is shared with a group (setgid or group-
    /// writable, as `/var/lib/salur` is for the operators' group), whatever the process umask; SQLite
    /// gives the `-wal` and `-shm` files the database file's mode. Those two are kept after the last
    /// connection closes (emptied), so that a user who may only read can still open the file.
    package init(path: String, busyTimeout: Double = 5, migrate: Bool = true, access: Access = .create,
                 clock: WallClock = .system, execution: Execution = .pooled, random: RandomSource = .system) throws {
        self.path = path
        self.clock = clock
        self.execution = execution
        self.random = random
        try DatabaseFile.prepare(path, create: access == .create, readOnly: access == .readOnly)
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "salur"
        configuration.readonly = access == .readOnly
        configuration.prepareDatabase { db in
            var persist: Int32 = 1
            _ = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            if access != .readOnly {
                try pool.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA synchronous = FULL")
                    // A kept -wal file is emptied when the last connection closes.
                    try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
                }
            }
            let migrator = Migrations.migrator
            try pool.read { db in
                if try migrator.hasBeenSuperseded(db) {
                    throw StoreError.newerSchema("it has migrations this binary does not know")
                }
                if access == .readOnly, try !migrator.hasCompletedMigrations(db) {
                    throw StoreError.unusable(path: path, reason: """
                        it lacks schema steps this salurctl needs, and a read-only command does not apply them; \
                        run `salurctl db migrate` (or start salurd) first
                        """)
                }
            }
            if migrate, access != .readOnly { try migrator.migrate(pool) }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw SQLiteLedger.translate(error, path: path, readOnly: access == .readOnly)
        }
    }

    /// The writer connection's `PRAGMA synchronous` (2 = FULL).
    package func synchronousMode() throws -> Int {
        try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// Runs `body` in one IMMEDIATE write transaction, mapping SQLite's busy errors to `StoreError.busy`
    /// and a full disk to `StoreError.diskFull` (the transaction is rolled back: nothing changed).
    func write<T>(_ what: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(body)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            throw StoreError.busy(what)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            throw StoreError.diskFull(path: path)
        }
    }

    /// The engine's writes (awaited, off the caller's thread): one transaction, a full disk mapped to
    /// `StoreError.diskFull` as `write` maps it; busy errors stay SQLite's own, which the engine's pass
    /// reads as transient (`StoreError.isTransient`).
    func writeAsync<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            switch execution {
            case .pooled: return try await pool.write(body)
            case .inline: return try writeInline(body)
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            throw StoreError.diskFull(path: path)
        }
    }

    /// The engine's reads: on a snapshot, awaited (or inline, see `Execution`).
    func readAsync<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        switch execution {
        case .pooled: return try await pool.read(body)
        case .inline: return try readInline(body)
        }
    }

    private func writeInline<T>(_ body: (Database) throws -> T) throws -> T { try pool.write(body) }
    private func readInline<T>(_ body: (Database) throws -> T) throws -> T { try pool.read(body) }

    /// Closes every connection: a later call fails. What was committed stays in the file.
    package func close() throws {
        try pool.close()
    }

    /// Copies the database, as committed now, to a new file at `path` (SQLite's online backup).
    package func backup(to path: String) throws {
        let copy = try DatabaseQueue(path: path)
        try pool.backup(to: copy)
        try copy.close()
    }

    /// Runs `body` on a read snapshot.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            throw StoreError.busy("reading")
        }
    }

    static func translate(_ error: DatabaseError, path: String, readOnly: Bool = false) -> any Error {
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: StoreError.busy("opening \(path)")
        case .SQLITE_FULL: StoreError.diskFull(path: path)
        case .SQLITE_CANTOPEN where readOnly, .SQLITE_READONLY where readOnly:
            StoreError.unusable(path: path, reason: """
                \(error.message ?? "\(error.resultCode)"); reading it needs its -wal and -shm files beside it, or a \
                folder you may write to (they appear once salurd or a salurctl that writes has opened it)
                """)
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
