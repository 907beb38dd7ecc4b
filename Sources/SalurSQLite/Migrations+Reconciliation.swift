import GRDB
import SalurStore

extension Migrations {
    /// Bank statements as received, their entries with the transfer each was matched to, and the
    /// exceptions reconciliation found, with their resolution.
    static func registerReconciliation(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(SchemaStep.v4) { db in
            try db.execute(sql: """
                CREATE TABLE statement (
                    id INTEGER PRIMARY KEY,
                    account_no TEXT NOT NULL,
                    statement_id TEXT NOT NULL,
                    sequence TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    format TEXT NOT NULL CHECK (format IN ('mt940', 'camt053', 'csv')),
                    currency TEXT NOT NULL,
                    opening_balance INTEGER NOT NULL,
                    closing_balance INTEGER NOT NULL,
                    opening_date TEXT NOT NULL,
                    closing_date TEXT NOT NULL,
                    entry_count INTEGER NOT NULL,
                    debit_count INTEGER NOT NULL,
                    debit_total INTEGER NOT NULL,
                    credit_count INTEGER NOT NULL,
                    credit_total INTEGER NOT NULL,
                    source_file TEXT NOT NULL,
                    source_line INTEGER NOT NULL,
                    file_sha256 TEXT NOT NULL,
                    imported_by TEXT NOT NULL,
                    imported_at TEXT NOT NULL,
                    UNIQUE (account_no, statement_id, sequence, content_hash)
                );
                CREATE INDEX statement_period ON statement (account_no, statement_id, sequence, opening_date, closing_date);
                CREATE INDEX statement_closing ON statement (closing_date);

                CREATE TABLE statement_entry (
                    id INTEGER PRIMARY KEY,
                    statement_row INTEGER NOT NULL REFERENCES statement (id),
                    position INTEGER NOT NULL,
                    value_date TEXT NOT NULL,
                    booking_date TEXT,
                    direction TEXT NOT NULL CHECK (direction IN ('debit', 'credit')),
                    amount INTEGER NOT NULL CHECK (amount >= 0),
                    is_reversal INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('booked', 'pending')),
                    bank_reference TEXT NOT NULL,
                    customer_reference TEXT NOT NULL,
                    counterparty_account TEXT,
                    counterparty_name TEXT,
                    description TEXT NOT NULL,
                    line INTEGER NOT NULL,
                    transfer_id INTEGER REFERENCES transfer (id),
                    match_kind TEXT CHECK (match_kind IN ('reference', 'weak', 'duplicate', 'return')),
                    CHECK ((transfer_id IS NULL) = (match_kind IS NULL)),
                    UNIQUE (statement_row, position)
                );
                CREATE INDEX statement_entry_transfer ON statement_entry (transfer_id);

                CREATE TABLE reconciliation_exception (
                    id INTEGER PRIMARY KEY,
                    key TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL CHECK (kind IN ('missing_from_statement', 'unknown_debit', 'duplicate_payment',
                                                       'amount_differs', 'returned', 'failed_but_debited', 'debited_not_settled')),
                    state TEXT NOT NULL CHECK (state IN ('open', 'resolved', 'cleared')),
                    transfer_id INTEGER REFERENCES transfer (id),
                    entry_id INTEGER REFERENCES statement_entry (id),
                    other_entry_id INTEGER REFERENCES statement_entry (id),
                    amount INTEGER NOT NULL,
                    day TEXT NOT NULL,
                    evidence TEXT NOT NULL,
                    detected_at TEXT NOT NULL,
                    detected_by TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    resolved_by TEXT,
                    resolved_at TEXT,
                    resolution TEXT,
                    cleared_at TEXT,
                    CHECK ((state = 'resolved') = (resolution IS NOT NULL))
                );
                CREATE INDEX reconciliation_exception_state ON reconciliation_exception (state, kind);
                CREATE INDEX reconciliation_exception_transfer ON reconciliation_exception (transfer_id);
                """)
        }
    }
}
