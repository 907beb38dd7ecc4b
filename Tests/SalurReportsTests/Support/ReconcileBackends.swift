import Foundation
import GRDB
import Logging
import PostgresNIO
import SalurCore
import SalurPostgres
import SalurReports
import SalurStatements
import SalurStore
import SalurTestSupport
import Testing

/// The stores reconciliation runs on: a temporary SQLite file, and a fresh database on the test
/// PostgreSQL cluster (left out when no cluster is configured — see `PostgresScratch`).
enum ReconBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }

    static var available: [ReconBackend] { PostgresScratch.isEnabled ? allCases : [.sqlite] }

    func open() async throws -> StoreFixture {
        switch self {
        case .sqlite:
            let fixture = try ReconcileFixture()
            return StoreFixture(backend: self, store: fixture.ledger, sqlite: fixture, postgres: nil)
        case .postgres:
            let ledger = try await PostgresLedger(target: try await PostgresScratch.freshTarget(prefix: "recon"), clock: .testDay)
            return StoreFixture(backend: self, store: ledger, sqlite: nil, postgres: ledger)
        }
    }
}

/// `ReconcileFixture` on either store, through `SalurStoreBackend` only (plus raw SQL to seed and
/// to tamper, in the SQL both databases speak).
struct StoreFixture: Sendable {
    let backend: ReconBackend
    let store: any SalurStoreBackend
    let sqlite: ReconcileFixture?
    let postgres: PostgresLedger?

    func close() {
        sqlite?.remove()
        postgres?.shutdown()
    }

    /// Inserts transfers directly, as the engine would have left them (see `ReconcileFixture.Seed`).
    func seed(_ seeds: [ReconcileFixture.Seed]) async throws {
        func text(_ value: String?) -> String { value.map { "'\($0.replacingOccurrences(of: "'", with: "''"))'" } ?? "NULL" }
        for s in seeds {
            try await sql("""
                INSERT INTO transfer (id, partner_reference_no, dedupe_key, kind, nik, beneficiary_name, beneficiary_account, program,
                    period, amount, state, batch_id, attempts, external_id, bank_reference_no, last_code, enqueued_by, created_at,
                    updated_at, settled_at)
                VALUES (\(s.id), \(text(s.partnerReference)), \(text("seed:\(s.id)")), 'intrabank', \(text(s.nik)), \(text(s.name)),
                    \(text(s.account)), 'BANSOS-NT', '2026-11', \(s.amount), \(text(s.state)), \(text(s.batch)), 1,
                    \(text(String(9_000_000 + s.id))), \(text(s.bankReference)), \(text(s.state == "failed" ? "4041711" : nil)), 'maker',
                    '2026-11-23T01:00:00.000Z', '2026-11-23T03:00:00.000Z', \(text(s.state == "settled" ? s.settledAt : nil)))
                """)
        }
    }

    /// Reads, checks, stores and matches a statement file's text, as `salurctl reconcile FILE` does.
    @discardableResult
    func reconcile(_ text: String, file: String = "bank.sta", format: StatementFormat? = nil, today: String = "2026-11-24",
                   missingAfterDays: Int = 3, actor: String = "operator", bankItems: [BankItemRule] = []) async throws -> ReconciliationRun {
        var statement = try StatementFile(bytes: Array(text.utf8), file: file, format: format, csvMapping: nil,
                                          sourceAccount: ReconcileFixture.source)
        if !statement.openingsNeeded.isEmpty {
            try statement.deriveOpenings(from: StatementFile.StoredClosing.from(try await store.statementChecks(period: nil)))
        }
        let classifier = BankItemClassifier(rules: bankItems)
        return try await store.reconcile(statements: statement.records(sourceFile: file),
                                         file: SourceFile(path: file, sha256: statement.sha256), actor: actor,
                                         today: CalendarDate(today)!, missingAfterDays: missingAfterDays, utcOffsetHours: 7,
                                         match: { Reconciler.match($0, bankItems: classifier) })
    }

    /// Matches again what is stored, as `salurctl reconcile` without a file does.
    @discardableResult
    func rematch(today: String = "2026-11-24", missingAfterDays: Int = 3, bankItems: [BankItemRule] = []) async throws -> ReconciliationRun {
        let classifier = BankItemClassifier(rules: bankItems)
        return try await store.reconcile(statements: [], file: nil, actor: "operator", today: CalendarDate(today)!,
                                         missingAfterDays: missingAfterDays, utcOffsetHours: 7,
                                         match: { Reconciler.match($0, bankItems: classifier) })
    }

    func openExceptions() async throws -> [ReconciliationException] { try await store.reconciliationExceptions(ExceptionFilter()) }

    func allExceptions() async throws -> [ReconciliationException] {
        try await store.reconciliationExceptions(ExceptionFilter(states: ["open", "resolved", "cleared"]))
    }

    func transferState(_ id: Int64) async throws -> String {
        try await strings("SELECT state FROM transfer WHERE id = \(id)").first ?? ""
    }

    /// The first column of the first row of a query returning one integer.
    func count(_ query: String) async throws -> Int {
        if let sqlite {
            return try await DatabaseQueue(path: sqlite.path).read { db in try Int.fetchOne(db, sql: query) ?? -1 }
        }
        guard let postgres else { return -1 }
        return try await postgres.withConnection("test SQL") { connection in
            try await connection.query(PostgresQuery(unsafeSQL: query), logger: Logger(label: "test")).collect().first?.decode(Int.self) ?? -1
        }
    }

    /// Runs statements (no results) in one transaction.
    func sql(_ statements: String...) async throws {
        if let sqlite {
            try await DatabaseQueue(path: sqlite.path).write { db in for statement in statements { try db.execute(sql: statement) } }
        } else if let postgres {
            try await postgres.transaction("test SQL", audited: false) { connection in
                for statement in statements {
                    _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: Logger(label: "test"))
                }
            }
        }
    }

    /// Each row of a query as its columns' text joined by `|` (NULL as `∅`).
    func strings(_ query: String) async throws -> [String] {
        if let sqlite {
            return try await DatabaseQueue(path: sqlite.path).read { db in
                try Row.fetchAll(db, sql: query).map { row in
                    row.databaseValues.map { $0.isNull ? "∅" : (String.fromDatabaseValue($0) ?? $0.description) }.joined(separator: "|")
                }
            }
        }
        guard let postgres else { return [] }
        return try await postgres.withConnection("test SQL") { connection in
            var result: [String] = []
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: query), logger: Logger(label: "test")) {
                result.append(row.map { cell in cell.bytes.map { String(buffer: $0) } ?? "∅" }.joined(separator: "|"))
            }
            return result
        }
    }

    /// Every row of the reconciliation tables, the transfers and the audit log, to prove a run changed nothing.
    func dump() async throws -> [String] {
        var rows: [String] = []
        for (table, order) in [("statement", "id"), ("statement_entry", "id"), ("reconciliation_exception", "id"), ("transfer", "id"),
                               ("audit_log", "seq")] {
            rows += try await strings("SELECT * FROM \(table) ORDER BY \(order)").map { "\(table): \($0)" }
        }
        return rows
    }
}
