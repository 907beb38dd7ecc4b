import Foundation
import PostgresNIO
import SalurCore
import SalurPostgres
@testable import SalurSQLite
@testable import SalurStore
import SalurTestSupport
import Testing

/// Several `salurctl`s and `salurd`s on several hosts share one PostgreSQL database: two of them
/// acting at the same moment must not both do what only one may.
///
/// No timing is assumed: a third connection holds a lock that both operations need, the test waits
/// until PostgreSQL reports both of them waiting for a lock, then lets go — so they are certain to
/// overlap.
@Suite("PostgreSQL store under concurrent writers", .enabled(if: PostgresScratch.isEnabled))
struct BackendConcurrencyTests {
    static let rules = BatchingRules(maxItems: 500, maxAmount: Rupiah(1_000_000_000), approvalRequired: true)

    @Test("two officials approving the same batch at once: exactly one succeeds, the other is refused, the chain verifies")
    func concurrentApprovals() async throws {
        let target = try await PostgresScratch.freshTarget(prefix: "race")
        let first = try await PostgresLedger(target: target, clock: .testDay), second = try await PostgresLedger(target: target, clock: .testDay)
        let blocker = try await PostgresLedger(target: target, clock: .testDay)
        defer { first.shutdown(); second.shutdown(); blocker.shutdown() }
        let s = TestStore(backend: .postgres, store: first, sqlitePath: nil, directory: nil, postgres: first)
        try await s.seedOpened()
        _ = try await first.enqueueProgram(program: "BANSOS-NT", period: Period("2026-11")!, amount: Rupiah(300_000), remark: "",
                                           actor: "maker", rules: Self.rules)
        let id = batchID(1)

        let outcomes = try await whileLocked(blocker, "SELECT 1 FROM batch WHERE id = '\(id)' FOR UPDATE", [
            { "approved \(try await first.approve(ids: [id], all: false, actor: "checker1", distinctApprover: true))" },
            { "approved \(try await second.approve(ids: [id], all: false, actor: "checker2", distinctApprover: true))" },
        ])
        #expect(outcomes.filter { $0 == "approved [\"\(id)\"]" }.count == 1, "\(outcomes)")
        #expect(outcomes.filter { $0 == "batch \(id) is approved; only a batch awaiting approval can be approved" }.count == 1, "\(outcomes)")

        let audit = try await first.auditTail(limit: 100)
        #expect(audit.filter { $0.action == "batch.approve" }.count == 1)
        #expect(try await first.verifyAudit().rows == audit.count)
        let batch = try #require(try await second.batches(state: nil, id: id).first)
        #expect(batch.state == "approved" && ["checker1", "checker2"].contains(batch.approvedBy ?? ""))
        #expect(batch.transfers == ["approved": StateTotal(count: 2, amount: 600_000)])
    }

    @Test("two enqueues at once: distinct transfer ids, partner references and batch ids; the chain verifies")
    func concurrentEnqueues() async throws {
        let target = try await PostgresScratch.freshTarget(prefix: "race")
        let first = try await PostgresLedger(target: target, clock: .testDay), second = try await PostgresLedger(target: target, clock: .testDay)
        let blocker = try await PostgresLedger(target: target, clock: .testDay)
        defer { first.shutdown(); second.shutdown(); blocker.shutdown() }
        let s = TestStore(backend: .postgres, store: first, sqlitePath: nil, directory: nil, postgres: first)
        try await s.seedOpened()

        // Both read the recipients freely, then need the transfer table.
        let outcomes = try await whileLocked(blocker, "LOCK TABLE transfer IN ACCESS EXCLUSIVE MODE", [
            { "queued \(try await first.enqueueProgram(program: "BANSOS-NT", period: Period("2026-11")!, amount: Rupiah(300_000), remark: "", actor: "maker1", rules: Self.rules).queued)" },
            { "queued \(try await second.enqueueProgram(program: "PKH", period: Period("2026-11")!, amount: Rupiah(250_000), remark: "", actor: "maker2", rules: Self.rules).queued)" },
        ])
        #expect(outcomes == ["queued 2", "queued 2"])
        let records = try await first.transferRecords(from: nil, to: nil)
        #expect(records.map(\.transferID) == [1, 2, 3, 4])
        #expect(Set(records.map(\.partnerReferenceNo)).count == 4 && records.allSatisfy { PartnerReference.isSalurReference($0.partnerReferenceNo) })
        #expect(Set(records.compactMap(\.batchID)) == [batchID(1), batchID(2)])
        #expect(Set(try await first.batches(state: nil, id: nil).map(\.makers)) == ["maker1", "maker2"])
        #expect(try await first.verifyAudit().rows == (try await first.auditTail(limit: 100)).count)
    }

    /// Holds `lock` in a transaction on `blocker`, starts `operations` concurrently, waits until as
    /// many sessions of the database wait for a lock as there are operations, releases the lock,
    /// and returns each operation's result (or the description of what it threw), in order.
    func whileLocked(_ blocker: PostgresLedger, _ lock: String,
                     _ operations: [@Sendable () async throws -> String]) async throws -> [String] {
        let logger = Logger(label: "test")
        return try await blocker.withConnection("holding a lock") { connection in
            _ = try await connection.query("BEGIN", logger: logger)
            _ = try await connection.query(PostgresQuery(unsafeSQL: lock), logger: logger)
            return try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for (index, operation) in operations.enumerated() {
                    group.addTask {
                        do { return (index, try await operation()) } catch { return (index, String(describing: error)) }
                    }
                }
                // Each poll is its own transaction on another connection, so it sees the sessions as they are now.
                let deadline = ContinuousClock.now + .seconds(30)
                while try await blocker.withConnection("watching locks", { watcher in
                    try await watcher.query("""
                        SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                        """, logger: logger).collect().first?.decode(Int.self) ?? 0
                }) < operations.count {
                    if ContinuousClock.now > deadline {
                        Issue.record("the operations never both waited for the lock")
                        break
                    }
                    await Task.yield()
                }
                _ = try await connection.query("COMMIT", logger: logger)
                var results = [String](repeating: "", count: operations.count)
                for try await (index, result) in group { results[index] = result }
                return results
            }
        }
    }
}
