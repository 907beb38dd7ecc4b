import Foundation
import SalurCore
import SalurPostgres
import SalurStore
import SalurTestSupport
import Testing

/// The send mark and the restore recovery, the same on both stores (`RestoreRecovery` decides).
@Suite("Send mark and restore recovery on both store backends", .serialized)
struct RestoreRecoveryBackendTests {
    @Test("each claim raises the send mark; a recovery puts every open transfer in doubt to be asked about, raises the mark, and is audited",
          arguments: Backend.available)
    func recovery(backend: Backend) async throws {
        let s = try await backend.open()
        let engine = try #require(s.store as? any EngineLedger)
        if let postgres = s.postgres {
            postgres.configureEngine(lease: .seconds(900))  // nothing renews it here: it outlasts a loaded run
            try await postgres.registerEngine(pid: Int(getpid()), host: "test", version: "test")
        }
        try await s.seedOpened()
        let rules = BatchingRules(maxItems: 2, maxAmount: Rupiah(1_000_000_000), approvalRequired: true)
        _ = try await s.store.enqueueProgram(program: "BANSOS-NT", period: Period("2026-11")!, amount: Rupiah(300_000), remark: "",
                                             actor: "maker", rules: rules)
        let batches = try await s.store.approve(ids: [], all: true, actor: "checker", distinctApprover: true)
        #expect(!batches.isEmpty)
        try await engine.startBatch(id: batches[0], balance: Rupiah(1_000_000_000))
        #expect(try await engine.sendMarkStatus().claims == 0)

        let claimed = try await engine.advance(recording: [], claiming: 1, now: Date(), maxAttempts: 5)
        #expect(claimed.count == 1)
        #expect(try await engine.sendMarkStatus().claims == 1, "one claim, one step of the mark")
        try await s.sql("UPDATE batch SET state = 'held' WHERE state = 'posting'")
        #expect(try await engine.advance(recording: [], claiming: 2, now: Date(), maxAttempts: 5).isEmpty)
        #expect(try await engine.sendMarkStatus().claims == 1, "a claim of nothing leaves the mark")
        #expect(try await s.store.transferRecords(from: nil, to: nil).contains { $0.state == "approved" }, "some never sent")

        let before = try await s.store.transferRecords(from: nil, to: nil)
        let idsBefore = try await engine.reserveRequestIDs(10)
        let now = Date()
        let recovered = try await engine.recoverFromRestore(RestoreRecoveryRequest(
            reason: "send mark 1 in the database, 7 seen", actor: "salurd", markAtLeast: 7, rules: rules, now: now))
        #expect(recovered == before.count, "every open transfer: \(before.map(\.state))")
        let after = try await s.store.transferRecords(from: nil, to: nil)
        #expect(after.allSatisfy { $0.state == "in_doubt" }, "\(after.map(\.state))")
        #expect(after.map(\.partnerReferenceNo) == before.map(\.partnerReferenceNo), "references never change")
        let mark = try await engine.sendMarkStatus()
        #expect(mark.claims == 7 && mark.recoveredTransfers == Int64(recovered) && mark.recoveredBy == "salurd"
                && mark.recoveredReason == "send mark 1 in the database, 7 seen", "\(mark)")

        // The request-id counter moved on: ids sent after the backup are not handed out again the same day.
        let idsAfter = try await engine.reserveRequestIDs(10)
        #expect(idsAfter.lowerBound > idsBefore.upperBound + RestoreRecovery.requestIDJump - 1, "\(idsBefore) then \(idsAfter)")

        // Each is asked about; those never sent go by a stand-in external id, and all settle from the recovery.
        let due = try await engine.dueInquiries(limit: 10, now: now.addingTimeInterval(1))
        #expect(due.count == recovered)
        let sent = Set(claimed.map(\.externalID))
        #expect(due.filter { !sent.contains($0.externalID) }.allSatisfy { $0.externalID.hasPrefix(RestoreRecovery.standInExternalIDPrefix) })
        #expect(due.allSatisfy { ($0.attemptStartedAt ?? .distantPast) >= now.addingTimeInterval(-1) }, "settle point at the recovery")
        let audit = try #require(try await s.audit().last)
        #expect(audit.action == "database.restore-recovery" && audit.actor == "salurd" && audit.subject == "\(recovered) transfers")
        #expect(try await s.store.verifyAudit().rows == (try await s.audit()).count)
    }
}
