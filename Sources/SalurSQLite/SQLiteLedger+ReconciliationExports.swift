import Foundation
import GRDB
package import SalurCore
package import SalurStore

/// What the reconciliation exports read, and the audit row every export file leaves.
extension SQLiteLedger {
    /// The reconciliation export's rows: each transfer with the statement entry that pays it.
    package func reconciledTransfers(from: String?, to: String?, batchID: String? = nil) throws -> [ReconciledTransfer] {
        var all: [ReconciledTransfer] = []
        try reconciledTransfers(from: from, to: to, batchID: batchID, pageSize: ReconciledTransferPage.defaultSize) { all += $0 }
        return all
    }

    /// The same rows a page at a time (`ReconciledTransferPage`), in one read transaction: one
    /// snapshot of the database however long `body` takes.
    package func reconciledTransfers(from: String?, to: String?, batchID: String?, pageSize: Int,
                                     _ body: ([ReconciledTransfer]) throws -> Void) throws {
        let (clauses, filter) = ReconciledTransferPage.filter(from: from, to: to, batchID: batchID) { _ in "?" }
        try read { db in
            let transfers = try db.cachedStatement(sql: "SELECT * FROM transfer" + StoreSQL.where(clauses) + " ORDER BY id LIMIT ?")
            let entries = try db.cachedStatement(sql: ReconciledTransferPage.entriesSQL(first: "?", last: "?"))
            let exceptions = try db.cachedStatement(sql: ReconciledTransferPage.exceptionsSQL(first: "?", last: "?"))
            var after = Int64.min
            while true {
                var arguments: StatementArguments = [after]
                arguments += StatementArguments(filter)
                arguments += [max(1, pageSize)]
                var page = ReconciledTransferPage(try Row.fetchAll(transfers, arguments: arguments).map(SQLiteLedger.record))
                guard let (first, last) = page.bounds else { return }
                let entryRows = try Row.fetchCursor(entries, arguments: [first, last])
                while let row = try entryRows.next() {
                    page.entry(transfer: row[1], kind: row[2]) {
                        var entry = MatchedEntry.make(entryID: row[0], statementId: row[7], sequence: row[8], line: row[3], sourceFile: row[9],
                                                      valueDate: row[4], bankReference: row[5], amount: row[6])
                        entry.amountSenPart = row[10]
                        return entry
                    }
                }
                let exceptionRows = try Row.fetchCursor(exceptions, arguments: [first, last])
                while let row = try exceptionRows.next() { page.exception(transfer: row[0], kind: row[1]) }
                try body(page.transfers)
                after = last
            }
        }
    }

    /// Every stored statement whose dates touch `period` (all when nil), with how it reconciles and
    /// whether its opening balance follows on from the previous statement of the same account.
    package func statementChecks(period: Period?) throws -> [StatementCheck] {
        try read { db in
            var gaps: [Int64: Int64?] = [:]
            var last: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT id, account_no, opening_balance, closing_balance FROM statement
                ORDER BY account_no, closing_date, opening_date, id
                """) {
                let account: String = row["account_no"]
                let opening: Int64 = row["opening_balance"]
                gaps[row["id"]] = last[account].map { opening - $0 }
                last[account] = row["closing_balance"]
            }
            var filter = ""
            var arguments: StatementArguments = []
            if let period {
                filter = " WHERE s.opening_date <= ? AND s.closing_date >= ?"
                let (first, last) = StatementPeriod.bounds(period)
                arguments = [last, first]
            }
            var checks = try Row.fetchAll(db, sql: """
                SELECT s.*,
                    (SELECT count(*) FROM statement_entry e WHERE e.statement_row = s.id AND e.status = 'booked' AND e.direction = 'debit'
                        AND e.match_kind IN (\(StoreSQL.list(MatchKind.paid)))) AS matched,
                    (SELECT coalesce(sum(amount), 0) FROM statement_entry e WHERE e.statement_row = s.id AND e.status = 'booked'
                        AND e.direction = 'debit' AND e.match_kind IN (\(StoreSQL.list(MatchKind.paid)))) AS matched_amount,
                    (SELECT count(*) FROM statement_entry e WHERE e.statement_row = s.id AND e.match_kind = 'weak') AS weak,
                    (SELECT count(*) FROM statement_entry e WHERE e.statement_row = s.id AND e.match_kind = 'duplicate') AS duplicates,
                    (SELECT count(*) FROM statement_entry e WHERE e.statement_row = s.id AND e.status = 'booked' AND e.direction = 'debit'
                        AND e.match_kind IS NULL AND e.bank_item IS NULL) AS unmatched,
                    (SELECT coalesce(sum(amount), 0) FROM statement_entry e WHERE e.statement_row = s.id AND e.status = 'booked'
                        AND e.direction = 'debit' AND e.match_kind IS NULL AND e.bank_item IS NULL) AS unmatched_amount,
                    (SELECT count(*) FROM statement_entry e WHERE e.statement_row = s.id AND e.match_kind = 'return') AS returns,
                    (SELECT count(*) FROM reconciliation_exception x JOIN statement_entry e ON e.id = x.entry_id
                        WHERE e.statement_row = s.id AND x.state = 'open') AS open_exceptions
                FROM statement s\(filter)
                ORDER BY s.account_no, s.closing_date, s.opening_date, s.id
                """, arguments: arguments).map { row in
                let opening: Int64 = row["opening_balance"], closing: Int64 = row["closing_balance"]
                let credits: Int64 = row["credit_total"], debits: Int64 = row["debit_total"]
                let (sum, overflow1) = opening.addingReportingOverflow(credits)
                let (computed, overflow2) = sum.subtractingReportingOverflow(debits)
                return StatementCheck.make(
                    rowID: row["id"], accountNo: row["account_no"], statementId: row["statement_id"], sequence: row["sequence"],
                    format: row["format"], openingDate: row["opening_date"], closingDate: row["closing_date"], openingBalance: opening,
                    creditCount: row["credit_count"], creditTotal: credits, debitCount: row["debit_count"], debitTotal: debits,
                    closingBalance: closing, balanced: !overflow1 && !overflow2 && computed == closing,
                    gapFromPrevious: gaps[row["id"] as Int64] ?? nil, matchedDebits: row["matched"], matchedAmount: row["matched_amount"],
                    weakDebits: row["weak"], duplicateDebits: row["duplicates"], unmatchedDebits: row["unmatched"],
                    unmatchedAmount: row["unmatched_amount"], returns: row["returns"], openExceptions: row["open_exceptions"],
                    sourceFile: row["source_file"], fileSHA256: row["file_sha256"], importedBy: row["imported_by"],
                    importedAt: row["imported_at"])
            }
            let statements = try Row.fetchAll(db, sql: StatementCheckSen.statementsSQL).map { row in
                StatementCheckSen.StatementRow(
                    id: row[0], accountNo: row[1], opening: (row[2], row[3]), closing: (row[4], row[5]), credits: (row[6], row[7]),
                    debits: (row[8], row[9]), openingDerivedFrom: row[10])
            }
            var debits: [Int64: (matched: Int64, unmatched: Int64)] = [:]
            for row in try Row.fetchAll(db, sql: StatementCheckSen.debitsSQL) { debits[row[0]] = (row[1], row[2]) }
            let items = try Row.fetchAll(db, sql: StatementCheckSen.bankItemsSQL).map { row in
                (statement: row[0] as Int64, kind: row[1] as String, count: row[2] as Int, sen: row[3] as Int64)
            }
            StatementCheckSen.fill(&checks, statements: statements, debits: debits, bankItems: items)
            return checks
        }
    }

    /// Records that `actor` wrote an export file with this SHA-256, so the file can later be proved
    /// to be the one Salur produced.
    package func recordExport(kind: String, destination: String, sha256: String, rows: Int, details: [String: String],
                              actor: String) throws {
        try write("recording an export") { db in
            var facts = details
            facts["sha256"] = sha256
            facts["rows"] = String(rows)
            try SQLiteLedger.audit(db, actor: actor, action: "export.\(kind)", subject: destination, details: facts)
        }
    }
}
