import GRDB
import SalurStore

extension Migrations {
    /// The recipient table rebuilt so that a first import of a million recipients is a plain append,
    /// and the opening counts kept in a tally instead of counted on every `accounts status`.
    ///
    /// - The uniqueness of NIKs and account numbers moves from column constraints (whose indexes
    ///   SQLite cannot drop) to named unique indexes, which a first import builds once at its end
    ///   from sorted data instead of growing them row by row. The account-number index holds the
    ///   accounts only (many NULLs were never a conflict).
    /// - The CHECKs say `a = 'x' OR a = 'y'` rather than `a IN ('x', 'y')`: SQLite 3.40 evaluates a
    ///   CHECK's IN list by building two temporary indexes for every row written, which cost more
    ///   than the insert itself. Same meaning, NULL included.
    /// - The engine's list of accounts to check becomes a partial index on exactly those rows.
    /// - `recipient_tally` counts recipients per programme, district, opening state and rejection
    ///   reason ('' when none); triggers keep it in step with every insert, update and delete.
    ///   It replaces the index `recipient_opening`, which each status read scanned whole.
    static func registerRecipientTally(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(SchemaStep.v6) { db in
            try db.execute(sql: """
                CREATE TABLE recipient_v6 (
                    id INTEGER PRIMARY KEY,
                    nik TEXT NOT NULL,
                    name TEXT NOT NULL,
                    program TEXT NOT NULL,
                    district TEXT NOT NULL,
                    phone TEXT NOT NULL,
                    opening_state TEXT NOT NULL
                        CHECK (opening_state = 'not_requested' OR opening_state = 'requested'
                               OR opening_state = 'opened' OR opening_state = 'rejected'),
                    account_no TEXT,
                    rejection_reason TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    account_check TEXT
                        CHECK (account_check = 'active' OR account_check = 'name_mismatch'
                               OR account_check = 'inactive' OR account_check = 'unknown'),
                    account_checked_at TEXT,
                    bank_account_name TEXT,
                    CHECK ((opening_state = 'opened') = (account_no IS NOT NULL)),
                    CHECK ((opening_state = 'rejected') = (rejection_reason IS NOT NULL))
                );
                INSERT INTO recipient_v6 SELECT id, nik, name, program, district, phone, opening_state, account_no,
                    rejection_reason, created_at, updated_at, account_check, account_checked_at, bank_account_name
                FROM recipient;
                DROP TABLE recipient;
                ALTER TABLE recipient_v6 RENAME TO recipient;
                CREATE UNIQUE INDEX recipient_nik ON recipient (nik);
                CREATE UNIQUE INDEX recipient_account ON recipient (account_no) WHERE account_no IS NOT NULL;
                CREATE INDEX recipient_unchecked ON recipient (id) WHERE opening_state = 'opened' AND account_checked_at IS NULL;

                CREATE TABLE recipient_tally (
                    program TEXT NOT NULL,
                    district TEXT NOT NULL,
                    opening_state TEXT NOT NULL,
                    rejection_reason TEXT NOT NULL,
                    n INTEGER NOT NULL CHECK (n >= 0),
                    PRIMARY KEY (program, district, opening_state, rejection_reason)
                ) WITHOUT ROWID;
                INSERT INTO recipient_tally
                SELECT program, district, opening_state, coalesce(rejection_reason, ''), count(*)
                FROM recipient GROUP BY 1, 2, 3, 4;
                CREATE TRIGGER recipient_tally_insert AFTER INSERT ON recipient BEGIN
                    INSERT INTO recipient_tally (program, district, opening_state, rejection_reason, n)
                    VALUES (new.program, new.district, new.opening_state, coalesce(new.rejection_reason, ''), 1)
                    ON CONFLICT DO UPDATE SET n = n + 1;
                END;
                CREATE TRIGGER recipient_tally_update AFTER UPDATE OF program, district, opening_state, rejection_reason ON recipient BEGIN
                    UPDATE recipient_tally SET n = n - 1
                    WHERE program = old.program AND district = old.district AND opening_state = old.opening_state
                      AND rejection_reason = coalesce(old.rejection_reason, '');
                    INSERT INTO recipient_tally (program, district, opening_state, rejection_reason, n)
                    VALUES (new.program, new.district, new.opening_state, coalesce(new.rejection_reason, ''), 1)
                    ON CONFLICT DO UPDATE SET n = n + 1;
                END;
                CREATE TRIGGER recipient_tally_delete AFTER DELETE ON recipient BEGIN
                    UPDATE recipient_tally SET n = n - 1
                    WHERE program = old.program AND district = old.district AND opening_state = old.opening_state
                      AND rejection_reason = coalesce(old.rejection_reason, '');
                END;
                """)
        }
    }
}
