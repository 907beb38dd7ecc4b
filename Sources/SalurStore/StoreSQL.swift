import SalurCore

/// The schema's steps, by the name each store records once it has applied one (SQLite's
/// `grdb_migrations`, PostgreSQL's `salur_migrations`): both stores apply the same steps under the same
/// names, each in its own dialect (PostgreSQL adds steps only a shared database needs). A step, once
/// released, is never renamed or edited.
package enum SchemaStep {
    package static let v1 = "v1 recipients, account openings, audit log"
    package static let v2 = "v2 transfers, batches, attempts"
    package static let v3 = "v3 agreements, budgets, payroll runs"
    package static let v4 = "v4 statements and reconciliation"
    package static let v5 = "v5 account verification, not-found answers, claim index"
    package static let v6 = "v6 recipients loaded in bulk, opening tally"
    package static let v7 = "v7 account status wordings, transfer account holds"
    package static let v8 = "v8 send mark, restore recovery, settle points"
    package static let v9 = "v9 request ids"
    package static let v10 = "v10 retry asks first"
    package static let v11 = "v11 statement sen, bank items"
    package static let v12 = "v12 transfer service"
    package static let v14 = "v14 statement files, reconciliation basis"
    package static let v15 = "v15 claim index with amounts, transfers by recipient"
    package static let v20 = "v20 reconciliation status marked by settlement hour"
}

/// SQL text both stores run as it is: statements written the same in SQLite's and PostgreSQL's
/// dialect, and how a list of states becomes an SQL list.
package enum StoreSQL {
    /// `queue status`'s oldest waiting transfer: the first queued (lowest id) of each waiting state,
    /// found by the index `transfer_claim` (state, id) without reading the others.
    package static let oldestWaitingCreatedAt = """
        SELECT min(created_at) FROM transfer WHERE id IN (
            SELECT min(id) FROM transfer WHERE state = 'pending' UNION ALL
            SELECT min(id) FROM transfer WHERE state = 'awaiting_approval' UNION ALL
            SELECT min(id) FROM transfer WHERE state = 'approved' UNION ALL
            SELECT min(id) FROM transfer WHERE state = 'retry_wait')
        """

    /// `state IN (…)` text for a list of states: `'a', 'b'`. The states are Salur's own constants,
    /// never operator input.
    package static func list<State: RawRepresentable>(_ states: [State]) -> String where State.RawValue == String {
        states.map { "'\($0.rawValue)'" }.joined(separator: ", ")
    }

    /// ` WHERE a AND b`, or nothing for no clauses.
    package static func `where`(_ clauses: [String]) -> String {
        clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
    }

    /// The audit chain's head: the row a new one chains to.
    package static let auditHead = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
    /// Whether no recipient is stored yet (a first import appends in bulk).
    package static let noRecipients = "SELECT NOT EXISTS (SELECT 1 FROM recipient)"
    package static let lastStatementID = "SELECT coalesce(max(id), 0) FROM statement"
    package static let lastStatementEntryID = "SELECT coalesce(max(id), 0) FROM statement_entry"
    package static let countStatements = "SELECT count(*) FROM statement"
    /// Every stored statement, by the reference its entries' matches name.
    package static let statementReferences = "SELECT id, statement_id, sequence, source_file FROM statement"
    /// Every exception found so far, by key (a run opens, reopens, refreshes or clears each).
    package static let exceptionsByKey = "SELECT id, key, state, evidence FROM reconciliation_exception"

    /// Schema step v11 (statements in sen, bank items) in either dialect, `integer` being its 64-bit
    /// integer type: each amount column keeps its whole rupiah, a `_sen_part` column beside it the sen
    /// beyond them (default 0: statements stored before carry none), and each entry its transaction
    /// code and bank item (NULL: none).
    package static func statementSenStep(integer: String) -> String {
        func sen(_ table: String, _ column: String, _ range: String) -> String {
            "ALTER TABLE \(table) ADD COLUMN \(column) \(integer) NOT NULL DEFAULT 0 CHECK (\(column) BETWEEN \(range));"
        }
        return [
            sen("statement", "opening_balance_sen_part", "-99 AND 99"), sen("statement", "closing_balance_sen_part", "-99 AND 99"),
            sen("statement", "debit_total_sen_part", "0 AND 99"), sen("statement", "credit_total_sen_part", "0 AND 99"),
            "ALTER TABLE statement ADD COLUMN opening_derived_from TEXT;",
            sen("statement_entry", "amount_sen_part", "0 AND 99"),
            "ALTER TABLE statement_entry ADD COLUMN transaction_code TEXT NOT NULL DEFAULT '';",
            "ALTER TABLE statement_entry ADD COLUMN bank_item TEXT CHECK (bank_item IN ("
                + BankItemKind.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ") + "));",
        ].joined(separator: "\n")
    }
}
