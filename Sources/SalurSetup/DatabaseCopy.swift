import Foundation
import GRDB
import Logging
import NIOCore
import PostgresNIO
import SalurCore
package import SalurPostgres
package import SalurSQLite
import SalurStore

/// `salurctl db copy`: moves a treasury from its SQLite file to an empty PostgreSQL database.
///
/// The source is read from one consistent snapshot (WAL), so a `salurctl` writing meanwhile does
/// not tear the copy; the engine must be stopped (the caller checks its lock). Every table goes
/// over with `COPY … FROM STDIN` inside ONE PostgreSQL transaction, which also checks, before it
/// commits, that every table's row count and the control totals (money per state, the audit
/// chain's head) equal the source's; a mismatch rolls everything back. Ids are kept, and each
/// identity column continues after the largest id copied.
package enum DatabaseCopy {
    /// Tables in foreign-key order. `engine_lease` (the SQLite file's single engine) is not copied:
    /// engines on PostgreSQL register themselves; nor are the tallies PostgreSQL keeps by trigger
    /// (`recipient_tally`, `transfer_tally`). The statement files stored whole and the last
    /// reconciliation's basis go last, after the transfers whose changes mark that basis, so that
    /// the same file given again after a copy is recognised and the kept figures still answer
    /// `reconcile status`.
    static let tables = [
        "recipient", "audit_log", "batch", "transfer", "transfer_attempt", "agreement", "budget", "premium_run",
        "payroll_line", "bpu_line", "statement", "statement_entry", "reconciliation_exception",
        "statement_file", "reconciliation_basis", "reconciliation_mark",
    ]

    /// Tables the target's triggers fill while the others are copied: emptied before their own
    /// rows are copied (`reconciliation_mark`: the copied transfers are no change since the run).
    static let filledByTriggers: Set<String> = ["reconciliation_mark"]

    /// Tables SQLite stores WITHOUT ROWID, walked by their primary key instead.
    static let keyed: [String: [String]] = ["payroll_line": ["run_id", "line"], "bpu_line": ["run_id", "line"]]

    /// What was copied and checked.
    package struct Report: Sendable, Codable {
        package var rows: [String: Int] = [:]
        package var controls: [String: String] = [:]
        package var seconds = 0.0
    }

    package struct Mismatch: Error, CustomStringConvertible {
        package let description: String
    }

    /// The control totals both sides must agree on: money and counts per transfer state, per batch
    /// state, recipients per opening state, premium and statement totals, the audit chain's head.
    static let controlQueries: [(String, String)] = [
        ("transfers", "SELECT state || ':' || count(*) || ':' || sum(amount) FROM transfer GROUP BY state ORDER BY state"),
        ("batches", "SELECT state || ':' || count(*) || ':' || sum(amount) FROM batch GROUP BY state ORDER BY state"),
        ("recipients", "SELECT opening_state || ':' || count(*) FROM recipient GROUP BY opening_state ORDER BY opening_state"),
        ("premiums", "SELECT kind || ':' || count(*) || ':' || sum(grand_total) FROM premium_run GROUP BY kind ORDER BY kind"),
        ("statement_entries", "SELECT direction || ':' || count(*) || ':' || sum(amount) FROM statement_entry GROUP BY direction ORDER BY direction"),
        ("audit_head", "SELECT seq || ':' || hash FROM audit_log ORDER BY seq DESC LIMIT 1"),
    ]

    /// Copies `source` (a SQLite file at this binary's schema) into `target`, which must hold no
    /// recipients, transfers or audit rows. Throws before committing anything if a check fails.
    package static func run(source: SQLiteLedger, to target: PostgresLedger, actor: String,
                            progress: @Sendable (String, Int) -> Void = { _, _ in },
                            rowsCopied: @Sendable (Int) -> Void = { _ in }) async throws -> Report {
        let started = Date()
        let snapshot = try source.snapshot()
        var report = Report()
        var sourceControls: [String: String] = [:]
        for (name, sql) in controlQueries {
            sourceControls[name] = try readNow(snapshot) { db in try String.fetchAll(db, sql: sql).joined(separator: " ") }
        }
        let logger = target.logger
        try await target.transaction("copying the SQLite database", audited: false) { connection in
            for table in ["recipient", "transfer", "audit_log", "batch"] {
                let any = try await connection.query(PostgresQuery(unsafeSQL: "SELECT EXISTS (SELECT 1 FROM \(table))"), logger: logger)
                    .collect().first?.decode(Bool.self) ?? false
                if any {
                    throw StoreError.refused("the PostgreSQL database \(target.target) already holds data (table \(table) is not empty); db copy only fills an empty database")
                }
            }
            for table in tables {
                let columns = try await commonColumns(table, snapshot: snapshot, connection: connection, logger: logger)
                if filledByTriggers.contains(table) {
                    _ = try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table)"), logger: logger).collect()
                }
                let before = report.rows.values.reduce(0, +)
                let count = try await copy(table, columns: columns, snapshot: snapshot, connection: connection, logger: logger) { rowsCopied(before + $0) }
                report.rows[table] = count
                progress(table, count)
                let copied = try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"), logger: logger)
                    .collect().first?.decode(Int64.self) ?? -1
                if copied != Int64(count) {
                    throw Mismatch(description: "\(table): \(count) rows read from SQLite but \(copied) in PostgreSQL")
                }
                // Identity columns go on after the largest id copied (text ids, like batches', have none).
                let sequence = columns.contains("id")
                    ? try await connection.query("SELECT pg_get_serial_sequence(\(table), 'id')", logger: logger)
                        .collect().first?.decode(String?.self) ?? nil
                    : nil
                if let sequence {
                    let next = "SELECT setval('\(sequence)', coalesce((SELECT max(id) FROM \(table)), 0) + 1, false)"
                    _ = try await connection.query(PostgresQuery(unsafeSQL: next), logger: logger).collect()
                }
            }
            for (name, sql) in controlQueries {
                var values: [String] = []
                for try await value in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(String.self) {
                    values.append(value)
                }
                let copied = values.joined(separator: " ")
                if copied != sourceControls[name] {
                    throw Mismatch(description: "control total \(name) differs: SQLite \(sourceControls[name] ?? "") vs PostgreSQL \(copied)")
                }
                report.controls[name] = copied
            }
            var details = report.rows.mapValues(String.init)
            details["source"] = source.path
            try await target.audit(connection, actor: actor, action: "db.copy", subject: "sqlite → postgres", details: details)
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// The columns both schemas have, in the SQLite table's order.
    static func commonColumns(_ table: String, snapshot: DatabaseSnapshot, connection: PostgresConnection,
                              logger: Logger) async throws -> [String] {
        let sqliteColumns = try readNow(snapshot) { db in try db.columns(in: table).map(\.name) }
        var postgresColumns: Set<String> = []
        for try await name in try await connection.query("""
            SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = \(table)
            """, logger: logger).decode(String.self) {
            postgresColumns.insert(name)
        }
        let missing = sqliteColumns.filter { !postgresColumns.contains($0) }
        if !missing.isEmpty {
            throw Mismatch(description: "\(table): PostgreSQL has no column \(missing.joined(separator: ", ")); the schemas differ")
        }
        return sqliteColumns
    }

    /// Streams one table in pages of 20,000 rows as COPY text; returns the row count.
    /// `copied` is told the table's rows copied so far after each page.
    static func copy(_ table: String, columns: [String], snapshot: DatabaseSnapshot, connection: PostgresConnection,
                     logger: Logger, copied: (Int) -> Void = { _ in }) async throws -> Int {
        let list = columns.joined(separator: ", ")
        let key = keyed[table] ?? ["rowid"]
        let page = 20_000
        var total = 0
        try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
            var after: [DatabaseValue]? = nil
            while true {
                let from = after
                let (buffer, count, last) = try readNow(snapshot) { db -> (ByteBuffer, Int, [DatabaseValue]?) in
                    var sql = "SELECT \(key.joined(separator: ", ")), \(list) FROM \(table)"
                    var arguments: [any DatabaseValueConvertible] = []
                    if let after = from {
                        sql += " WHERE (\(key.joined(separator: ", "))) > (\(key.map { _ in "?" }.joined(separator: ", ")))"
                        arguments = after
                    }
                    sql += " ORDER BY \(key.joined(separator: ", ")) LIMIT \(page)"
                    var buffer = ByteBuffer()
                    var count = 0
                    var last: [DatabaseValue]?
                    let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
                    while let row = try rows.next() {
                        last = (0..<key.count).map { row[$0] as DatabaseValue }
                        for index in 0..<columns.count {
                            if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
                            writeText(row[key.count + index] as DatabaseValue, to: &buffer)
                        }
                        buffer.writeInteger(UInt8(ascii: "\n"))
                        count += 1
                    }
                    return (buffer, count, last)
                }
                if count > 0 { try await writer.write(buffer) }
                total += count
                copied(total)
                guard count == page, let last else { break }
                after = last
            }
        }
        return total
    }

    /// A synchronous read of the snapshot (the async overload would hop threads for each page).
    static func readNow<T>(_ snapshot: DatabaseSnapshot, _ body: (Database) throws -> T) throws -> T {
        try snapshot.read(body)
    }

    /// One value in COPY's text format: `\N` for NULL; backslash, tab, new line and carriage
    /// return escaped.
    static func writeText(_ value: DatabaseValue, to buffer: inout ByteBuffer) {
        switch value.storage {
        case .null:
            buffer.writeString("\\N")
        case .int64(let number):
            buffer.writeString(String(number))
        case .double(let number):
            // No column holds a fraction (money is integer rupiah); a REAL here would be a schema error.
            buffer.writeString(String(number))
        case .string(let text):
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.writeString("\\\\")
                case UInt8(ascii: "\t"): buffer.writeString("\\t")
                case UInt8(ascii: "\n"): buffer.writeString("\\n")
                case UInt8(ascii: "\r"): buffer.writeString("\\r")
                default: buffer.writeInteger(byte)
                }
            }
        case .blob(let data):
            buffer.writeString(String(decoding: data, as: UTF8.self))
        }
    }
}
