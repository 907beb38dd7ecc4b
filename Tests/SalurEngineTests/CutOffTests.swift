import BankSimulator
import Foundation
import Logging
import SalurCore
import SalurEngine
import SalurStore
import Testing

/// A bank past its cut-off (SNAP 403xx06) books nothing until its window reopens: the transfers wait,
/// however long, and are paid once it reopens — never failed for having been refused "too often".
@Suite("Bank cut-off", .serialized)
struct CutOffTests {
    @Test("past the cut-off every transfer waits (more refusals than max_attempts, none failed); once the window reopens each is paid once")
    func waitsForTheWindow() async throws {
        let harness = try await EngineHarness.make(count: 30, faults: .none)
        await harness.simulator.setCutOff(true)
        var settings = EngineHarness.settings
        settings.retry = RetryPolicy(baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 2, inquiryDelayMs: 10, notFoundSettleMs: 50)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let engine = Engine(ledger: harness.ledger, bank: harness.bank, settings: settings, logger: logger)
        try await engine.recover()
        let running = Task { try await engine.run(exitWhenIdle: false) }

        // Each transfer refused at least three times: more than max_attempts (2) would allow. (The
        // deadline only bounds a failing run; a loaded machine running the whole suite needs minutes.)
        let deadline = ContinuousClock.now + .seconds(180)
        while (await harness.simulator.stats().responses["4031706"] ?? 0) < 90 {
            #expect(ContinuousClock.now < deadline, "too few cut-off answers")
            if ContinuousClock.now >= deadline { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        var states = try harness.ledger.queueStatus(now: Date()).transfers
        #expect((states["failed"]?.count ?? 0) == 0, "a cut-off is no failure: \(states)")
        #expect(await harness.simulator.ledger().isEmpty, "nothing booked while the window is shut")

        await harness.simulator.setCutOff(false)
        while (try harness.ledger.queueStatus(now: Date()).transfers["settled"]?.count ?? 0) < 30, ContinuousClock.now < deadline + .seconds(60) {
            try await Task.sleep(for: .milliseconds(10))
        }
        engine.beginStopping()
        try await running.value
        states = try harness.ledger.queueStatus(now: Date()).transfers
        #expect(states["settled"]?.count == 30, "\(states)")
        let booked = Dictionary(grouping: await harness.simulator.ledger(), by: \.partnerReferenceNo)
        #expect(booked.count == 30 && booked.values.allSatisfy { $0.count == 1 })
        try await harness.close()
    }
}
