import BankSimulator
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

/// A bank whose every transfer request never leaves this host (cancelled in the queue, fenced).
final class NeverLeavingBank: BankAdapter {
    let transfers = Mutex(0)
    func transfer(_ instruction: TransferInstruction) async -> TransferOutcome {
        transfers.withLock { $0 += 1 }
        return .notProcessed(code: nil, reason: "not sent: the calling task was cancelled before the request was sent",
                             retryAfterSeconds: nil, bankUnavailable: false, neverLeft: true)
    }
    func inquire(_ query: StatusQuery) async -> InquiryOutcome { .unknown(reason: "not asked", bankUnavailable: false) }
    func availableBalance() async -> BalanceOutcome { .available(Rupiah(1_000_000_000_000)) }
    func inquireAccount(_ accountNo: String) async -> AccountOutcome { .active(name: "") }
    func inquireExternalAccount(bankCode: String, accountNo: String) async -> AccountOutcome { .unavailable(reason: "not offered") }
}

@Suite("The engine believes the bank only about what was sent")
struct AnswerEchoTests {
    /// Runs passes until `done` holds, or fails after `seconds`.
    static func passes(_ engine: Engine, seconds: Double = 120, until done: () async throws -> Bool) async throws {
        // A generous bound: the whole suite runs at once on two cores.
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            _ = try await engine.pass()
            if try await done() { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("condition not reached within \(seconds) s")
    }

    @Test("an inquiry answered with another booking under the reference leaves the transfer in doubt: never settled, never sent again")
    func otherBooking() async throws {
        let harness = try await EngineHarness.make(count: 3, faults: FaultRates(dropBefore: 100))
        let queue = try DatabaseQueue(path: harness.directory + "/salur.sqlite")
        let references = try await queue.read { db in try String.fetchAll(db, sql: "SELECT partner_reference_no FROM transfer") }
        #expect(references.count == 3)
        // Another installation's payments under the same references, for another amount and account.
        for reference in references {
            await harness.simulator.bookElsewhere(partnerReferenceNo: reference, amount: Rupiah(250_000),
                                                  beneficiaryAccountNo: "0099887766554321")
        }
        let engine = harness.engine()
        try await Self.passes(engine) {
            try await queue.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM transfer WHERE state = 'in_doubt' AND inquiries >= 3") == 3
            }
        }
        let rows = try await queue.read { db in try Row.fetchAll(db, sql: "SELECT state, last_message FROM transfer") }
        for row in rows {
            #expect(row["state"] as String == "in_doubt")
            let message: String = row["last_message"] ?? ""
            #expect(message.contains("another payment under this reference"), "\(message)")
            #expect(message.contains("Rp 250.000") && message.contains("Rp 300.000") && message.contains("************4321"))
            #expect(!message.contains("0099887766554321"))
        }
        // One request per transfer ever reached the bank: the answer about another booking sent nothing again.
        #expect(await harness.simulator.stats().requests[.transferIntrabank] == 3)
        #expect(await harness.simulator.ledger().allSatisfy { $0.amount == Rupiah(250_000) })
        try await harness.close()
    }

    @Test("every attempt of one transfer carries the same transactionDate: the transfer's creation time")
    func transactionDateAcrossAttempts() async throws {
        let harness = try await EngineHarness.make(count: 2, faults: FaultRates(throttle: 100))
        let queue = try DatabaseQueue(path: harness.directory + "/salur.sqlite")
        try await queue.write { db in try db.execute(sql: "UPDATE transfer SET created_at = '2026-01-15T01:02:03.000Z'") }
        let references = try await queue.read { db in try String.fetchAll(db, sql: "SELECT partner_reference_no FROM transfer") }
        let engine = harness.engine()
        try await Self.passes(engine) {
            for reference in references {
                if await harness.simulator.transactionDates(of: reference).count < 2 { return false }
            }
            return true
        }
        for reference in references {
            let dates = await harness.simulator.transactionDates(of: reference)
            #expect(dates.count >= 2)
            #expect(dates.allSatisfy { $0 == "2026-01-15T08:02:03+07:00" }, "\(dates)")
        }
        try await harness.close()
    }

    @Test("attempts that never left count neither towards max_attempts nor the circuit breaker")
    func neverLeftNotCounted() async throws {
        let dir = NSTemporaryDirectory() + "salur-neverleft-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ledger = try SQLiteLedger(path: dir + "/salur.sqlite")
        let rules = BatchingRules(maxItems: 10, maxAmount: Rupiah(1_000_000_000), approvalRequired: false)
        try DemoTreasury.seed(ledger, count: 1, seed: 1, amount: Rupiah(100_000), rules: rules)
        let bank = NeverLeavingBank()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        // Two attempts at most, and a breaker that opens for an hour on the first failure it counts.
        let engine = Engine(ledger: ledger, bank: bank, settings: EngineSettings(
            batching: rules, retry: RetryPolicy(baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 2, inquiryDelayMs: 0),
            breakerThreshold: 1, breakerCooldownMs: 3_600_000, chunkSize: 10, maxInFlight: 4, pollIntervalMs: 10), logger: logger)
        for pass in 1...5 {
            let report = try await engine.pass()
            #expect(report.sent == 1, "pass \(pass) sent \(report.sent)")
        }
        #expect(bank.transfers.withLock { $0 } == 5)
        let status = try await ledger.queueStatus()
        #expect((status.transfers["failed"]?.count ?? 0) == 0)
        #expect(status.transfers["retry_wait"]?.count == 1)
    }
}
