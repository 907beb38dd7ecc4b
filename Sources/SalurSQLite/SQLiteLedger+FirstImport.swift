import GRDB
import SalurCore
import SalurStore

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
        var appended = 0
        while let rows = file.nextPart() {
            appended += try BulkStatement.insert(db, """
                INSERT INTO recipient (nik, name, program, district, phone, opening_state, account_no,
                                       rejection_reason, created_at, updated_at) VALUES
                """, row: "(?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)", width: 9, count: rows.count) { statement, column, index in
                let row = rows[index]
                let state = row.accountNo == nil ? "not_requested" : "opened"
                statement.bind(column + 1, row.nik.digits); statement.bind(column + 2, row.name)
                statement.bind(column + 3, row.program); statement.bind(column + 4, row.district)
                statement.bind(column + 5, row.phone); statement.bind(column + 6, state)
                statement.bind(column + 7, row.accountNo); statement.bind(column + 8, now); statement.bind(column + 9, now)
                tally[TallyKey(program: row.program, district: row.district, state: state), default: 0] += 1
            }
        }
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
}
