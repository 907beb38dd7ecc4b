import GRDB
import GRDBSQLite
package import SalurCore
package import SalurStore

extension SQLiteLedger {
    package func importRecipients(_ rows: [RecipientFile.Row], source: SourceFile, actor: String) throws -> RecipientImportSummary {
        try importRecipients(RecipientFile.Reading(rows: rows), source: ReadSource(source), actor: actor)
    }

    /// The file is read, checked and stored a window at a time, in the one write transaction:
    /// a first import appends (`appendFirstRecipients`), any other looks each row up and updates
    /// it. A NIK or account number the file gives twice is found in a temporary table of the keys
    /// seen so far, not in memory; a bad row anywhere undoes everything.
    package func importRecipients(_ file: RecipientFile.Reading, source: ReadSource, actor: String) throws -> RecipientImportSummary {
        try write("importing recipients") { db in
            let now = self.timestamp()
            let restoreCache = try SQLiteLedger.largeCache(db, rows: Int.max, mebibytes: 64)
            defer { restoreCache() }
            var summary = RecipientImportSummary()
            if try Bool.fetchOne(db, sql: StoreSQL.noRecipients) ?? false {
                summary.added = try SQLiteLedger.appendFirstRecipients(db, file, now: now)
            } else {
                summary = try SQLiteLedger.updateRecipients(db, file, path: source.path, actor: actor, now: now)
            }
            if summary.added + summary.updated > 0 {
                try SQLiteLedger.audit(db, actor: actor, action: "recipients.import", subject: source.path,
                                       details: RecipientImport.details(summary, source: source.file, rows: file.rowCount))
            }
            return summary
        }
    }

    /// An import into a table that holds recipients: each row looked up by NIK, added, updated or
    /// left as it is, in file order. The file's own issues and its duplicates refuse it first;
    /// only a file without any is refused for what the store holds (an account number another
    /// NIK holds, an update the opening state forbids), as when the file was checked whole first.
    static func updateRecipients(_ db: Database, _ file: RecipientFile.Reading, path: String, actor: String,
                                 now: String) throws -> RecipientImportSummary {
        var summary = RecipientImportSummary()
        var issues: [ImportIssue] = []
        var seen = try SeenKeys(db)
        let insert = try db.makeStatement(sql: SQLiteLedger.insertRecipientSQL)
        let find = try db.makeStatement(sql: """
            SELECT id, name, program, district, phone, opening_state, account_no, rejection_reason
            FROM recipient WHERE nik = ?
            """)
        let accountHolder = try db.makeStatement(sql: "SELECT nik FROM recipient WHERE account_no = ?")
        let update = try db.makeStatement(sql: """
            UPDATE recipient SET name = ?, program = ?, district = ?, phone = ?, opening_state = ?,
                account_no = ?, rejection_reason = ?, updated_at = ?,
                account_check = NULL, account_checked_at = NULL, bank_account_name = NULL, bank_account_status = NULL WHERE id = ?
            """)
        while let part = file.nextPart() {
            try seen.add(part.keys)
            // The file will be refused for its own issues: the store's are not looked for.
            guard !file.isRefused, !seen.found, issues.count <= ImportIssue.limit else { continue }
            for row in part.rows {
                if let account = row.accountNo,
                   let holder = try String.fetchOne(accountHolder, arguments: [account]), holder != row.nik.digits {
                    issues.append(ImportIssue(file: path, line: row.line, field: "account_no",
                                              reason: RecipientImport.accountTaken(holder: holder)))
                    continue
                }
                guard let stored = try Row.fetchOne(find, arguments: [row.nik.digits]) else {
                    try insert.execute(arguments: [row.nik.digits, row.name, row.program, row.district, row.phone,
                                                   row.accountNo == nil ? "not_requested" : "opened", row.accountNo, now, now])
                    summary.added += 1
                    continue
                }
                let current = try SQLiteLedger.opening(stored)
                let change: RecipientUpdate
                switch RecipientUpdate.of(row, name: stored["name"], program: stored["program"], district: stored["district"],
                                          phone: stored["phone"], opening: current, file: path) {
                case .refused(let issue): issues.append(issue); continue
                case .unchanged: summary.unchanged += 1; continue
                case .update(let found): change = found
                }
                if change.reopened { summary.reopened += 1 }
                let (state, account, reason) = change.next.storedColumns
                try update.execute(arguments: [row.name, row.program, row.district, row.phone, state, account, reason,
                                               now, stored["id"] as Int64])
                try SQLiteLedger.audit(db, actor: actor, action: "recipient.update", subject: row.nik.digits, details: change.changes)
                summary.updated += 1
            }
        }
        try file.finish(duplicateNIKs: seen.niks, duplicateAccounts: seen.accounts)
        if !issues.isEmpty { throw ImportFailure(issues) }
        try seen.drop()
        return summary
    }

    /// The NIKs and account numbers an import has read so far, in temporary tables (on disk, not
    /// in memory), each with the first line that gave it; and the lines that gave one again.
    struct SeenKeys {
        private let db: Database
        private let firstNIK, firstAccount: Statement
        private(set) var niks: [(line: Int, first: Int)] = []
        private(set) var accounts: [(line: Int, first: Int)] = []

        init(_ db: Database) throws {
            self.db = db
            try db.execute(sql: """
                DROP TABLE IF EXISTS temp.import_nik;
                DROP TABLE IF EXISTS temp.import_account;
                CREATE TEMP TABLE import_nik (nik INTEGER PRIMARY KEY, line INTEGER NOT NULL);
                CREATE TEMP TABLE import_account (account_no TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID;
                """)
            firstNIK = try db.makeStatement(sql: "SELECT line FROM temp.import_nik WHERE nik = ?")
            firstAccount = try db.makeStatement(sql: "SELECT line FROM temp.import_account WHERE account_no = ?")
        }

        /// Whether a key was given twice.
        var found: Bool { !niks.isEmpty || !accounts.isEmpty }

        /// Notes the keys of rows, in file order: a window's keys inserted together, each keeping
        /// the first line that gave it; only when some were there already is each looked up for
        /// the line that gave it first. (Only the first duplicates of each kind can be among the
        /// issues a refused file reports.)
        mutating func add(_ keys: [RecipientFile.Keys]) throws {
            if niks.count <= ImportIssue.limit {
                let given = keys.compactMap { key in key.nik.map { (Int64(bitPattern: $0.numericValue), key.line) } }
                let added = try BulkStatement.insert(db, "INSERT OR IGNORE INTO temp.import_nik (nik, line) VALUES", row: "(?, ?)",
                                                     width: 2, count: given.count) { statement, column, index in
                    statement.bind(column + 1, given[index].0); statement.bind(column + 2, Int64(given[index].1))
                }
                for (nik, line) in given where added < given.count && niks.count <= ImportIssue.limit {
                    if let first = try Int.fetchOne(firstNIK, arguments: [nik]), first != line { niks.append((line, first)) }
                }
            }
            if accounts.count <= ImportIssue.limit {
                let given = keys.compactMap { key in key.account.map { ($0, key.line) } }
                let added = try BulkStatement.insert(db, "INSERT OR IGNORE INTO temp.import_account (account_no, line) VALUES",
                                                     row: "(?, ?)", width: 2, count: given.count) { statement, column, index in
                    statement.bind(column + 1, given[index].0); statement.bind(column + 2, Int64(given[index].1))
                }
                for (account, line) in given where added < given.count && accounts.count <= ImportIssue.limit {
                    if let first = try Int.fetchOne(firstAccount, arguments: [account]), first != line { accounts.append((line, first)) }
                }
            }
        }

        func drop() throws {
            try db.execute(sql: "DROP TABLE temp.import_nik; DROP TABLE temp.import_account")
        }
    }

    package func exportOpeningRequests(actor: String, deliver: ([OpeningRequest]) throws -> String) throws -> Int {
        var requests: [OpeningRequest] = []
        return try exportOpeningRequests(actor: actor, pageSize: RecipientImport.requestsPerPage, page: { requests += $0 },
                                         finish: { try deliver(requests) })
    }

    /// One write transaction (no other writer can change a recipient meanwhile): the requests read
    /// through one cursor and handed over a page at a time, then every `not_requested` recipient —
    /// exactly those read — marked `requested` in one statement once `finish` has made the file.
    package func exportOpeningRequests(actor: String, pageSize: Int, page: ([OpeningRequest]) throws -> Void,
                                       finish: () throws -> String) throws -> Int {
        try write(RecipientImport.exportOperation) { db in
            // Read in row order and sorted, not walked in NIK order through its index, which would
            // fetch every row from a different page (three times slower at 1,000,000).
            let rows = try Row.fetchCursor(db, sql: """
                SELECT nik, name, district, phone FROM recipient NOT INDEXED WHERE opening_state = 'not_requested' ORDER BY nik
                """)
            let size = max(1, pageSize)
            var requests: [OpeningRequest] = []
            var count = 0
            while let row = try rows.next() {
                requests.append(OpeningRequest.make(nik: row[0], name: row[1], district: row[2], phone: row[3]))
                if requests.count == size {
                    try page(requests)
                    count += requests.count
                    requests.removeAll(keepingCapacity: true)
                }
            }
            if !requests.isEmpty {
                try page(requests)
                count += requests.count
            }
            let sha256 = try finish()
            guard count > 0 else { return 0 }
            try db.execute(sql: """
                UPDATE recipient SET opening_state = 'requested', updated_at = ? WHERE opening_state = 'not_requested'
                """, arguments: [self.timestamp()])
            try SQLiteLedger.audit(db, actor: actor, action: "accounts.export_requests",
                                   subject: RecipientImport.exportSubject(count: count),
                                   details: ["sha256": sha256, "count": String(count)])
            return count
        }
    }

    package func applyOpeningResults(_ rows: [OpeningResultFile.Row], source: SourceFile, actor: String) throws -> OpeningResultSummary {
        try applyOpeningResults(OpeningResultFile.Reading(rows: rows), source: ReadSource(source), actor: actor)
    }

    /// The file is read, checked and decided a window at a time (`OpeningResultImport`), in the
    /// one write transaction; the changes wait in a temporary table and are written together
    /// once the whole file is found good, in one statement (which also keeps the tally trigger's
    /// cost per row small).
    package func applyOpeningResults(_ file: OpeningResultFile.Reading, source: ReadSource, actor: String) throws -> OpeningResultSummary {
        let report = RowProgress.report
        return try write("applying opening results") { db in
            var progress = RowProgress.Counter(report)
            let restoreCache = try SQLiteLedger.largeCache(db, rows: Int.max, mebibytes: 64)
            defer { restoreCache() }
            var apply = OpeningResultImport(file: source.path)
            let now = self.timestamp()
            // Looked up a row at a time through SQLite's C API: GRDB's rows and arguments would
            // cost more than the lookups themselves.
            let find = try KeyLookup(db, sql: """
                SELECT id, opening_state, account_no, rejection_reason FROM recipient WHERE nik = ?
                """)
            let accountHolder = try KeyLookup(db, sql: "SELECT nik FROM recipient WHERE account_no = ?")
            var answers = try OpeningAnswers(db)
            var seen = try SeenKeys(db)
            while let part = file.nextPart() {
                try seen.add(part.keys)
                guard !apply.skips(file, duplicates: seen.found) else { continue }
                var stored: [String: OpeningResultImport.Stored] = [:]
                stored.reserveCapacity(part.rows.count)
                for row in part.rows {
                    let nik = row.nik.digits
                    let found = try find.first(nik) { row -> (Int64, String, String?, String?) in
                        (row.int64(0), row.text(1) ?? "", row.text(2), row.text(3))
                    }
                    if case let (id, state, account, reason)? = found {
                        guard let opening = AccountOpening(storedState: state, account: account, reason: reason) else {
                            throw StoreError.refused("corrupt recipient row: unknown opening state \(state)")
                        }
                        stored[nik] = (id, opening)
                    }
                }
                var holders: [String: String] = [:]
                for account in OpeningResultImport.accounts(part.rows) {
                    holders[account] = try accountHolder.first(account) { $0.text(0) } ?? nil
                }
                try answers.add(apply.decide(part.rows, stored: stored, holders: holders))
                for _ in part.rows { progress.tick() }
            }
            try apply.finish(file, duplicateNIKs: seen.niks, duplicateAccounts: seen.accounts)
            try seen.drop()
            try answers.write(now: now)
            if let details = apply.details(file, source: source) {
                try SQLiteLedger.audit(db, actor: actor, action: "accounts.import_results", subject: source.path, details: details)
            }
            return apply.summary
        }
    }

    /// A statement that looks one row up by one text key, read through SQLite's C API: no GRDB
    /// row or argument array per lookup.
    struct KeyLookup {
        private let statement: Statement

        init(_ db: Database, sql: String) throws {
            statement = try db.makeStatement(sql: sql)
        }

        /// The first row `key` finds, as `read` reads its columns; nil if none.
        func first<T>(_ key: String, _ read: (Found) -> T) throws -> T? {
            let handle = statement.sqliteStatement
            var key = key
            return try key.withUTF8 { bytes -> T? in
                // SQLite reads the key where it lies until the binding is cleared, before the closure ends.
                defer { sqlite3_reset(handle); sqlite3_clear_bindings(handle) }
                let base = UnsafeRawPointer(bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self)
                sqlite3_bind_text(handle, 1, base, Int32(bytes.count), nil)
                switch sqlite3_step(handle) {
                case SQLITE_ROW: return read(Found(handle: handle))
                case SQLITE_DONE: return nil
                case let code:
                    let message = sqlite3_errmsg(sqlite3_db_handle(handle)).map { String(cString: $0) } ?? "SQLite error \(code)"
                    throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
                }
            }
        }

        /// The columns of the row found.
        struct Found {
            let handle: OpaquePointer

            func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

            func text(_ index: Int32) -> String? {
                guard let text = sqlite3_column_text(handle, index) else { return nil }
                return String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, index))), as: UTF8.self)
            }
        }
    }

    /// The recipients' new openings an import decided, kept in a temporary table until the whole
    /// file is decided, then written together.
    struct OpeningAnswers {
        private let db: Database
        private(set) var count = 0

        init(_ db: Database) throws {
            self.db = db
            try db.execute(sql: """
                DROP TABLE IF EXISTS temp.opening_answer;
                CREATE TEMP TABLE opening_answer (id INTEGER PRIMARY KEY, state TEXT NOT NULL, account_no TEXT, reason TEXT);
                """)
        }

        mutating func add(_ answers: [OpeningResultImport.Answer]) throws {
            guard !answers.isEmpty else { return }
            count += try BulkStatement.insert(db, "INSERT INTO temp.opening_answer (id, state, account_no, reason) VALUES",
                                              row: "(?, ?, ?, ?)", width: 4, count: answers.count) { statement, column, index in
                let (state, account, reason) = answers[index].next.storedColumns
                statement.bind(column + 1, answers[index].id); statement.bind(column + 2, state)
                statement.bind(column + 3, account); statement.bind(column + 4, reason)
            }
        }

        /// Writes every answer and drops the table. Many answers are written in one pass over the
        /// recipient table in row order (left to itself, SQLite walks it in NIK order through the
        /// NIK index, and every row written lands on a different page: three times slower); a few
        /// are found by id.
        func write(now: String) throws {
            let pass = count >= 10_000 ? "NOT INDEXED" : ""
            try db.execute(sql: """
                UPDATE recipient \(pass)
                SET opening_state = a.state, account_no = a.account_no, rejection_reason = a.reason, updated_at = ?
                FROM temp.opening_answer AS a WHERE recipient.id = a.id
                """, arguments: [now])
            guard db.changesCount == count else {
                throw StoreError.refused("\(db.changesCount) of \(count) recipients took the bank's answer; nothing was applied")
            }
            try db.execute(sql: "DROP TABLE temp.opening_answer")
        }
    }

    package func openingStatus(by grouping: OpeningGrouping?) throws -> [OpeningStatus] {
        try read { db in
            // The tally the triggers keep (a few rows per programme and district), not the recipients.
            let group = grouping.map { $0 == .district ? "district" : "program" } ?? "NULL"
            let sql = """
                SELECT \(group) AS grp, opening_state, nullif(rejection_reason, '') AS rejection_reason, sum(n) AS n
                FROM recipient_tally WHERE n > 0 GROUP BY 1, 2, 3 ORDER BY 1
                """
            var fold = OpeningStatusFold(grouped: grouping != nil)
            for row in try Row.fetchAll(db, sql: sql) {
                fold.add(group: row["grp"], state: row["opening_state"], reason: row["rejection_reason"], count: row["n"])
            }
            return fold.groups
        }
    }

    package func recipients(matching filter: RecipientFilter) throws -> [StoredRecipient] {
        try read { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let state = filter.state { clauses.append("opening_state = ?"); arguments += [state.rawValue] }
            if let district = filter.district { clauses.append("district = ?"); arguments += [district] }
            if let program = filter.program { clauses.append("program = ?"); arguments += [program] }
            var sql = "SELECT * FROM recipient"
            sql += StoreSQL.where(clauses)
            sql += " ORDER BY nik"
            if let limit = filter.limit { sql += " LIMIT ?"; arguments += [limit] }
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                let nik = try NIK(validating: row["nik"])
                return StoredRecipient.make(
                    id: row["id"],
                    recipient: Recipient(nik: nik, name: row["name"], program: row["program"], district: row["district"],
                                         phone: row["phone"], opening: try SQLiteLedger.opening(row)),
                    updatedAt: row["updated_at"])
            }
        }
    }

    static let insertRecipientSQL = """
        INSERT INTO recipient (nik, name, program, district, phone, opening_state, account_no,
                               rejection_reason, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)
        """

    /// A change of many recipients touches index pages all over the file: it gets a cache big
    /// enough to keep them (the default 2 MB turns it into disk reads), `mebibytes` of them;
    /// call what this returns to restore the connection's own.
    static func largeCache(_ db: Database, rows: Int, mebibytes: Int = 256) throws -> () -> Void {
        guard rows > 10_000 else { return {} }
        let cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
        try db.execute(sql: "PRAGMA cache_size = -\(mebibytes * 1024)")
        return { try? db.execute(sql: "PRAGMA cache_size = \(cacheSize)") }
    }

    /// The opening state held in a recipient row.
    static func opening(_ row: Row) throws -> AccountOpening {
        switch row["opening_state"] as String {
        case "not_requested": return .notRequested
        case "requested": return .requested
        case "opened": return .opened(accountNo: row["account_no"])
        case "rejected": return .rejected(reason: row["rejection_reason"])
        case let other: throw StoreError.refused("corrupt recipient row: unknown opening state \(other)")
        }
    }
}
