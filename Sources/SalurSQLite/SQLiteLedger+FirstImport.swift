import GRDB
import GRDBSQLite
import SalurCore
import SalurStore

extension SQLiteLedger {
    /// A first import, into an empty recipient table: the rows are appended in file order, part
    /// after part as the file's check releases them (see `RecipientFile.Reading`), and the
    /// table's indexes and tally triggers are set aside meanwhile and rebuilt once at the end —
    /// building an index from all its keys at once is cheaper than growing it row by row. Their
    /// definitions are read back from `sqlite_master`, so this cannot drift from the migrations.
    /// The CHECKs still run on every row. All in the caller's transaction: any error undoes
    /// everything. Returns how many recipients were added.
    ///
    /// A NIK or account number given twice is found by the unique indexes as they are rebuilt.
    /// The duplicates are then named by their lines from the stored rows themselves: the ids
    /// follow the file's rows one by one, and `temp.import_line` notes the line of each id that
    /// does not follow on the line before (the first, and any after a blank line, a record of
    /// several lines or a refused row), so that nothing is held per row. A file refused for
    /// its own issues goes on being stored until its end, for the same search; the keys of its
    /// refused rows (at most `ImportIssue.limit + 1` of them) are kept in `temp.import_refused`.
    ///
    /// The tally the triggers would have kept is counted here instead, row by row as bound, and
    /// added to `recipient_tally` in one statement per group.
    ///
    /// Only the unique indexes are set aside: an index that is not unique (the partial index of
    /// opened accounts not yet checked, keyed by id) grows at its end as rows are appended, for
    /// less than building it would cost, which reads the whole table once more.
    static func appendFirstRecipients(_ db: Database, _ file: RecipientFile.Reading, now: String) throws -> Int {
        let setAside = try Row.fetchAll(db, sql: """
            SELECT type, name, sql FROM sqlite_master
            WHERE tbl_name = 'recipient' AND sql IS NOT NULL
              AND (type = 'trigger' OR (type = 'index' AND name IN (SELECT name FROM pragma_index_list('recipient') WHERE "unique")))
            ORDER BY type, name
            """).map { (type: $0["type"] as String, name: $0["name"] as String, sql: $0["sql"] as String) }
        for object in setAside { try db.execute(sql: "DROP \(object.type.uppercased()) \(object.name)") }
        try db.execute(sql: """
            DROP TABLE IF EXISTS temp.import_line;
            DROP TABLE IF EXISTS temp.import_refused;
            CREATE TEMP TABLE import_line (id INTEGER PRIMARY KEY, line INTEGER NOT NULL);
            CREATE TEMP TABLE import_refused (line INTEGER PRIMARY KEY, nik TEXT, account_no TEXT);
            """)
        let noteLine = try db.makeStatement(sql: "INSERT INTO temp.import_line (id, line) VALUES (?, ?)")
        let noteRefused = try db.makeStatement(sql: "INSERT INTO temp.import_refused (line, nik, account_no) VALUES (?, ?, ?)")

        var tally: [TallyKey: Int] = [:]
        var append = AppendStatement(db, now: now)
        var appended = 0
        // The line the next row is on if it follows the one before.
        var followingLine = -1
        var refused = 0
        while let part = file.nextPart() {
            for keys in part.refused where refused <= ImportIssue.limit {
                try noteRefused.execute(arguments: [keys.line, keys.nik?.digits, keys.account])
                refused += 1
            }
            let first = Int64(appended + 1)
            var lines: [(id: Int64, line: Int)] = []
            for (index, row) in part.rows.enumerated() {
                if row.line != followingLine { lines.append((first + Int64(index), row.line)) }
                followingLine = row.line + 1
                tally[TallyKey(program: row.program, district: row.district, state: row.accountNo == nil ? "not_requested" : "opened"),
                      default: 0] += 1
            }
            appended += try append.insert(part.rows, firstID: first)
            for (id, line) in lines { try noteLine.execute(arguments: [id, line]) }
        }
        var duplicates = file.isRefused
        if !duplicates {
            do {
                for object in setAside { try db.execute(sql: object.sql) }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                duplicates = true
            }
        }
        if duplicates {
            try file.finish(duplicateNIKs: repeats(db, of: "nik"), duplicateAccounts: repeats(db, of: "account_no"))
            throw StoreError.refused("the recipients file gives a NIK or account number twice; nothing was imported")
        }
        try file.finish()
        guard appended == file.rowCount else {
            throw StoreError.refused("\(appended) of \(file.rowCount) recipients were stored; nothing was imported")
        }
        try db.execute(sql: "DROP TABLE temp.import_line; DROP TABLE temp.import_refused")
        let add = try db.makeStatement(sql: """
            INSERT INTO recipient_tally (program, district, opening_state, rejection_reason, n) VALUES (?, ?, ?, '', ?)
            ON CONFLICT DO UPDATE SET n = n + excluded.n
            """)
        for (key, count) in tally.sorted(by: { ($0.key.program, $0.key.district, $0.key.state) < ($1.key.program, $1.key.district, $1.key.state) }) {
            try add.execute(arguments: [key.program, key.district, key.state, count])
        }
        return appended
    }

    /// Every line of a first import that gives the `column` (nik or account_no) of an earlier line,
    /// with that earlier line — the first `ImportIssue.limit + 1` by line — from the rows
    /// appended and the refused rows' keys.
    private static func repeats(_ db: Database, of column: String) throws -> [(line: Int, first: Int)] {
        try Row.fetchAll(db, sql: """
            WITH keyed (line, key) AS (
                SELECT (SELECT l.line + r.id - l.id FROM temp.import_line AS l WHERE l.id <= r.id ORDER BY l.id DESC LIMIT 1),
                       r.\(column)
                FROM recipient AS r WHERE r.\(column) IS NOT NULL
                UNION ALL
                SELECT line, \(column) FROM temp.import_refused WHERE \(column) IS NOT NULL
            )
            SELECT line, first FROM (SELECT line, min(line) OVER (PARTITION BY key) AS first FROM keyed)
            WHERE line > first ORDER BY line LIMIT \(ImportIssue.limit + 1)
            """).map { (line: $0["line"], first: $0["first"]) }
    }

    /// The rows of a first import inserted 100 to a statement, with ids given (the file's order).
    /// Each statement's text values are copied into one buffer and bound where they lie
    /// (`SQLITE_STATIC`), rather than copied by SQLite into an allocation of their own each; the
    /// time, the same on every row, is written into the statement once.
    struct AppendStatement {
        static let perStatement = 100
        private let db: Database
        private let now: String
        private var statements: [Int: Statement] = [:]
        /// The text of the rows being bound, and where each value lies in it.
        private var text: [UInt8] = []
        private var spans: [(column: Int32, start: Int, count: Int)] = []

        init(_ db: Database, now: String) {
            self.db = db
            // An ISO 8601 time: digits, '-', ':', '.', 'T', 'Z' (no quote to escape, but escaped anyway).
            self.now = "'" + String(now.flatMap { $0 == "'" ? ["'", "'"] : [$0] }) + "'"
        }

        /// Inserts `rows` with ids from `firstID` on; returns how many were inserted.
        mutating func insert(_ rows: [RecipientFile.Row], firstID: Int64) throws -> Int {
            var inserted = 0
            for start in stride(from: 0, to: rows.count, by: Self.perStatement) {
                let chunk = rows[start..<min(start + Self.perStatement, rows.count)]
                let statement = try self.statement(rows: chunk.count)
                let handle = statement.sqliteStatement
                text.removeAll(keepingCapacity: true)
                spans.removeAll(keepingCapacity: true)
                for (offset, row) in chunk.enumerated() {
                    let column = Int32(offset) * 8
                    sqlite3_bind_int64(handle, column + 1, firstID + Int64(start + offset))
                    add(row.nik.digits, column + 2); add(row.name, column + 3); add(row.program, column + 4)
                    add(row.district, column + 5); add(row.phone, column + 6)
                    add(row.accountNo == nil ? "not_requested" : "opened", column + 7)
                    if let account = row.accountNo { add(account, column + 8) } else { sqlite3_bind_null(handle, column + 8) }
                }
                inserted += try text.withUnsafeBufferPointer { buffer -> Int in
                    // SQLite reads the text where it lies until the bindings are cleared, before the buffer is let go.
                    defer { sqlite3_reset(handle); sqlite3_clear_bindings(handle) }
                    let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
                    for span in spans {
                        sqlite3_bind_text(handle, span.column, base + span.start, Int32(span.count), nil)
                    }
                    let code = sqlite3_step(handle)
                    guard code == SQLITE_DONE else {
                        let message = sqlite3_errmsg(db.sqliteConnection).map { String(cString: $0) } ?? "SQLite error \(code)"
                        throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
                    }
                    return Int(sqlite3_changes(db.sqliteConnection))
                }
            }
            return inserted
        }

        /// Copies `value` into the text being bound, to bind at `column`.
        private mutating func add(_ value: String, _ column: Int32) {
            let start = text.count
            text.append(contentsOf: value.utf8)
            // An empty value still needs an address: a zero byte, bound with length 0.
            if value.isEmpty { text.append(0) }
            spans.append((column, start, value.utf8.count))
        }

        /// The statement inserting `rows` rows, prepared once per size.
        private mutating func statement(rows: Int) throws -> Statement {
            if let statement = statements[rows] { return statement }
            let row = "(?, ?, ?, ?, ?, ?, ?, ?, NULL, \(now), \(now))"
            let statement = try db.makeStatement(sql: """
                INSERT INTO recipient (id, nik, name, program, district, phone, opening_state, account_no,
                                       rejection_reason, created_at, updated_at) VALUES
                """ + " " + Array(repeating: row, count: rows).joined(separator: ", "))
            statements[rows] = statement
            return statement
        }
    }

    /// One line of `recipient_tally` a first import adds to (no rejection reason: it opens none).
    private struct TallyKey: Hashable {
        let program: String
        let district: String
        let state: String
    }
}
