import BankSimulator
import Foundation
import SalurCore
import SalurEngine
import SalurStore
import Testing

@Suite("Exactly once against the bank simulator", .serialized)
struct ExactlyOnceTests {
    /// Runs the engine until idle and checks the simulator's ledger against Salur's records, row by row.
    func runAndVerify(_ harness: EngineHarness) async throws {
        let engine = harness.engine()
        try await engine.recover()
        try await engine.run(exitWhenIdle: true)
        let records = try harness.ledger.transferRecords(from: nil, to: nil)
        #expect(records.count == harness.count)
        let settled = records.filter { $0.state == "settled" }
        #expect(settled.count == harness.count, "every transfer settles: \(Dictionary(grouping: records, by: \.state).mapValues(\.count))")

        let booked = await harness.simulator.ledger().filter { $0.status == .settled }
        var byReference: [String: [LedgerEntry]] = [:]
        for entry in booked { byReference[entry.partnerReferenceNo, default: []].append(entry) }
        let twice = byReference.filter { $0.value.count > 1 }
        #expect(twice.isEmpty, "booked more than once: \(twice.keys.sorted().prefix(5))")
        #expect(booked.count == settled.count)
        for record in settled {
            let entry = byReference[record.partnerReferenceNo]?.first
            #expect(entry != nil, "settled in Salur but not booked: \(record.partnerReferenceNo)")
            #expect(entry?.amount == record.amount)
            #expect(entry?.beneficiaryAccountNo == record.accountNo)
            #expect(entry?.referenceNo == record.bankReferenceNo)
        }
        #expect(try harness.ledger.verifyAudit().rows > 0)
    }

    @Test("no faults: 500 transfers booked once each")
    func clean() async throws {
        let harness = try await EngineHarness.make(count: 500, faults: .none)
        try await runAndVerify(harness)
        try await harness.close()
    }

    @Test("each fault alone at 20 %", arguments: SimulatedFault.allCases)
    func singleFault(_ fault: SimulatedFault) async throws {
        var faults = FaultRates.none
        faults[fault] = 20
        let harness = try await EngineHarness.make(count: 300, faults: faults)
        try await runAndVerify(harness)
        try await harness.close()
    }

    @Test("all faults together at 10–15 % over 2,000 transfers, lenient bank (books a reference twice if asked)")
    func allFaults() async throws {
        var faults = FaultRates.none
        for fault in SimulatedFault.allCases { faults[fault] = 10 }
        faults[.timeoutAfter] = 15
        faults[.dropAfter] = 15
        let harness = try await EngineHarness.make(count: 2_000, faults: faults)
        try await runAndVerify(harness)
        let stats = await harness.simulator.stats()
        #expect(stats.faults.values.reduce(0, +) > 1_000, "faults were really injected: \(stats.faults)")
        try await harness.close()
    }

    @Test("a batch the source balance cannot cover is held with the reason, and nothing is sent")
    func insufficientBalance() async throws {
        let harness = try await EngineHarness.make(count: 100, faults: .none, balance: Rupiah(1_000_000))
        let engine = harness.engine()
        try await engine.run(exitWhenIdle: true)
        let batches = try await harness.ledger.batches()
        #expect(batches.allSatisfy { $0.state == "held" })
        #expect(batches.first?.holdReason?.contains("does not cover") == true)
        #expect(await harness.simulator.ledger().isEmpty)
        try await harness.close()
    }

    @Test("transfers left sending by a crash are resolved by inquiry, never resent blindly")
    func recoveryAfterCrash() async throws {
        let harness = try await EngineHarness.make(count: 200, faults: .none)
        // Start posting: claim attempts (committed as sending) and send them, but "crash" before recording.
        try await harness.ledger.startBatch(id: try await harness.ledger.batches().last!.id, balance: Rupiah(1))
        let claimed = try await harness.ledger.claimAttempts(limit: 50, now: Date(), maxAttempts: 5)
        #expect(claimed.count == 50)
        for attempt in claimed.prefix(30) {
            _ = await harness.bank.transfer(.init(service: .intrabank, partnerReferenceNo: attempt.partnerReferenceNo,
                                                  externalID: attempt.externalID, beneficiaryAccount: attempt.beneficiaryAccount,
                                                  beneficiaryName: attempt.beneficiaryName, amount: attempt.amount, remark: ""))
        }
        // A new engine starts: 50 in doubt, 30 of them booked at the bank, 20 not.
        try await runAndVerify(harness)
        try await harness.close()
    }
}
