import Foundation
import PostgresNIO
package import SalurCore
package import SalurStore

/// What the reconciliation exports read on PostgreSQL, and the audit row every export file leaves:
/// ports of SQLiteLedger+ReconciliationExports.swift.
extension PostgresLedger {
    /// The reconciliation export's rows: each transfer with the statement entry that pays it.
    package func reconciledTransfers(from: String?, to: String?, batchID: String? = nil) async throws -> [ReconciledTransfer] {
        var all: [ReconciledTransfer] = []
        try await reconciledTransfers(from: from, to: to, batchID: batchID, pageSize: ReconciledTransferPage.defaultSize) { all += $0 }
        return all
    }

    /// The same rows a page at a time (`ReconciledTransferPage`: keyset pages by transfer id), in
    /// one read-only transaction at REPEATABLE READ: one snapshot however long `body` takes, each
    /// page a short query that holds no server-side cursor open between pages. A read-only
    /// transaction at that level is never aborted for a serialization failure, so it is never run
    /// twice and `body` never sees a page twice.
    package func reconciledTransfers(from: String?, to: String?, batchID: String?, pageSize: Int,
                                     _ body: ([ReconciledTransfer]) throws -> Void) async throws {
        let (clauses, filter) = ReconciledTransferPage.filter(from: from, to: to, batchID: batchID) { "$\($0)" }
        let transfersSQL = Self.transferRecordsSQL + StoreSQL.where(clauses) + " ORDER BY id LIMIT $\(filter.count + 2)"
        let entriesSQL = ReconciledTransferPage.entriesSQL(first: "$1", last: "$2")
        let exceptionsSQL = ReconciledTransferPage.exceptionsSQL(first: "$1", last: "$2", collate: " COLLATE \"C\"")
        try await transaction("reading reconciled transfers", audited: false) { connection in
            try await self.execute(connection, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            var after = Int64.min
            while true {
                var bindings = PostgresBindings()
                bindings.append(after)
                for value in filter { bindings.append(value) }
                bindings.append(Int64(max(1, pageSize)))
                let records = try await self.transferRecords(connection, PostgresQuery(unsafeSQL: transfersSQL, binds: bindings))
                var page = ReconciledTransferPage(records)
                guard let (first, last) = page.bounds else { return }
                var range = PostgresBindings()
                range.append(first)
                range.append(last)
                for try await (id, transfer, kind, line, valueDate, bankReference, amount, statementID, sequence, sourceFile, senPart)
                    in try await connection.streamedStatement(PostgresQuery(unsafeSQL: entriesSQL, binds: range), logger: self.logger)
                    .decode((Int64, Int64, String, Int, String, String, Int64, String, String, String, Int64).self) {
                    page.entry(transfer: transfer, kind: kind) {
                        var entry = MatchedEntry.make(entryID: id, statementId: statementID, sequence: sequence, line: line,
                                                      sourceFile: sourceFile, valueDate: valueDate, bankReference: bankReference, amount: amount)
                        entry.amountSenPart = senPart
                        return entry
                    }
                }
                for try await (transfer, kind) in try await connection.streamedStatement(PostgresQuery(unsafeSQL: exceptionsSQL, binds: range),
                                                                             logger: self.logger).decode((Int64, String).self) {
                    page.exception(transfer: transfer, kind: kind)
                }
                try body(page.transfers)
                after = last
            }
        }
    }

    /// Every stored statement whose dates touch `period` (all when nil), with how it reconciles and
    /// whether its opening balance follows on from the previous statement of the same account.
    package func statementChecks(period: Period?) async throws -> [StatementCheck] {
        try await withConnection("reading statements") { connection in
            var gaps: [Int64: Int64?] = [:]
            var last: [String: Int64] = [:]
            for try await (id, account, opening, closing) in try await connection.streamedStatement("""
                SELECT id, account_no, opening_balance, closing_balance FROM statement
                ORDER BY account_no COLLATE "C", closing_date COLLATE "C", opening_date COLLATE "C", id
                """, logger: self.logger).decode((Int64, String, Int64, Int64).self) {
                gaps[id] = last[account].map { opening - $0 }
                last[account] = closing
            }
            var filter = ""
            var bindings = PostgresBindings()
            if let period {
                filter = " WHERE s.opening_date <= $1 AND s.closing_date >= $2"
                let (first, last) = StatementPeriod.bounds(period)
                bindings.append(last)
                bindings.append(first)
            }
            let rows = try await self.rows(connection, PostgresQuery(unsafeSQL: """
                SELECT s.id, s.account_no, s.statement_id, s.sequence, s.format, s.opening_date, s.closing_date, s.opening_balance,
                    s.closing_balance, s.credit_count, s.credit_total, s.debit_count, s.debit_total, s.source_file, s.file_sha256,
                    s.imported_by, s.imported_at,
                    (SELECT count(*) FROM statement_entry e WHERE e.statement_row = s.id AND e.status = 'booked' AND e.direction = 'debit'
                        AND e.match_kind IN (\(StoreSQL.list(MatchKind.paid)))) AS matched,
                    (SELECT coalesce(sum(amount), 0)::bigint FROM statement_entry e WHERE e.statement_row = s.id AND e.status = 'booked'
                        AND e.direction = 'debit' AND e.match_kind IN (\(StoreSQL.list(MatchKind.paid)))) AS matched_amount,
                    (SELECT count(*) FROM statement_entry e WHERE e.statement_row = s.id AND e.match_kind = 'weak') AS weak,
                    (SELECT count(*) FROM statement_entry e WHERE e.statement_row = s.id AND e.match_kind = 'duplicate') AS duplicates,
                    (SELECT count(*) FROM statement_entry e WHERE e.statement_row = s.id AND e.status = 'booked' AND e.direction = 'debit'
                        AND e.match_kind IS NULL AND e.bank_item IS NULL) AS unmatched,
                    (SELECT coalesce(sum(amount), 0)::bigint FROM statement_entry e WHERE e.statement_row = s.id AND e.status = 'booked'
                        AND e.direction = 'debit' AND e.match_kind IS NULL AND e.bank_item IS NULL) AS unmatched_amount,
                    (SELECT count(*) FROM statement_entry e WHERE e.statement_row = s.id AND e.match_kind = 'return') AS returns,
                    (SELECT count(*) FROM reconciliation_exception x JOIN statement_entry e ON e.id = x.entry_id
                        WHERE e.statement_row = s.id AND x.state = 'open') AS open_exceptions
                FROM statement s\(filter)
                ORDER BY s.account_no COLLATE "C", s.closing_date COLLATE "C", s.opening_date COLLATE "C", s.id
                """, binds: bindings))
            var checks = try rows.map { row in
                func int(_ column: String) throws -> Int { try row[column].decode(Int.self) }
                func money(_ column: String) throws -> Int64 { try row[column].decode(Int64.self) }
                func text(_ column: String) throws -> String { try row[column].decode(String.self) }
                let id = try money("id")
                let opening = try money("opening_balance"), closing = try money("closing_balance")
                let credits = try money("credit_total"), debits = try money("debit_total")
                let (sum, overflow1) = opening.addingReportingOverflow(credits)
                let (computed, overflow2) = sum.subtractingReportingOverflow(debits)
                return StatementCheck.make(
                    rowID: id, accountNo: try text("account_no"), statementId: try text("statement_id"), sequence: try text("sequence"),
                    format: try text("format"), openingDate: try text("opening_date"), closingDate: try text("closing_date"),
                    openingBalance: opening, creditCount: try int("credit_count"), creditTotal: credits, debitCount: try int("debit_count"),
                    debitTotal: debits, closingBalance: closing, balanced: !overflow1 && !overflow2 && computed == closing,
                    gapFromPrevious: gaps[id] ?? nil, matchedDebits: try int("matched"), matchedAmount: try money("matched_amount"),
                    weakDebits: try int("weak"), duplicateDebits: try int("duplicates"), unmatchedDebits: try int("unmatched"),
                    unmatchedAmount: try money("unmatched_amount"), returns: try int("returns"), openExceptions: try int("open_exceptions"),
                    sourceFile: try text("source_file"), fileSHA256: try text("file_sha256"), importedBy: try text("imported_by"),
                    importedAt: try text("imported_at"))
            }
            var statements: [StatementCheckSen.StatementRow] = []
            for try await (id, account, opening, openingSen, closing, closingSen, credits, creditsSen, debits, debitsSen, derived)
                in try await connection.streamedStatement(PostgresQuery(unsafeSQL: StatementCheckSen.statementsSQL), logger: self.logger)
                .decode((Int64, String, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, String?).self) {
                statements.append(StatementCheckSen.StatementRow(
                    id: id, accountNo: account, opening: (opening, openingSen), closing: (closing, closingSen),
                    credits: (credits, creditsSen), debits: (debits, debitsSen), openingDerivedFrom: derived))
            }
            var debits: [Int64: (matched: Int64, unmatched: Int64)] = [:]
            for try await (statement, matched, unmatched) in try await connection.streamedStatement(
                PostgresQuery(unsafeSQL: StatementCheckSen.debitsSQL), logger: self.logger).decode((Int64, Int64, Int64).self) {
                debits[statement] = (matched, unmatched)
            }
            var items: [(statement: Int64, kind: String, count: Int, sen: Int64)] = []
            for try await (statement, kind, count, sen) in try await connection.streamedStatement(
                PostgresQuery(unsafeSQL: StatementCheckSen.bankItemsSQL), logger: self.logger).decode((Int64, String, Int, Int64).self) {
                items.append((statement, kind, count, sen))
            }
            StatementCheckSen.fill(&checks, statements: statements, debits: debits, bankItems: items)
            return checks
        }
    }

    /// Records that `actor` wrote an export file with this SHA-256, so the file can later be proved
    /// to be the one Salur produced.
    package func recordExport(kind: String, destination: String, sha256: String, rows: Int, details: [String: String],
                              actor: String) async throws {
        try await transaction("recording an export") { connection in
            var facts = details
            facts["sha256"] = sha256
            facts["rows"] = String(rows)
            try await self.audit(connection, actor: actor, action: "export.\(kind)", subject: destination, details: facts)
        }
    }
}

extension PostgresLedger: ReconciliationLedger {}
