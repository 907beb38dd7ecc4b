import BankSimulator
import Foundation
import GRDB
import SalurCore
import SalurEngine
import SalurStore
import Testing

/// Re-payment is maker-checker and asks the bank first (`RetryFailed`): `transfers retry --failed`
/// puts failed transfers in a new batch a checker approves, and each is asked about at the bank
/// (service 36) before it is sent: booked → settled and never sent again; not found, refunded or
/// cancelled → sent once, after approval. A transfer the bank reported refunded or cancelled is
/// re-paid only that way: the engine never sends a failed transfer by itself.
@Suite("Re-paying failed transfers: a checker approves, the bank is asked first", .serialized)
struct RetryFailedTests {
    static let rules = BatchingRules(maxItems: 500, maxAmount: Rupiah(1_000_000_000), approvalRequired: true)

    static func sql(_ harness: EngineHarness, _ statements: String...) throws {
        let queue = try DatabaseQueue(path: harness.directory + "/salur.sqlite")
        try queue.write { db in for statement in statements { try db.execute(sql: statement) } }
        try queue.close()
    }

    static func states(_ harness: EngineHarness) throws -> [String] {
        try harness.ledger.transferRecords(from: nil, to: nil).map(\.state)
    }

    /// How many transfer requests the bank received for each reference (booked or not).
    static func sent(_ harness: EngineHarness, _ references: [String]) async -> [Int] {
        var counts: [Int] = []
        for reference in references { counts.append(await harness.simulator.transactionDates(of: reference).count) }
        return counts
    }

    @Test("booked after all: settled by the inquiry, never sent again; never seen: sent once after approval; cancelled (05) or refunded (04): re-paid only through retry")
    func retryAsksFirst() async throws {
        let harness = try await EngineHarness.make(count: 4, faults: .none)
        let references = try harness.ledger.transferRecords(from: nil, to: nil).map(\.partnerReferenceNo)
        // Transfer 2 failed before it ever left (the bank never sees it); the others are paid.
        try Self.sql(harness, "UPDATE transfer SET state = 'failed', last_code = '4031714', last_message = 'insufficient funds' WHERE id = 2")
        try await harness.engine().run(exitWhenIdle: true)
        #expect(try Self.states(harness) == ["settled", "failed", "settled", "settled"])
        #expect(await Self.sent(harness, references) == [1, 0, 1, 1])
        let firstBooking = try harness.ledger.transferRecords(from: nil, to: nil)[0].bankReferenceNo

        // Transfer 1 is recorded failed although the bank booked it; the bank's back office cancels
        // transfer 3 (05) and refunds transfer 4 (04), which Salur learns by asking about them.
        try Self.sql(harness, "UPDATE transfer SET state = 'failed', last_code = '5041700' WHERE id = 1")
        #expect(await harness.simulator.reverse(partnerReferenceNo: references[2], status: "05"))
        #expect(await harness.simulator.reverse(partnerReferenceNo: references[3], status: "04"))
        try Self.sql(harness, "UPDATE transfer SET state = 'in_doubt', next_action_at = NULL WHERE id IN (3, 4)")
        try await harness.engine().run(exitWhenIdle: true)
        let failed = try harness.ledger.transferRecords(from: nil, to: nil)
        #expect(failed.map(\.state) == ["failed", "failed", "failed", "failed"])
        #expect(failed[2].failureCode == "status 05" && failed[3].failureCode == "status 04")
        // The engine never pays a failed transfer again by itself.
        try await harness.engine().run(exitWhenIdle: true)
        #expect(await Self.sent(harness, references) == [1, 0, 1, 1])

        // Retried: one new batch awaiting approval; the operator who retried may not approve it.
        let summary = try harness.ledger.retryFailed(batchID: nil, actor: "operator", rules: Self.rules)
        let batch = try #require(summary.batches.first)
        #expect(summary.transfers == 4 && summary.batches.count == 1 && summary.awaitingApproval)
        #expect(try await harness.ledger.batches(state: nil, id: batch).first?.state == "awaiting_approval")
        #expect(throws: StoreError.self) { try harness.ledger.approve(ids: [batch], all: false, actor: "operator", distinctApprover: true) }

        // Before approval the engine only asks: transfer 1 is settled on its booking; the others may be sent.
        let engine = harness.engine()
        let running = Task { try await engine.run(exitWhenIdle: false) }
        let deadline = Date().addingTimeInterval(30)
        while try Self.states(harness) != ["settled", "retry_wait", "retry_wait", "retry_wait"], Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        running.cancel()
        _ = await running.result
        let asked = try harness.ledger.transferRecords(from: nil, to: nil)
        #expect(asked.map(\.state) == ["settled", "retry_wait", "retry_wait", "retry_wait"])
        #expect(asked[0].bankReferenceNo == firstBooking)
        #expect(await Self.sent(harness, references) == [1, 0, 1, 1], "nothing is sent before a checker approves")
        let stats = await harness.simulator.stats()
        #expect(stats.requests[SNAPService.transferStatus, default: 0] >= 6, "transfer 2 asked twice, 1, 3 and 4 at least once: \(stats.requests)")

        // Approved by another official: each transfer that may be sent is sent once, with its reference.
        #expect(try harness.ledger.approve(ids: [batch], all: false, actor: "checker", distinctApprover: true) == [batch])
        try await harness.engine().run(exitWhenIdle: true)
        let paid = try harness.ledger.transferRecords(from: nil, to: nil)
        #expect(paid.map(\.state) == ["settled", "settled", "settled", "settled"])
        #expect(paid.map(\.partnerReferenceNo) == references)
        #expect(await Self.sent(harness, references) == [1, 1, 2, 2])
        let booked = Dictionary(grouping: await harness.simulator.ledger().filter { $0.status == .settled }, by: \.partnerReferenceNo)
        #expect(references.map { booked[$0]?.count ?? 0 } == [1, 1, 1, 1], "each paid once")
        #expect(try await harness.ledger.batches(state: nil, id: batch).first?.state == "done")

        let audit = try harness.ledger.auditTail(limit: 1_000)
        #expect(audit.contains { $0.action == "transfers.retry_failed" && $0.actor == "operator" })
        #expect(audit.contains { $0.action == "batch.approve" && $0.actor == "checker" && $0.subject == batch })
        try await harness.close()
    }
}
