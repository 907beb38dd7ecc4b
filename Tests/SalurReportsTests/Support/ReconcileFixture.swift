import Foundation
import GRDB
import SalurCore
import SalurReports
import SalurSQLite
import SalurStatements
import SalurStore
import SalurTestSupport

/// A treasury database with hand-made transfers, and statements reconciled into it.
struct ReconcileFixture {
    static let source = "0011999999"

    let directory: String
    let ledger: SQLiteLedger
    var path: String { directory + "/salur.sqlite" }

    init() throws {
        directory = NSTemporaryDirectory() + "salur-recon-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        ledger = try SQLiteLedger(path: directory + "/salur.sqlite", clock: .testDay)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// A transfer as seeded: `SLR` + id, to `account`, settled at `settledAt` (UTC) when given.
    struct Seed {
        var id: Int64
        var state: String = "settled"
        var amount: Int64 = 300_000
        var account: String
        var bankReference: String?
        /// UTC; 2026-11-23T03:00Z is 10:00 WIB on 2026-11-23.
        var settledAt: String? = "2026-11-23T03:00:00.000Z"
        var nik: String?
        var name: String = "Yohanes Ndun"
        var batch: String? = nil

        var partnerReference: String { "SLR" + String(repeating: "0", count: 12 - String(id).count) + String(id) }
    }

    /// Inserts transfers directly, as the engine would have left them.
    func seed(_ seeds: [Seed]) throws {
        try DatabaseQueue(path: path).write { db in
            for s in seeds {
                try db.execute(sql: """
                    INSERT INTO transfer (id, partner_reference_no, dedupe_key, kind, nik, beneficiary_name, beneficiary_account, program,
                        period, amount, state, batch_id, attempts, external_id, bank_reference_no, last_code, enqueued_by, created_at,
                        updated_at, settled_at)
                    VALUES (?, ?, ?, 'intrabank', ?, ?, ?, 'BANSOS-NT', '2026-11', ?, ?, ?, 1, ?, ?, ?, 'maker',
                            '2026-11-23T01:00:00.000Z', '2026-11-23T03:00:00.000Z', ?)
                    """, arguments: [s.id, s.partnerReference, "seed:\(s.id)", s.nik, s.name, s.account, s.amount, s.state, s.batch,
                                     String(9_000_000 + s.id), s.bankReference, s.state == "failed" ? "4041711" : nil,
                                     s.state == "settled" ? s.settledAt : nil])
            }
        }
    }

    /// Reads, checks, stores and matches a statement file's text, as `salurctl reconcile FILE` does.
    @discardableResult
    func reconcile(_ text: String, file: String = "bank.sta", format: StatementFormat? = nil, csvMapping: CSVStatementMapping? = nil,
                   today: String = "2026-11-24", missingAfterDays: Int = 3, actor: String = "operator",
                   bankItems: [BankItemRule] = []) throws -> ReconciliationRun {
        let bytes = Array(text.utf8)
        var statement = try StatementFile(bytes: bytes, file: file, format: format, csvMapping: csvMapping, sourceAccount: Self.source)
        if !statement.openingsNeeded.isEmpty {
            try statement.deriveOpenings(from: StatementFile.StoredClosing.from(try ledger.statementChecks(period: nil)))
        }
        let source = SourceFile(path: file, sha256: statement.sha256)
        let classifier = BankItemClassifier(rules: bankItems)
        return try ledger.reconcile(statements: statement.records(sourceFile: file), file: source,
                                    actor: actor, today: CalendarDate(today)!, missingAfterDays: missingAfterDays, utcOffsetHours: 7,
                                    match: { Reconciler.match($0, bankItems: classifier) })
    }

    /// Matches again what is stored, as `salurctl reconcile` without a file does.
    @discardableResult
    func rematch(today: String = "2026-11-24", missingAfterDays: Int = 3, bankItems: [BankItemRule] = []) throws -> ReconciliationRun {
        let classifier = BankItemClassifier(rules: bankItems)
        return try ledger.reconcile(statements: [], file: nil, actor: "operator", today: CalendarDate(today)!,
                                    missingAfterDays: missingAfterDays, utcOffsetHours: 7,
                                    match: { Reconciler.match($0, bankItems: classifier) })
    }

    func openExceptions() throws -> [ReconciliationException] { try ledger.reconciliationExceptions() }

    func transferState(_ id: Int64) throws -> String {
        try DatabaseQueue(path: path).read { db in try String.fetchOne(db, sql: "SELECT state FROM transfer WHERE id = ?", arguments: [id]) ?? "" }
    }

    func sql(_ statement: String) throws {
        try DatabaseQueue(path: path).write { try $0.execute(sql: statement) }
    }

    func count(_ sql: String) throws -> Int {
        try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    /// Every row of the reconciliation tables and the audit log, to prove a re-import changed nothing.
    func dump() throws -> [String] {
        try DatabaseQueue(path: path).read { db in
            try ["statement", "statement_entry", "reconciliation_exception", "transfer", "audit_log"].flatMap { table in
                try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rowid").map { "\(table): \($0)" }
            }
        }
    }
}

/// MT940 lines joined with CRLF, as banks send them.
func mt940(_ lines: [String]) -> String { lines.joined(separator: "\r\n") + "\r\n" }
