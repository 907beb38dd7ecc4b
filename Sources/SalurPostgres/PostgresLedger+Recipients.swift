import Foundation
import PostgresNIO
package import SalurCore
package import SalurStore

/// Recipients and account openings on PostgreSQL: the same results, refusals and audit rows as
/// `SQLiteLedger+Recipients`, with the file's rows looked up and written in bulk (arrays bound as
/// parameters, 5,000 rows a statement) rather than one round trip per row.
///
/// Imports and opening results check facts that span rows (an account number belongs to one NIK
/// only), which no row lock covers; they, and the export of opening requests, take
/// `SHARE ROW EXCLUSIVE` on `recipient`, which lets readers, the engine's claims and transfer
/// inserts (their foreign-key checks) through but makes concurrent writers of recipients wait, as
/// SQLite's single writer does.
extension PostgresLedger {
    /// A recipient row as the import compares it.
    private struct StoredRow {
        /// The row's id, or nil while it is a row this import inserts (`insert` is its index).
        var id: Int64?
        var insert: Int?
        var name: String
        var program: String
        var district: String
        var phone: String
        var opening: AccountOpening
    }

    /// A recipient row to insert.
    private struct NewRecipient {
        var nik: String
        var name: String
        var program: String
        var district: String
        var phone: String
        var opening: AccountOpening
    }

    /// The file is read, checked and stored a window at a time in one transaction, as on SQLite:
    /// each window's rows looked up, added or updated in bulk before the next is taken; the NIKs
    /// and account numbers seen so far in temporary tables, where a repeated one is found with
    /// the line that first gave it. The file's own issues and duplicates refuse it first; only a
    /// file without any is refused for what the store holds.
    package func importRecipients(_ file: RecipientFile.Reading, source: ReadSource, actor: String) async throws -> RecipientImportSummary {
        var started = false
        return try await transaction("importing recipients") { connection in
            // The file is read once: a transaction run again could not read it again.
            defer { started = true }
            guard !started else {
                throw StoreError.refused("the recipients import was interrupted; nothing was imported (run it again)")
            }
            try await self.lockRecipients(connection)
            let now = Timestamp.iso8601(clock.now)
            let isEmpty = try await connection.statement(PostgresQuery(unsafeSQL: StoreSQL.noRecipients), logger: self.logger)
                .first?.decode(Bool.self) ?? false
            var seen = try await SeenKeys(self, connection)
            var summary = RecipientImportSummary()
            var issues: [ImportIssue] = []
            while let part = file.nextPart() {
                try await seen.add(part.keys)
                // The file will be refused for its own issues: the store's are not looked for.
                guard !file.isRefused, !seen.found, issues.count <= ImportIssue.limit else { continue }
                if isEmpty {
                    // A first import cannot conflict with stored data: the file's own checks already ran.
                    // Inserted in file order, as SQLite does, so that ids are the same on both.
                    try await self.insertRecipients(connection, part.rows.map { row in
                        NewRecipient(nik: row.nik.digits, name: row.name, program: row.program, district: row.district,
                                     phone: row.phone, opening: row.accountNo.map { .opened(accountNo: $0) } ?? .notRequested)
                    }, now: now)
                    summary.added += part.rows.count
                } else {
                    try await self.storeRows(connection, part.rows, into: &summary, issues: &issues, file: source.path, actor: actor, now: now)
                }
            }
            try file.finish(duplicateNIKs: seen.niks, duplicateAccounts: seen.accounts)
            if !issues.isEmpty { throw ImportFailure(issues) }
            if summary.added + summary.updated > 0 {
                try await self.audit(connection, actor: actor, action: "recipients.import", subject: source.path,
                                     details: RecipientImport.details(summary, source: source.file, rows: file.rowCount))
            }
            return summary
        }
    }

    package func importRecipients(_ rows: [RecipientFile.Row], source: SourceFile, actor: String) async throws -> RecipientImportSummary {
        try await importRecipients(RecipientFile.Reading(rows: rows), source: ReadSource(source), actor: actor)
    }

    /// The NIKs and account numbers an import has read so far, in temporary tables dropped at
    /// commit, each with the first line that gave it; and the lines that gave one again.
    struct SeenKeys {
        private let ledger: PostgresLedger
        private let connection: PostgresConnection
        private(set) var niks: [(line: Int, first: Int)] = []
        private(set) var accounts: [(line: Int, first: Int)] = []

        init(_ ledger: PostgresLedger, _ connection: PostgresConnection) async throws {
            self.ledger = ledger
            self.connection = connection
            try await ledger.execute(connection, """
                CREATE TEMP TABLE import_nik (nik TEXT PRIMARY KEY, line BIGINT NOT NULL) ON COMMIT DROP
                """)
            try await ledger.execute(connection, """
                CREATE TEMP TABLE import_account (account_no TEXT PRIMARY KEY, line BIGINT NOT NULL) ON COMMIT DROP
                """)
        }

        /// Whether a key was given twice.
        var found: Bool { !niks.isEmpty || !accounts.isEmpty }

        /// Notes the keys of rows, in file order. (Only the first duplicates of each kind can be
        /// among the issues a refused file reports.)
        mutating func add(_ keys: [RecipientFile.Keys]) async throws {
            if niks.count <= ImportIssue.limit {
                niks += try await repeats(table: "import_nik", column: "nik", keys.compactMap { key in key.nik.map { ($0.digits, key.line) } })
            }
            if accounts.count <= ImportIssue.limit {
                accounts += try await repeats(table: "import_account", column: "account_no",
                                              keys.compactMap { key in key.account.map { ($0, key.line) } })
            }
        }

        /// The rows among `keys` (key and line, in file order) that repeat a key of an earlier line —
        /// one of this window or one noted in `table` — with that earlier line; the window's new keys
        /// are then noted in `table`.
        private func repeats(table: String, column: String, _ keys: [(key: String, line: Int)]) async throws -> [(line: Int, first: Int)] {
            guard !keys.isEmpty else { return [] }
            var first: [String: Int] = [:]
            for try await (key, line) in try await connection.streamedStatement(PostgresQuery(
                unsafeSQL: "SELECT \(column), line FROM \(table) WHERE \(column) = ANY($1::text[])",
                binds: { var b = PostgresBindings(); b.append(keys.map(\.key)); return b }()), logger: ledger.logger).decode((String, Int).self) {
                first[key] = line
            }
            var found: [(line: Int, first: Int)] = []
            var new: [(key: String, line: Int)] = []
            for (key, line) in keys {
                if let earlier = first[key] { found.append((line, earlier)); continue }
                first[key] = line
                new.append((key, line))
            }
            var bindings = PostgresBindings()
            bindings.append(new.map(\.key)); bindings.append(new.map { Int64($0.line) })
            try await ledger.execute(connection, PostgresQuery(
                unsafeSQL: "INSERT INTO \(table) (\(column), line) SELECT * FROM unnest($1::text[], $2::bigint[])", binds: bindings))
            return found
        }
    }

    /// One window of an import into a table that holds recipients: its rows looked up, then added,
    /// updated or left as they are, in file order (each row sees the rows before it); the issues
    /// the store's data gives are added to `issues` and their rows left out.
    private func storeRows(_ connection: PostgresConnection, _ rows: [RecipientFile.Row], into summary: inout RecipientImportSummary,
                           issues: inout [ImportIssue], file: String, actor: String, now: String) async throws {
        var audits: [AuditRecord] = []
        var stored = try await self.storedRecipients(connection, niks: rows.map(\.nik.digits))
        var holders = try await self.accountHolders(connection, accounts: rows.compactMap(\.accountNo))
        var inserts: [NewRecipient] = []
        var updates: [Int64: NewRecipient] = [:]
        for row in rows {
            let nik = row.nik.digits
            if let account = row.accountNo, let holder = holders[account], holder != nik {
                issues.append(ImportIssue(file: file, line: row.line, field: "account_no",
                                          reason: RecipientImport.accountTaken(holder: holder)))
                continue
            }
            guard let current = stored[nik] else {
                let opening: AccountOpening = row.accountNo.map { .opened(accountNo: $0) } ?? .notRequested
                stored[nik] = StoredRow(id: nil, insert: inserts.count, name: row.name, program: row.program,
                                        district: row.district, phone: row.phone, opening: opening)
                inserts.append(NewRecipient(nik: nik, name: row.name, program: row.program, district: row.district,
                                            phone: row.phone, opening: opening))
                if let account = row.accountNo { holders[account] = nik }
                summary.added += 1
                continue
            }
            let change: RecipientUpdate
            switch RecipientUpdate.of(row, name: current.name, program: current.program, district: current.district,
                                      phone: current.phone, opening: current.opening, file: file) {
            case .refused(let issue): issues.append(issue); continue
            case .unchanged: summary.unchanged += 1; continue
            case .update(let found): change = found
            }
            if let account = change.newAccount { holders[account] = nik }
            if change.reopened { summary.reopened += 1 }
            let values = NewRecipient(nik: nik, name: row.name, program: row.program, district: row.district,
                                      phone: row.phone, opening: change.next)
            if let id = current.id { updates[id] = values } else if let index = current.insert { inserts[index] = values }
            stored[nik] = StoredRow(id: current.id, insert: current.insert, name: row.name, program: row.program,
                                    district: row.district, phone: row.phone, opening: change.next)
            audits.append(AuditRecord(actor: actor, action: "recipient.update", subject: nik, details: change.changes))
            summary.updated += 1
        }
        try await self.insertRecipients(connection, inserts, now: now)
        try await self.updateRecipients(connection, updates.sorted { $0.key < $1.key }, now: now)
        try await self.audit(connection, audits)
    }

    package func exportOpeningRequests(actor: String, deliver: ([OpeningRequest]) throws -> String) async throws -> Int {
        var requests: [OpeningRequest] = []
        return try await exportOpeningRequests(actor: actor, pageSize: RecipientImport.requestsPerPage, page: { requests += $0 },
                                               finish: { try deliver(requests) })
    }

    /// One transaction, as on SQLite: the requests read through a cursor a page at a time (`FETCH`)
    /// and each page, once handed over, marked `requested` (seen by no one else before the commit,
    /// which comes only after `finish` has made the file).
    package func exportOpeningRequests(actor: String, pageSize: Int, page: ([OpeningRequest]) throws -> Void,
                                       finish: () throws -> String) async throws -> Int {
        var handedOver = false
        return try await transaction(RecipientImport.exportOperation) { connection in
            // What was handed over is written: a transaction PostgreSQL aborts after that is not run again.
            guard !handedOver else {
                throw StoreError.refused("exporting the opening requests was interrupted; no recipient was marked requested (run it again)")
            }
            // Writers of recipients wait (an import could otherwise reopen a recipient between the
            // read and the update, or deadlock with it on the rows); exactly the rows read, locked
            // as read, are marked requested.
            try await self.lockRecipients(connection)
            try await self.execute(connection, """
                DECLARE opening_requests NO SCROLL CURSOR FOR
                SELECT id, nik, name, district, phone FROM recipient WHERE opening_state = 'not_requested'
                ORDER BY nik COLLATE "C" FOR UPDATE
                """)
            let now = Timestamp.iso8601(clock.now)
            let fetch = PostgresQuery(unsafeSQL: "FETCH FORWARD \(max(1, pageSize)) FROM opening_requests")
            var count = 0
            while true {
                var ids: [Int64] = []
                var requests: [OpeningRequest] = []
                for try await (id, nik, name, district, phone) in try await connection.streamedStatement(fetch, logger: self.logger)
                    .decode((Int64, String, String, String, String).self) {
                    ids.append(id)
                    requests.append(OpeningRequest.make(nik: nik, name: name, district: district, phone: phone))
                }
                guard !requests.isEmpty else { break }
                handedOver = true
                try page(requests)
                count += requests.count
                for start in stride(from: 0, to: ids.count, by: Self.chunk) {
                    let chunk = Array(ids[start..<min(start + Self.chunk, ids.count)])
                    try await self.execute(connection, """
                        UPDATE recipient SET opening_state = 'requested', updated_at = \(now)
                        WHERE id = ANY(\(chunk)::bigint[]) AND opening_state = 'not_requested'
                        """)
                }
            }
            try await self.execute(connection, "CLOSE opening_requests")
            handedOver = true
            let sha256 = try finish()
            guard count > 0 else { return 0 }
            try await self.audit(connection, actor: actor, action: "accounts.export_requests",
                                 subject: RecipientImport.exportSubject(count: count),
                                 details: ["sha256": sha256, "count": String(count)])
            return count
        }
    }

    package func applyOpeningResults(_ rows: [OpeningResultFile.Row], source: SourceFile, actor: String) async throws -> OpeningResultSummary {
        try await applyOpeningResults(OpeningResultFile.Reading(rows: rows), source: ReadSource(source), actor: actor)
    }

    /// The file is read, checked and decided a window at a time (`OpeningResultImport`) in one
    /// transaction, as on SQLite: each window's recipients and account holders looked up in bulk,
    /// its changes kept in a temporary table and written together once the whole file is found good.
    package func applyOpeningResults(_ file: OpeningResultFile.Reading, source: ReadSource, actor: String) async throws -> OpeningResultSummary {
        let report = RowProgress.report
        var started = false
        return try await transaction("applying opening results") { connection in
            // The file is read once: a transaction run again could not read it again.
            defer { started = true }
            guard !started else {
                throw StoreError.refused("applying the opening results was interrupted; nothing was applied (run it again)")
            }
            var progress = RowProgress.Counter(report)
            try await self.lockRecipients(connection)
            try await self.execute(connection, """
                CREATE TEMP TABLE opening_answer (id BIGINT PRIMARY KEY, state TEXT NOT NULL, account_no TEXT, reason TEXT) ON COMMIT DROP
                """)
            var apply = OpeningResultImport(file: source.path)
            var seen = try await SeenKeys(self, connection)
            var answers = 0
            while let part = file.nextPart() {
                try await seen.add(part.keys)
                guard !apply.skips(file, duplicates: seen.found) else { continue }
                let stored = try await self.storedRecipients(connection, niks: part.rows.map(\.nik.digits)).mapValues { row -> OpeningResultImport.Stored in
                    (row.id ?? 0, row.opening)
                }
                let holders = try await self.accountHolders(connection, accounts: OpeningResultImport.accounts(part.rows))
                let decided = apply.decide(part.rows, stored: stored, holders: holders)
                try await self.keepOpenings(connection, decided)
                answers += decided.count
                for _ in part.rows { progress.tick() }
            }
            try apply.finish(file, duplicateNIKs: seen.niks, duplicateAccounts: seen.accounts)
            let now = Timestamp.iso8601(clock.now)
            let written = try await self.execute(connection, """
                UPDATE recipient r SET opening_state = a.state, account_no = a.account_no, rejection_reason = a.reason, updated_at = \(now)
                FROM opening_answer a WHERE r.id = a.id RETURNING 1
                """)
            guard written == answers else {
                throw StoreError.refused("\(written) of \(answers) recipients took the bank's answer; nothing was applied")
            }
            if let details = apply.details(file, source: source) {
                try await self.audit(connection, actor: actor, action: "accounts.import_results", subject: source.path, details: details)
            }
            return apply.summary
        }
    }

    package func openingStatus(by grouping: OpeningGrouping?) async throws -> [OpeningStatus] {
        try await withConnection("reading opening status") { connection in
            // The tally the triggers keep (a few rows per programme and district), not the recipients.
            let column = grouping.map { $0 == .district ? "district" : "program" }
            let sql = column.map {
                """
                SELECT \($0) AS grp, opening_state, nullif(rejection_reason, '') AS rejection_reason, sum(n)::bigint AS n
                FROM recipient_tally WHERE n > 0 GROUP BY 1, 2, 3 ORDER BY \($0) COLLATE "C"
                """
            } ?? """
                SELECT NULL::text AS grp, opening_state, nullif(rejection_reason, '') AS rejection_reason, sum(n)::bigint AS n
                FROM recipient_tally WHERE n > 0 GROUP BY 2, 3
                """
            var fold = OpeningStatusFold(grouped: grouping != nil)
            for try await (group, state, reason, n) in try await connection.streamedStatement(PostgresQuery(unsafeSQL: sql), logger: self.logger)
                .decode((String?, String, String?, Int).self) {
                fold.add(group: group, state: state, reason: reason, count: n)
            }
            return fold.groups
        }
    }

    package func recipients(matching filter: RecipientFilter) async throws -> [StoredRecipient] {
        try await withConnection("listing recipients") { connection in
            var clauses: [String] = []
            var bindings = PostgresBindings()
            if let state = filter.state { bindings.append(state.rawValue); clauses.append("opening_state = $\(bindings.count)") }
            if let district = filter.district { bindings.append(district); clauses.append("district = $\(bindings.count)") }
            if let program = filter.program { bindings.append(program); clauses.append("program = $\(bindings.count)") }
            var sql = "SELECT id, nik, name, program, district, phone, opening_state, account_no, rejection_reason, updated_at FROM recipient"
            sql += StoreSQL.where(clauses)
            sql += " ORDER BY nik COLLATE \"C\""
            // SQLite reads a negative LIMIT as none.
            if let limit = filter.limit, limit >= 0 { bindings.append(limit); sql += " LIMIT $\(bindings.count)" }
            var result: [StoredRecipient] = []
            for try await (id, nik, name, program, district, phone, state, account, reason, updatedAt)
                in try await connection.streamedStatement(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: self.logger)
                .decode((Int64, String, String, String, String, String, String, String?, String?, String).self) {
                let recipient = Recipient(nik: try NIK(validating: nik), name: name, program: program, district: district, phone: phone,
                                          opening: try Self.opening(state: state, account: account, reason: reason))
                result.append(StoredRecipient.make(id: id, recipient: recipient, updatedAt: updatedAt))
            }
            return result
        }
    }

    // MARK: Helpers

    /// Serialises writers of recipients for a check that spans rows (see the type's comment).
    private func lockRecipients(_ connection: PostgresConnection) async throws {
        try await self.execute(connection, "LOCK TABLE recipient IN SHARE ROW EXCLUSIVE MODE")
    }

    /// The stored recipients among `niks`, by NIK.
    private func storedRecipients(_ connection: PostgresConnection, niks: [String]) async throws -> [String: StoredRow] {
        var stored: [String: StoredRow] = [:]
        for start in stride(from: 0, to: niks.count, by: Self.chunk) {
            let chunk = Array(niks[start..<min(start + Self.chunk, niks.count)])
            for try await (id, nik, name, program, district, phone, state, account, reason) in try await connection.streamedStatement("""
                SELECT id, nik, name, program, district, phone, opening_state, account_no, rejection_reason
                FROM recipient WHERE nik = ANY(\(chunk)::text[])
                """, logger: logger).decode((Int64, String, String, String, String, String, String, String?, String?).self) {
                stored[nik] = StoredRow(id: id, insert: nil, name: name, program: program, district: district, phone: phone,
                                        opening: try Self.opening(state: state, account: account, reason: reason))
            }
        }
        return stored
    }

    /// Who holds each of `accounts` (those held by anyone), by account number.
    private func accountHolders(_ connection: PostgresConnection, accounts: [String]) async throws -> [String: String] {
        var holders: [String: String] = [:]
        for start in stride(from: 0, to: accounts.count, by: Self.chunk) {
            let chunk = Array(accounts[start..<min(start + Self.chunk, accounts.count)])
            for try await (account, nik) in try await connection.streamedStatement("""
                SELECT account_no, nik FROM recipient WHERE account_no = ANY(\(chunk)::text[])
                """, logger: logger).decode((String, String).self) {
                holders[account] = nik
            }
        }
        return holders
    }

    /// Inserts recipients in the given order (ids follow it).
    private func insertRecipients(_ connection: PostgresConnection, _ rows: [NewRecipient], now: String) async throws {
        for start in stride(from: 0, to: rows.count, by: Self.chunk) {
            let chunk = rows[start..<min(start + Self.chunk, rows.count)]
            let columns = chunk.map { $0.opening.storedColumns }
            try await execute(connection, """
                INSERT INTO recipient (nik, name, program, district, phone, opening_state, account_no, rejection_reason, created_at, updated_at)
                SELECT nik, name, program, district, phone, state, CASE WHEN has_account THEN account END,
                       CASE WHEN has_reason THEN reason END, \(now), \(now)
                FROM unnest(\(chunk.map(\.nik))::text[], \(chunk.map(\.name))::text[], \(chunk.map(\.program))::text[],
                            \(chunk.map(\.district))::text[], \(chunk.map(\.phone))::text[], \(columns.map(\.state))::text[],
                            \(columns.map { $0.account ?? "" })::text[], \(columns.map { $0.account != nil })::bool[],
                            \(columns.map { $0.reason ?? "" })::text[], \(columns.map { $0.reason != nil })::bool[])
                     WITH ORDINALITY AS u(nik, name, program, district, phone, state, account, has_account, reason, has_reason, position)
                ORDER BY position
                """)
        }
    }

    /// Rewrites recipients' data and opening (an import's update: the account check starts afresh).
    private func updateRecipients(_ connection: PostgresConnection, _ rows: [(key: Int64, value: NewRecipient)], now: String) async throws {
        for start in stride(from: 0, to: rows.count, by: Self.chunk) {
            let chunk = rows[start..<min(start + Self.chunk, rows.count)]
            let columns = chunk.map { $0.value.opening.storedColumns }
            try await execute(connection, """
                UPDATE recipient r SET name = u.name, program = u.program, district = u.district, phone = u.phone,
                    opening_state = u.state, account_no = CASE WHEN u.has_account THEN u.account END,
                    rejection_reason = CASE WHEN u.has_reason THEN u.reason END, updated_at = \(now),
                    account_check = NULL, account_checked_at = NULL, bank_account_name = NULL, bank_account_status = NULL
                FROM unnest(\(chunk.map(\.key))::bigint[], \(chunk.map(\.value.name))::text[], \(chunk.map(\.value.program))::text[],
                            \(chunk.map(\.value.district))::text[], \(chunk.map(\.value.phone))::text[], \(columns.map(\.state))::text[],
                            \(columns.map { $0.account ?? "" })::text[], \(columns.map { $0.account != nil })::bool[],
                            \(columns.map { $0.reason ?? "" })::text[], \(columns.map { $0.reason != nil })::bool[])
                     AS u(id, name, program, district, phone, state, account, has_account, reason, has_reason)
                WHERE r.id = u.id RETURNING 1
                """)
        }
    }

    /// Keeps recipients' new openings in the transaction's `opening_answer` table until the whole file is decided.
    private func keepOpenings(_ connection: PostgresConnection, _ answers: [OpeningResultImport.Answer]) async throws {
        for start in stride(from: 0, to: answers.count, by: Self.chunk) {
            let chunk = answers[start..<min(start + Self.chunk, answers.count)]
            let columns = chunk.map { $0.next.storedColumns }
            try await execute(connection, """
                INSERT INTO opening_answer (id, state, account_no, reason)
                SELECT id, state, CASE WHEN has_account THEN account END, CASE WHEN has_reason THEN reason END
                FROM unnest(\(chunk.map(\.id))::bigint[], \(columns.map(\.state))::text[],
                            \(columns.map { $0.account ?? "" })::text[], \(columns.map { $0.account != nil })::bool[],
                            \(columns.map { $0.reason ?? "" })::text[], \(columns.map { $0.reason != nil })::bool[])
                     AS u(id, state, account, has_account, reason, has_reason)
                """)
        }
    }

    /// The opening state held in a recipient row.
    static func opening(state: String, account: String?, reason: String?) throws -> AccountOpening {
        switch (state, account, reason) {
        case ("not_requested", _, _): return .notRequested
        case ("requested", _, _): return .requested
        case ("opened", let account?, _): return .opened(accountNo: account)
        case ("rejected", _, let reason?): return .rejected(reason: reason)
        default: throw StoreError.refused("corrupt recipient row: unknown opening state \(state)")
        }
    }
}
