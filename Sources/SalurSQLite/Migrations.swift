import GRDB
import SalurStore

/// The schema, as named steps. A step, once released, is never edited: change the schema by adding one.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(SchemaStep.v1) { db in
            try db.execute(sql: """
                CREATE TABLE recipient (
                    id INTEGER PRIMARY KEY,
                    nik TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    program TEXT NOT NULL,
                    district TEXT NOT NULL,
                    phone TEXT NOT NULL,
                    opening_state TEXT NOT NULL
                        CHECK (opening_state IN ('not_requested', 'requested', 'opened', 'rejected')),
                    account_no TEXT UNIQUE,
                    rejection_reason TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    CHECK ((opening_state = 'opened') = (account_no IS NOT NULL)),
                    CHECK ((opening_state = 'rejected') = (rejection_reason IS NOT NULL))
                );
                CREATE INDEX recipient_opening ON recipient (opening_state, rejection_reason);

                CREATE TABLE audit_log (
                    seq INTEGER PRIMARY KEY,
                    at TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    details TEXT NOT NULL,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration(SchemaStep.v2) { db in
            try db.execute(sql: """
                CREATE TABLE batch (
                    id TEXT PRIMARY KEY,
                    program TEXT NOT NULL,
                    period TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('awaiting_approval', 'approved', 'posting', 'held', 'cancelled', 'done')),
                    item_count INTEGER NOT NULL,
                    amount INTEGER NOT NULL,
                    makers TEXT NOT NULL,
                    approved_by TEXT,
                    approved_at TEXT,
                    hold_reason TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX batch_state ON batch (state);

                CREATE TABLE transfer (
                    id INTEGER PRIMARY KEY,
                    partner_reference_no TEXT NOT NULL UNIQUE,
                    dedupe_key TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL CHECK (kind IN ('intrabank', 'interbank')),
                    recipient_id INTEGER REFERENCES recipient (id),
                    nik TEXT,
                    beneficiary_name TEXT NOT NULL,
                    beneficiary_account TEXT NOT NULL,
                    beneficiary_bank_code TEXT,
                    program TEXT NOT NULL,
                    period TEXT NOT NULL,
                    amount INTEGER NOT NULL CHECK (amount > 0),
                    remark TEXT NOT NULL DEFAULT '',
                    state TEXT NOT NULL CHECK (state IN ('pending', 'awaiting_approval', 'approved', 'sending', 'in_doubt',
                                                         'retry_wait', 'settled', 'failed', 'held', 'cancelled', 'returned')),
                    batch_id TEXT REFERENCES batch (id),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    round_attempts INTEGER NOT NULL DEFAULT 0,
                    inquiries INTEGER NOT NULL DEFAULT 0,
                    external_id TEXT,
                    bank_reference_no TEXT,
                    next_action_at TEXT,
                    last_code TEXT,
                    last_message TEXT,
                    enqueued_by TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    settled_at TEXT
                );
                CREATE INDEX transfer_work ON transfer (state, next_action_at);
                CREATE INDEX transfer_batch ON transfer (batch_id, state);

                CREATE TABLE transfer_attempt (
                    id INTEGER PRIMARY KEY,
                    transfer_id INTEGER NOT NULL REFERENCES transfer (id),
                    attempt_no INTEGER NOT NULL,
                    external_id TEXT NOT NULL UNIQUE,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    outcome TEXT,
                    code TEXT,
                    message TEXT,
                    UNIQUE (transfer_id, attempt_no)
                );

                CREATE TABLE engine_lease (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    pid INTEGER NOT NULL,
                    host TEXT NOT NULL,
                    version TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    heartbeat_at TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT ''
                );
                """)
        }
        registerPayroll(&migrator)
        registerReconciliation(&migrator)
        registerAccountCheck(&migrator)
        registerRecipientTally(&migrator)
        registerAccountStatus(&migrator)
        registerSendMark(&migrator)
        registerRequestIDs(&migrator)
        registerRetryAsk(&migrator)
        registerStatementSen(&migrator)
        registerTransferService(&migrator)
        registerReconciliationBasis(&migrator)
        registerQueueStatus(&migrator)
        registerReconciliationMarks(&migrator)
        return migrator
    }
}
