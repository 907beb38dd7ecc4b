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

    /// Runs a query with the values bound so far, handing each of its rows to `body` (valid only
    /// during the call); then resets it for the next values.
    func forEachRow(_ body: (Columns) throws -> Void) throws {
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "SQLite error \(code)"
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
            }
            try body(Columns(handle: handle))
        }
    }

    /// The columns of the row a query is on, read straight from SQLite (numbered from 0).
    struct Columns {
        let handle: OpaquePointer

        func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

        func text(_ index: Int32) -> String? {
            guard let text = sqlite3_column_text(handle, index) else { return nil }
            return String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, index))), as: UTF8.self)
        }
    }

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

extension BulkStatement {
    /// Inserts `count` rows, many per statement: `head` (up to `VALUES`) followed by up to
    /// `perStatement` copies of `row`, so that the per-statement work (transaction check, halt) is
    /// paid once per chunk. `bind` binds row `index` from parameter `column + 1` on. Returns the
    /// number of rows inserted.
    static func insert(_ db: Database, _ head: String, row: String, width: Int32, count: Int, perStatement: Int = 100,
                       bind: (_ statement: BulkStatement, _ column: Int32, _ index: Int) -> Void) throws -> Int {
        var statements: [Int: BulkStatement] = [:]
        var inserted = 0
        for start in stride(from: 0, to: count, by: perStatement) {
            let chunk = start..<min(start + perStatement, count)
            if statements[chunk.count] == nil {
                statements[chunk.count] = try BulkStatement(db, sql: head + " "
                    + Array(repeating: row, count: chunk.count).joined(separator: ", "))
            }
            let statement = statements[chunk.count]!
            for (offset, index) in chunk.enumerated() { bind(statement, Int32(offset) * width, index) }
            inserted += try statement.step()
        }
        return inserted
    }
}
