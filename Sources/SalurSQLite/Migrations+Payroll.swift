import GRDB
import SalurStore

extension Migrations {
    /// Step v3: BPJS Ketenagakerjaan agreements (PKS), budget envelopes, and premium runs with
    /// their lines. A run's totals are stored beside its lines so that reports and remittances read
    /// one row; the CHECKs keep every stored total the sum of its lines' parts.
    static func registerPayroll(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(SchemaStep.v3) { db in
            try db.execute(sql: """
                CREATE TABLE agreement (
                    id TEXT PRIMARY KEY,
                    employer TEXT NOT NULL,
                    programmes TEXT NOT NULL,
                    risk_class INTEGER NOT NULL CHECK (risk_class BETWEEN 1 AND 5),
                    valid_from TEXT NOT NULL,
                    valid_to TEXT NOT NULL,
                    bpjs_account TEXT NOT NULL,
                    bpjs_bank_code TEXT NOT NULL,
                    work_units TEXT,
                    created_by TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    CHECK (valid_from <= valid_to)
                );

                CREATE TABLE budget (
                    id TEXT PRIMARY KEY,
                    agency TEXT NOT NULL,
                    year INTEGER NOT NULL,
                    amount INTEGER NOT NULL CHECK (amount > 0),
                    bpjs_account TEXT,
                    bpjs_bank_code TEXT,
                    created_by TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    CHECK ((bpjs_account IS NULL) = (bpjs_bank_code IS NULL))
                );

                CREATE TABLE premium_run (
                    id INTEGER PRIMARY KEY,
                    kind TEXT NOT NULL CHECK (kind IN ('payroll', 'bpu')),
                    agreement_id TEXT REFERENCES agreement (id),
                    budget_id TEXT REFERENCES budget (id),
                    period TEXT NOT NULL,
                    revision INTEGER NOT NULL CHECK (revision >= 1),
                    source_path TEXT NOT NULL,
                    source_sha256 TEXT NOT NULL,
                    line_count INTEGER NOT NULL,
                    employer_total INTEGER NOT NULL,
                    employee_total INTEGER NOT NULL,
                    grand_total INTEGER NOT NULL CHECK (grand_total = employer_total + employee_total),
                    remittances INTEGER NOT NULL DEFAULT 0,
                    remittance_transfer_id INTEGER REFERENCES transfer (id),
                    imported_by TEXT NOT NULL,
                    imported_at TEXT NOT NULL,
                    CHECK ((kind = 'payroll') = (agreement_id IS NOT NULL AND budget_id IS NULL)),
                    CHECK ((kind = 'bpu') = (budget_id IS NOT NULL AND agreement_id IS NULL)),
                    UNIQUE (agreement_id, period),
                    UNIQUE (budget_id, period)
                );
                CREATE INDEX premium_run_period ON premium_run (period, kind);

                CREATE TABLE payroll_line (
                    run_id INTEGER NOT NULL REFERENCES premium_run (id),
                    line INTEGER NOT NULL,
                    employee_id TEXT NOT NULL,
                    nik TEXT NOT NULL,
                    name TEXT NOT NULL,
                    work_unit TEXT NOT NULL,
                    risk_class INTEGER NOT NULL,
                    wage INTEGER NOT NULL CHECK (wage > 0),
                    jkk INTEGER NOT NULL,
                    jkm INTEGER NOT NULL,
                    jht_employer INTEGER NOT NULL,
                    jht_employee INTEGER NOT NULL,
                    jp_employer INTEGER NOT NULL,
                    jp_employee INTEGER NOT NULL,
                    employer_total INTEGER NOT NULL CHECK (employer_total = jkk + jkm + jht_employer + jp_employer),
                    employee_total INTEGER NOT NULL CHECK (employee_total = jht_employee + jp_employee),
                    PRIMARY KEY (run_id, line)
                ) WITHOUT ROWID;

                CREATE TABLE bpu_line (
                    run_id INTEGER NOT NULL REFERENCES premium_run (id),
                    line INTEGER NOT NULL,
                    nik TEXT NOT NULL,
                    name TEXT NOT NULL,
                    occupation TEXT NOT NULL,
                    declared_income INTEGER NOT NULL CHECK (declared_income > 0),
                    jkk INTEGER NOT NULL,
                    jkm INTEGER NOT NULL,
                    jht INTEGER NOT NULL,
                    total INTEGER NOT NULL CHECK (total = jkk + jkm + jht),
                    PRIMARY KEY (run_id, line)
                ) WITHOUT ROWID;
                """)
        }
    }
}
