import Foundation
import SalurCore
import SalurStore
import SalurTestSupport
import Testing

/// What the metrics read of reconciliation (`reconciliationGauges`), the same from both stores.
@Suite("Reconciliation gauges on both stores", .timeLimit(.minutes(5)))
struct ReconciliationGaugesTests {
    @Test("never run: no time and every kind at zero; after a run: its audit time and the exceptions it opened",
          arguments: ReconBackend.available)
    func gauges(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        let fresh = try await f.store.reconciliationGauges()
        #expect(fresh.lastRunAt == nil)
        #expect(fresh.openExceptions == Dictionary(uniqueKeysWithValues: ExceptionKind.allCases.map { ($0.rawValue, 0) }))

        try await f.seed(ReconciliationBackendTests.twoPaid + [.init(id: 3, account: "0012000009", bankReference: "20261123000009")])
        let run = try await f.reconcile(StatementFixtures.mandiri, today: "2026-11-30")
        #expect(run.exceptionsOpened == 1)
        let after = try await f.store.reconciliationGauges()
        let recorded = try await f.store.auditTail(limit: 20).last { $0.action == "reconcile.run" }
        #expect(after.lastRunAt != nil && after.lastRunAt == recorded?.at, "\(after.lastRunAt ?? "nil") vs \(recorded?.at ?? "nil")")
        #expect(after.openExceptions["missing_from_statement"] == 1)
        #expect(after.openExceptions.values.reduce(0, +) == 1)
        #expect(Set(after.openExceptions.keys) == Set(ExceptionKind.allCases.map(\.rawValue)))
    }
}
