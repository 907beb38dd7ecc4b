import Foundation
import GRDB
import PostgresNIO
import SalurCore
import SalurPostgres
@testable import SalurSQLite
@testable import SalurStore
import SalurTestSupport
import Testing

/// The store backends the same cases run against: a temporary SQLite file, and a fresh database on
/// the test PostgreSQL cluster (left out only when no cluster is configured — see `PostgresScratch`).
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// The backends to run: PostgreSQL only when a test cluster is there (or required, when its
    /// absence fails the cases instead).
    static var available: [Backend] { PostgresScratch.isEnabled ? allCases : [.sqlite] }

    /// A new, empty store of this kind.
    func open() async throws -> TestStore {
        switch self {
        case .sqlite:
            let dir = try TemporaryDirectory()
            let path = dir.file("salur.db")
            return TestStore(backend: self, store: try SQLiteLedger(path: path, clock: .testDay), sqlitePath: path, directory: dir, postgres: nil)
        case .postgres:
            let ledger = try await PostgresLedger(target: try await PostgresScratch.freshTarget(prefix: "store"), clock: .testDay)
            return TestStore(backend: self, store: ledger, sqlitePath: nil, directory: nil, postgres: ledger)
        }
    }
}

/// An open store under test, with raw SQL access (to tamper with it or to put transfers into the
/// states only the engine reaches) over a connection of its own.
struct TestStore: Sendable {
    let backend: Backend
    let store: any Ledger & TransferLedger
    let sqlitePath: String?
    let directory: TemporaryDirectory?
    let postgres: PostgresLedger?

    /// Runs statements (no results) in one transaction. Keep them in the SQL both databases speak.
    func sql(_ statements: String...) async throws {
        if let sqlitePath {
            let queue = try DatabaseQueue(path: sqlitePath)
            try await queue.write { db in for statement in statements { try db.execute(sql: statement) } }
        } else if let postgres {
            try await postgres.transaction("test SQL", audited: false) { connection in
                for statement in statements {
                    _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: Logger(label: "test"))
                }
            }
        }
    }

    /// `queue status`, when this store has it (it belongs to `EngineLedger`).
    func queueStatus() async throws -> QueueStatus? {
        guard let engine = store as? any EngineLedger else { return nil }
        return try await engine.queueStatus(now: Date())
    }

    func close() {
        postgres?.shutdown()
        directory?.remove()
    }

    // MARK: Fixture

    /// Imports the four fixture recipients, exports their requests and applies `answers`.
    func seed(answers: [String] = []) async throws {
        _ = try await store.importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester")
        _ = try await store.exportOpeningRequests(actor: "tester") { _ in "sha" }
        if !answers.isEmpty {
            _ = try await store.applyOpeningResults(Fixture.results(answers), source: Fixture.results, actor: "tester")
        }
    }

    /// Every fixture recipient with an opened account `0011000000 0n`.
    func seedOpened() async throws {
        try await seed(answers: [
            "\(Fixture.yohanes),opened,001100000001,", "\(Fixture.maria),opened,001100000002,",
            "\(Fixture.petrus),opened,001100000003,", "\(Fixture.theresia),opened,001100000004,",
        ])
    }

    func states() async throws -> [String: AccountOpening] {
        Dictionary(uniqueKeysWithValues: try await store.recipients(matching: RecipientFilter()).map {
            ($0.recipient.nik.digits, $0.recipient.opening)
        })
    }

    func audit() async throws -> [AuditEntry] { try await store.auditTail(limit: 1_000_000) }

    /// What the store holds, for "nothing changed" checks.
    func snapshot() async throws -> Snapshot {
        Snapshot(recipients: try await store.recipients(matching: RecipientFilter()), audit: try await audit(),
                 transfers: try await store.transferRecords(from: nil, to: nil), batches: try await store.batches(state: nil, id: nil))
    }

    struct Snapshot: Equatable {
        let recipients: [StoredRecipient]
        let audit: [AuditEntry]
        let transfers: [TransferRecord]
        let batches: [BatchSummary]
    }
}

/// The month batch ids are numbered in (`B-2026-11-0001`).
var batchMonth: String { String(Timestamp.iso8601(WallClock.testDay.now).prefix(7)) }

func batchID(_ n: Int) -> String { "B-\(batchMonth)-" + String(repeating: "0", count: max(0, 4 - String(n).count)) + String(n) }

/// Runs `body` and returns what it threw, as its description ("no error" when it threw nothing).
func failure(_ body: () async throws -> Void) async -> String {
    do {
        try await body()
        return "no error"
    } catch {
        return String(describing: error)
    }
}

/// Runs `body` and returns the `ImportFailure` issues it throws, as `FILE:LINE: field: reason` lines.
func importIssues(_ body: () async throws -> Void) async -> [String] {
    do {
        try await body()
        Issue.record("expected an ImportFailure, but nothing was thrown")
    } catch let failure as ImportFailure {
        return failure.issues.map(\.description)
    } catch {
        Issue.record("expected an ImportFailure, got \(error)")
    }
    return []
}
