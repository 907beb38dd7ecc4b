import Foundation
import Logging
import SalurBank
import SalurCLI
import SalurCore
import SalurEngine
import SalurStore
import Synchronization
import Testing

/// A bank whose answers a test scripts: every transfer's answer is lost, every inquiry says 07.
final class ScriptedBank: BankAdapter {
    let transfers = Mutex(0)
    let inquiries = Mutex(0)
    func transfer(_ instruction: TransferInstruction) async -> TransferOutcome {
        transfers.withLock { $0 += 1 }
        return .inDoubt(code: nil, reason: "connection dropped after sending")
    }
    func inquire(_ query: StatusQuery) async -> InquiryOutcome {
        inquiries.withLock { $0 += 1 }
        return .notFound
    }
    func availableBalance() async -> BalanceOutcome { .available(Rupiah(1_000_000_000_000)) }
    func inquireAccount(_ accountNo: String) async -> AccountOutcome { .active(name: "") }
}

@Suite("A 'not found' answer is not believed too early")
struct NotFoundRuleTests {
    @Test("one 07 inside the settle window never leads to a second attempt; two 07 after it do")
    func settleWindow() async throws {
        let dir = NSTemporaryDirectory() + "salur-notfound-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ledger = try SQLiteLedger(path: dir + "/salur.sqlite")
        var data = DemoData(recipients: 5, opened: 5, seed: 1)
        _ = try ledger.importRecipients(try RecipientFile.parse(bytes: data.recipientsCSV(), file: "r"), source: SourceFile(path: "r", sha256: "-"), actor: "m")
        _ = try ledger.exportOpeningRequests(actor: "m") { _ in "-" }
        _ = try ledger.applyOpeningResults(try OpeningResultFile.parse(bytes: data.resultsCSV(), file: "o"), source: SourceFile(path: "o", sha256: "-"), actor: "m")
        let rules = BatchingRules(maxItems: 10, maxAmount: Rupiah(1_000_000_000), approvalRequired: false)
        _ = try ledger.enqueueProgram(program: "BANSOS-NT", period: Period("2026-11")!, amount: Rupiah(100_000), remark: "", actor: "m", rules: rules)

        let bank = ScriptedBank()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        func engine(settleMs: Int) -> Engine {
            Engine(ledger: ledger, bank: bank, settings: EngineSettings(
                batching: rules, retry: RetryPolicy(baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 10, inquiryDelayMs: 0, notFoundSettleMs: settleMs),
                breakerThreshold: 1_000, breakerCooldownMs: 10, chunkSize: 10, maxInFlight: 4, pollIntervalMs: 10), logger: logger)
        }
        let started = ContinuousClock.now
        let engine = engine(settleMs: 300)
        // Inside the window the first 07 is only noted: passes in a row send nothing a second time.
        for _ in 0..<5 { _ = try await engine.pass() }
        #expect(bank.transfers.withLock { $0 } == 5)
        #expect(bank.inquiries.withLock { $0 } >= 5)
        #expect(try ledger.queueStatus().transfers["in_doubt"]?.count == 5)

        // Past the window, a second 07 allows exactly one new attempt per transfer.
        let deadline = ContinuousClock.now + .seconds(10)
        while bank.transfers.withLock({ $0 }) < 10, ContinuousClock.now < deadline {
            _ = try await engine.pass()
            try await Task.sleep(for: .milliseconds(20))   // polling interval while the window runs out
        }
        #expect(bank.transfers.withLock { $0 } == 10)
        #expect(ContinuousClock.now - started >= .milliseconds(300), "the second attempts waited for the settle window")
        #expect(try ledger.attemptCount() == 10)
    }

    @Test("a balance with sen is read, rounded down", arguments: [
        ("12500000000.37", Int64(12_500_000_000)), ("300000.00", 300_000), ("300000", 300_000), ("-5.50", -6), ("7.5", 7),
    ])
    func balanceWithSen(text: String, expected: Int64) {
        #expect(Rupiah(balanceValue: text) == Rupiah(expected))
    }

    @Test("a balance that is not a number is refused", arguments: ["", "1.234", "12,5", "abc", "1.2.3"])
    func badBalance(text: String) {
        #expect(Rupiah(balanceValue: text) == nil)
    }

    @Test("a huge Retry-After neither overflows nor waits past the longest backoff")
    func retryAfterClamped() {
        var random = SplitMix64(seed: 1)
        let policy = RetryPolicy(baseDelayMs: 100, maxDelayMs: 60_000, maxAttempts: 5, inquiryDelayMs: 0)
        #expect(policy.delayMs(after: 1, retryAfterSeconds: Int.max / 10, using: &random) == 60_000)
        #expect(policy.delayMs(after: 1, retryAfterSeconds: 5, using: &random) >= 5_000)
    }
}
