import Foundation
import GRDB
import Logging
import SalurBank
import SalurCLI
import SalurCore
import SalurEngine
import SalurSQLite
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
    func inquireExternalAccount(bankCode: String, accountNo: String) async -> AccountOutcome { .unavailable(reason: "not offered") }
}

@Suite("A 'not found' answer is not believed too early")
struct NotFoundRuleTests {
    @Test("one 07 inside the settle window never leads to a second attempt; two 07 after it do")
    func settleWindow() async throws {
        let dir = NSTemporaryDirectory() + "salur-notfound-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ledger = try SQLiteLedger(path: dir + "/salur.sqlite")
        let rules = BatchingRules(maxItems: 10, maxAmount: Rupiah(1_000_000_000), approvalRequired: false)
        try DemoTreasury.seed(ledger, count: 5, seed: 1, amount: Rupiah(100_000), rules: rules)

        let bank = ScriptedBank()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        func makeEngine(settleMs: Int) -> Engine {
            Engine(ledger: ledger, bank: bank, settings: EngineSettings(
                batching: rules, retry: RetryPolicy(baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 10, inquiryDelayMs: 0, notFoundSettleMs: settleMs),
                breakerThreshold: 1_000, breakerCooldownMs: 10, chunkSize: 10, maxInFlight: 4, pollIntervalMs: 10), logger: logger)
        }
        let engine = makeEngine(settleMs: 3_600_000)
        // Inside the window the 07 answers are only noted: passes in a row send nothing a second time.
        for _ in 0..<5 { _ = try await engine.pass() }
        #expect(bank.transfers.withLock { $0 } == 5)
        #expect(bank.inquiries.withLock { $0 } >= 5)
        #expect(try await ledger.queueStatus().transfers["in_doubt"]?.count == 5)

        // A wall clock stepped forward makes the attempts look a day old: never believed on that alone —
        // their age is bounded by the monotonic time the engine has known them.
        let queue = try DatabaseQueue(path: dir + "/salur.sqlite")
        try await queue.write { db in
            try db.execute(sql: "UPDATE transfer_attempt SET started_at = '2000-01-01T00:00:00.000Z'")
            try db.execute(sql: "UPDATE transfer SET next_action_at = NULL WHERE state = 'in_doubt'")
        }
        for _ in 0..<3 { _ = try await engine.pass() }
        #expect(bank.transfers.withLock { $0 } == 5, "a stepped wall clock hastened a resend")

        // With a short window, two answers after the settle point let each be sent again — once.
        try await queue.write { db in try db.execute(sql: "UPDATE transfer SET next_action_at = NULL WHERE state = 'in_doubt'") }
        let short = makeEngine(settleMs: 150)
        let inquiriesBefore = bank.inquiries.withLock { $0 }
        let deadline = ContinuousClock.now + .seconds(30)
        while bank.transfers.withLock({ $0 }) < 10, ContinuousClock.now < deadline {
            _ = try await short.pass()
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(bank.transfers.withLock { $0 } == 10)
        #expect(bank.inquiries.withLock { $0 } - inquiriesBefore >= 10, "two 07 answers each after the settle point")
        // The new attempts are young again: their 07 answers are only noted.
        let long = makeEngine(settleMs: 3_600_000)
        for _ in 0..<3 { _ = try await long.pass() }
        #expect(bank.transfers.withLock { $0 } == 10)
        #expect(try ledger.attemptCount() == 10)
    }

    @Test("the rule: two answers after the settle point; the age never more than the engine has known the attempt", arguments: [
        // (wall age s, known for s, counted so far, believed?, this answer counts?)
        (120.0, 120.0, 1, true, true),      // old enough, and an earlier answer after the settle point agrees
        (120.0, 120.0, 0, false, true),     // old enough, but the first answer after it
        (30.0, 30.0, 1, false, false),      // inside the window: noted, not counted
        (86_400.0, 5.0, 1, false, false),   // the wall clock stepped a day forward; known for 5 s only
        (-3_600.0, 120.0, 1, false, false), // the wall clock stepped back an hour: younger, never older
    ])
    func rule(wallAge: Double, knownFor: Double, counted: Int, believed: Bool, counts: Bool) {
        let rule = NotFoundRule(settleSeconds: 60, inquiryDelaySeconds: 2)
        let now = Date(timeIntervalSince1970: 1_795_402_800)
        let verdict = rule.judge(startedAt: now.addingTimeInterval(-wallAge), knownFor: knownFor, countedSoFar: counted, now: now)
        if believed {
            #expect(verdict == .believe)
        } else if case .askAgain(let next, let counted) = verdict {
            #expect(counted == counts)
            #expect(next > now, "asked again later, not now")
        } else {
            Issue.record("believed too early: \(verdict)")
        }
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
