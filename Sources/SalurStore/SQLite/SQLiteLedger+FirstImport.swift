import GRDB
import SalurCore

extension SQLiteLedger {
    /// A first import, into an empty recipient table: the rows are appended in file order, part
    /// after part as the file's check releases them (see `RecipientFile.Reading`), and the
    /// table's indexes and tally triggers are set aside meanwhile and rebuilt once at the end —
    /// building an index from all its keys at once is cheaper than growing it row by row. Their
    /// definitions are read back from `sqlite_master`, so this cannot drift from the migrations.
    /// The CHECKs still run on every row. All in the caller's transaction: any error (the unique
    /// NIK index refusing a repeated NIK, say) undoes everything.
    ///
    /// The tally the triggers would have kept is counted here instead, row by row as bound, and
    /// added to `recipient_tally` in one statement per group.
    static func appendFirstRecipients(_ db: Database, _ file: RecipientFile.Reading, now: String) throws {
        let setAside = try Row.fetchAll(db, sql: """
            SELECT type, name, sql FROM sqlite_master
            WHERE tbl_name = 'recipient' AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name
            """).map { (type: $0["type"] as String, name: $0["name"] as String, sql: $0["sql"] as String) }
        for object in setAside { try db.execute(sql: "DROP \(object.type.uppercased()) \(object.name)") }

        var tally: [TallyKey: Int] = [:]
        // Many rows per statement: the per-statement work (transaction check, halt) is paid once per chunk.
        let perStatement = 100
        var statements: [Int: BulkStatement] = [:]
        var appended = 0
        while let rows = file.nextPart() {
            for start in stride(from: 0, to: rows.count, by: perStatement) {
                let chunk = start..<min(start + perStatement, rows.count)
                if statements[chunk.count] == nil {
                    statements[chunk.count] = try BulkStatement(db, sql: insertRecipientsSQL(rows: chunk.count))
                }
                let statement = statements[chunk.count]!
                var column: Int32 = 0
                rows.withUnsafeBufferPointer { rows in
                    for index in chunk {
                        // Fields read in place: no copy of the whole row per bind.
                        let state = rows[index].accountNo == nil ? "not_requested" : "opened"
                        statement.bind(column + 1, rows[index].nik.digits); statement.bind(column + 2, rows[index].name)
                        statement.bind(column + 3, rows[index].program); statement.bind(column + 4, rows[index].district)
                        statement.bind(column + 5, rows[index].phone); statement.bind(column + 6, state)
                        statement.bind(column + 7, rows[index].accountNo); statement.bind(column + 8, now); statement.bind(column + 9, now)
                        column += 9
                        tally[TallyKey(program: rows[index].program, district: rows[index].district, state: state), default: 0] += 1
                    }
                }
                appended += try statement.step()
            }
        }
        statements = [:]
        // Every part is stored: the file's duplicate checks decide whether any of it stays.
        try file.finish()
        guard appended == file.rowCount else {
            throw StoreError.refused("\(appended) of \(file.rowCount) recipients were stored; nothing was imported")
        }
        for object in setAside { try db.execute(sql: object.sql) }
        let add = try db.makeStatement(sql: """
            INSERT INTO recipient_tally (program, district, opening_state, rejection_reason, n) VALUES (?, ?, ?, '', ?)
            ON CONFLICT DO UPDATE SET n = n + excluded.n
            """)
        for (key, count) in tally.sorted(by: { ($0.key.program, $0.key.district, $0.key.state) < ($1.key.program, $1.key.district, $1.key.state) }) {
            try add.execute(arguments: [key.program, key.district, key.state, count])
        }
    }

    /// One line of `recipient_tally` a first import adds to (no rejection reason: it opens none).
    private struct TallyKey: Hashable {
        let program: String
        let district: String
        let state: String
    }

    /// An insert of `rows` recipients in one statement, nine values each.
    static func insertRecipientsSQL(rows: Int) -> String {
        """
        INSERT INTO recipient (nik, name, program, district, phone, opening_state, account_no,
                               rejection_reason, created_at, updated_at) VALUES
        """ + Array(repeating: "(?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)", count: rows).joined(separator: ", ")
    }
}
