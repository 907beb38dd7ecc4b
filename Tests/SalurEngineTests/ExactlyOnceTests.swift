import BankSimulator
import Foundation
import Logging
import SalurBank
import SalurCLI
import SalurCore
import SalurEngine
import SalurPostgres
import SalurSQLite
import SalurStore
import SalurTestSupport
import Testing

/// The fault matrix: the real engine, through the real libcurl + SNAP client, against the in-process
/// bank simulator injecting each fault kind. Each case runs on a temporary SQLite file and on a fresh
/// PostgreSQL database (registered as an engine), and must hold the same invariants on both: every
/// transfer booked exactly once, with its amount, beneficiary and reference.
@Suite("Exactly once against the bank simulator", .serialized)
struct ExactlyOnceTests {
    typealias Backend = AccountHoldTests.Backend

    /// How many transfers a fault case sends: fewer on PostgreSQL, where each of the many commits a
    /// faulty exchange costs takes several times SQLite's, so that both stores together stay within
    /// the suite's time budget. Every fault kind is still injected tens of times per case.
    static func transfers(sqlite: Int, postgres: Int, on backend: Backend) -> Int {
        backend == .sqlite ? sqlite : postgres
    }

    /// `EngineHarness`'s treasury and bank side, on a store of either kind.
    struct Harness {
        let ledger: any SalurStoreBackend
        let simulator: BankSimulator
        let client: CurlClient
        let bank: SNAPClient
        let count: Int
        let closeStore: @Sendable () -> Void

        static func make(_ backend: Backend, count: Int, faults: FaultRates,
                         balance: Rupiah = Rupiah(1_000_000_000_000)) async throws -> Harness {
            let ledger: any SalurStoreBackend
            let closeStore: @Sendable () -> Void
            switch backend {
            case .sqlite:
                let directory = NSTemporaryDirectory() + "salur-engine-\(UUID().uuidString)"
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                ledger = try SQLiteLedger(path: directory + "/salur.sqlite", clock: .testDay)
                closeStore = { try? FileManager.default.removeItem(atPath: directory) }
            case .postgres:
                let postgres = try await PostgresEngineLedgerTests.engine(try await PostgresScratch.freshTarget(prefix: "exactly"))
                ledger = postgres
                closeStore = { postgres.shutdown() }
            }
            try await DemoTreasury.seed(store: ledger, count: count, seed: 7, rules: EngineHarness.settings.batching, approver: "checker")
            let (simulator, client, bank, _) = try await EngineHarness.bankSide(faults: faults, balance: balance)
            return Harness(ledger: ledger, simulator: simulator, client: client, bank: bank, count: count, closeStore: closeStore)
        }

        func engine() -> Engine { EngineHarness.engine(ledger: ledger, bank: bank) }

        func close() async throws {
            client.shutdown()
            try await simulator.shutdown()
            closeStore()
        }
    }

    /// Runs the engine until idle and checks the simulator's ledger against Salur's records, row by row.
    func runAndVerify(_ harness: Harness) async throws {
        let engine = harness.engine()
        try await engine.recover()
        try await engine.run(exitWhenIdle: true)
        let records = try await harness.ledger.transferRecords(from: nil, to: nil)
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
        #expect(try await harness.ledger.verifyAudit().rows > 0)
    }

    @Test("no faults: 500 transfers booked once each", arguments: Backend.available)
    func clean(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend, count: 500, faults: .none)
        try await runAndVerify(harness)
        try await harness.close()
    }

    @Test("each fault alone at 20 %", arguments: Backend.available, SimulatedFault.allCases)
    func singleFault(_ backend: Backend, _ fault: SimulatedFault) async throws {
        var faults = FaultRates.none
        faults[fault] = 20
        let harness = try await Harness.make(backend, count: Self.transfers(sqlite: 300, postgres: 100, on: backend), faults: faults)
        try await runAndVerify(harness)
        try await harness.close()
    }

    @Test("all faults together at 10–15 % over 2,000 transfers (800 on PostgreSQL), lenient bank (books a reference twice if asked)",
          arguments: Backend.available)
    func allFaults(_ backend: Backend) async throws {
        var faults = FaultRates.none
        for fault in SimulatedFault.allCases { faults[fault] = 10 }
        faults[.timeoutAfter] = 15
        faults[.dropAfter] = 15
        let count = Self.transfers(sqlite: 2_000, postgres: 800, on: backend)
        let harness = try await Harness.make(backend, count: count, faults: faults)
        try await runAndVerify(harness)
        let stats = await harness.simulator.stats()
        #expect(stats.faults.values.reduce(0, +) > count / 2, "faults were really injected: \(stats.faults)")
        try await harness.close()
    }

    @Test("a batch the source balance cannot cover is held with the reason, and nothing is sent", arguments: Backend.available)
    func insufficientBalance(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend, count: 100, faults: .none, balance: Rupiah(1_000_000))
        let engine = harness.engine()
        try await engine.run(exitWhenIdle: true)
        let batches = try await harness.ledger.batches()
        #expect(batches.allSatisfy { $0.state == "held" })
        #expect(batches.first?.holdReason?.contains("does not cover") == true)
        #expect(await harness.simulator.ledger().isEmpty)
        try await harness.close()
    }

    @Test("transfers left sending by a crash are resolved by inquiry, never resent blindly", arguments: Backend.available)
    func recoveryAfterCrash(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend, count: 200, faults: .none)
        // Start posting: claim attempts (committed as sending) and send them, but "crash" before recording.
        try await harness.ledger.startBatch(id: try await harness.ledger.batches().last!.id, balance: Rupiah(1))
        let claimed = try await harness.ledger.advance(recording: [], claiming: 50, now: Date(), maxAttempts: 5)
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
