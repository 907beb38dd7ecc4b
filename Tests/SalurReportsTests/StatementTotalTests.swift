import Foundation
import SalurCore
import SalurStore
import Testing

/// No total of statement entries can wrap: a statement whose entries would take the amounts of all
/// stored entries past 10^18 is refused with its file and line, on both stores, and nothing is stored.
@Suite("Statement totals stay within 64 bits", .timeLimit(.minutes(5)))
struct StatementTotalTests {
    @Test("a statement that would take the stored entries past 10^18 is refused whole", arguments: ReconBackend.available)
    func refusedPastLimit(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed([.init(id: 1, account: "0012000001", bankReference: "20261123000001")])
        _ = try await f.reconcile(StatementFixtures.mandiri, today: "2026-11-30")
        // Entries stored near the limit (as a hostile or broken file of huge amounts would leave them): the
        // file's first statement still fits, its second does not, and neither is stored.
        try await f.sql("UPDATE statement_entry SET amount = 333333333333000000")
        let before = try await f.dump()
        var failure = ""
        do {
            _ = try await f.reconcile(StatementFixtures.bri, file: "bri.sta", today: "2026-11-30")
        } catch {
            failure = String(describing: error)
        }
        #expect(failure.hasPrefix("bri.sta:13: the entries of statement BRI20261124 would take the amounts of all stored statement entries past"),
                "\(failure)")
        #expect(try await f.dump() == before)
    }

    @Test("transfers cancel --failed leaves a failed transfer a statement shows debited: the bank booked it", arguments: ReconBackend.available)
    func debitedFailedIsNotCancelled(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed([
            .init(id: 1, account: "0012000001", bankReference: "20261123000001"),
            .init(id: 2, account: "0012000002", bankReference: "20261123000002"),
            .init(id: 3, account: "0012000003"),
        ])
        _ = try await f.reconcile(StatementFixtures.mandiri, today: "2026-11-24")
        // Recorded failed, all three; the statement shows 1 and 2 debited.
        try await f.sql("UPDATE transfer SET state = 'failed'")
        let summary = try await f.store.cancelFailed(batchID: nil, niks: [], reason: "bank refused the remark", actor: "maker")
        #expect(summary.cancelled == 1)
        var states: [String] = []
        for id in 1...3 { states.append(try await f.transferState(Int64(id))) }
        #expect(states == ["failed", "failed", "cancelled"])
    }
}
