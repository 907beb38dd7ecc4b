import GRDB
import GRDBSQLite

/// A prepared statement executed row after row with values bound straight through SQLite's C
/// API. Bulk imports use it: GRDB's general argument handling costs several microseconds a row,
/// more than SQLite itself spends on the insert.
struct BulkStatement {
    private let statement: Statement
    private let handle: OpaquePointer
    private let connection: OpaquePointer?

    init(_ db: Database, sql: String) throws {
        statement = try db.makeStatement(sql: sql)
        handle = statement.sqliteStatement
        connection = db.sqliteConnection
    }

    /// SQLite copies the text before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func bind(_ index: Int32, _ text: String?) {
        guard let text else { sqlite3_bind_null(handle, index); return }
        // A native string's UTF-8 bytes in place, with their length: no copy, no strlen.
        // (An empty one goes through withCString: a nil address would bind NULL.)
        let bound = text.utf8.withContiguousStorageIfAvailable { bytes -> Int32? in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(handle, index, $0, Int32(bytes.count), BulkStatement.transient)
            }
        } ?? nil
        if bound == nil { _ = text.withCString { sqlite3_bind_text(handle, index, $0, -1, BulkStatement.transient) } }
    }

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }

    /// Runs the statement with the values bound so far; returns the rows it changed.
    @discardableResult
    func step() throws -> Int {
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "SQLite error \(code)"
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
        }
        return Int(sqlite3_changes(connection))
    }
}
