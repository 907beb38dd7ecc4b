import BankSimulator
import Foundation
import SalurCore
import SalurStore
import Testing

/// The balance inquiry (SNAP 11) says the source account's status: a restricted, frozen or dormant
/// account pays nothing — its batches are held with the reason — and once the bank lifts it and an
/// operator releases the batch, it is paid.
@Suite("A restricted, frozen or dormant source account holds the batch")
struct SourceAccountStatusTests {
    @Test("status 0007 frozen: the batch is held naming it, nothing is sent; paid after the bank lifts it and the batch is released",
          .timeLimit(.minutes(3)))
    func frozenHolds() async throws {
        let harness = try await EngineHarness.make(count: 3, faults: .none)
        await harness.simulator.setSourceAccountStatus("0007")
        try await harness.engine().run(exitWhenIdle: true)
        let held = try await harness.ledger.batches()
        #expect(held.count == 1 && held[0].state == "held", "\(held.map(\.state))")
        #expect(held[0].holdReason?.contains("the bank reports the source account frozen (status 0007)") == true, "\(held[0].holdReason ?? "")")
        #expect(await harness.simulator.ledger().isEmpty, "a transfer left a frozen account")

        await harness.simulator.setSourceAccountStatus("0001")
        try await harness.ledger.release(id: held[0].id, actor: "checker")
        try await harness.engine().run(exitWhenIdle: true)
        #expect(await harness.simulator.ledger().count == 3)
        #expect(try await harness.ledger.batches()[0].state == "done")
        try await harness.close()
    }
}
