import Foundation
import SalurCore
@testable import SalurStore
import Testing

/// Queueing writes each transfer once, straight into the batch `BatchPlanner` gives it — the batches
/// forming pending transfers would give — unless pending transfers wait already; then they are all
/// formed together as before. Approving many batches is one statement per table and one audit row each.
@Suite("Queueing straight into batches")
struct QueueIntoBatchesTests {
    static let november = Period("2026-11")!

    @Test("a programme split by the item limit: batches, members, states and audit rows in order", arguments: Backend.available)
    func straightIntoBatches(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        try await s.seed(answers: ["\(Fixture.yohanes),opened,001100000001,", "\(Fixture.maria),opened,001100000002,",
                                   "\(Fixture.petrus),opened,001100000003,", "\(Fixture.theresia),opened,001100000004,"])
        try await s.sql("UPDATE recipient SET program = 'BANSOS-NT'")
        let rules = BatchingRules(maxItems: 3, maxAmount: Rupiah(1_000_000_000), approvalRequired: true)
        let summary = try await s.store.enqueueProgram(program: "BANSOS-NT", period: Self.november, amount: Rupiah(300_000),
                                                       remark: "November", actor: "maker", rules: rules)
        #expect(summary.queued == 4 && summary.batches == [batchID(1), batchID(2)])
        let records = try await s.store.transferRecords(from: nil, to: nil)
        // In NIK order (the programme's order), ids 1…4; the first three fill batch 1.
        #expect(records.map(\.transferID) == [1, 2, 3, 4])
        #expect(records.map(\.batchID) == [batchID(1), batchID(1), batchID(1), batchID(2)])
        #expect(Set(records.map(\.state)) == ["awaiting_approval"])
        let batches = try await s.store.batches(state: nil, id: nil).sorted { $0.id < $1.id }
        #expect(batches.map(\.itemCount) == [3, 1])
        #expect(batches.map(\.amount) == [Rupiah(900_000), Rupiah(300_000)])
        #expect(batches.map(\.makers) == ["maker", "maker"])
        let audit = try await s.audit().suffix(3)
        #expect(audit.map(\.action) == ["batch.create", "batch.create", "transfers.enqueue"])
        #expect(audit.map(\.subject) == [batchID(1), batchID(2), "BANSOS-NT 2026-11"])

        // Both approved at once: one audit row each, in order, every transfer approved.
        #expect(try await s.store.approve(ids: [], all: true, actor: "checker", distinctApprover: true) == [batchID(1), batchID(2)])
        let approvals = try await s.audit().suffix(2)
        #expect(approvals.map(\.action) == ["batch.approve", "batch.approve"])
        #expect(approvals.map(\.subject) == [batchID(1), batchID(2)])
        #expect(approvals.first?.details == #"{"amount":"900000","items":"3","makers":"maker"}"#)
        #expect(Set(try await s.store.transferRecords(from: nil, to: nil).map(\.state)) == ["approved"])
        _ = try await s.store.verifyAudit()
    }

    @Test("a transfer left pending is batched together with the new ones, as forming batches always did", arguments: Backend.available)
    func pendingFormedTogether(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        try await s.seed(answers: ["\(Fixture.yohanes),opened,001100000001,", "\(Fixture.maria),opened,001100000002,"])
        let rules = BatchingRules(maxItems: 10, maxAmount: Rupiah(1_000_000_000), approvalRequired: true)
        _ = try await s.store.enqueueProgram(program: "BANSOS-NT", period: Self.november, amount: Rupiah(300_000),
                                             remark: "November", actor: "maker", rules: rules)
        // As if from before batches were formed in the same transaction: transfer 1 pending, batch 1 gone.
        try await s.sql("UPDATE transfer SET state = 'pending', batch_id = NULL WHERE id = 1",
                        "UPDATE transfer SET state = 'cancelled', batch_id = NULL WHERE id = 2",
                        "DELETE FROM batch")
        let summary = try await s.store.enqueueProgram(program: "BANSOS-NT", period: Period("2026-12")!, amount: Rupiah(200_000),
                                                       remark: "December", actor: "other-maker", rules: rules)
        #expect(summary.queued == 2)
        let records = try await s.store.transferRecords(from: nil, to: nil)
        let batch = try #require(summary.batches.first)
        #expect(summary.batches.count == 2, "one batch per period")
        #expect(records.first { $0.transferID == 1 }?.batchID == batch, "the pending November transfer is in the first batch formed")
        #expect(records.filter { $0.state == "pending" }.isEmpty)
        let november = try #require(try await s.store.batches(state: nil, id: batch).first)
        #expect(november.itemCount == 1 && november.makers == "maker")
        let december = try #require(try await s.store.batches(state: nil, id: summary.batches[1]).first)
        #expect(december.itemCount == 2 && december.makers == "other-maker")
    }
}
