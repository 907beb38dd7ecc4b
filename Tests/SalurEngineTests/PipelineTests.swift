import Foundation
import Logging
import SalurBank
import SalurCLI
import SalurCore
import SalurEngine
import SalurStore
import Synchronization
import Testing

/// The posting window is topped up as answers come back, and the account checks a new period's
/// payments wait for ride in the same window — so a bank's concurrency stays used (issue figure:
/// `salur-bench pipe`). Each case runs the real engine and store (both stores) against a bank
/// double whose transfers answer only when the test lets them.
@Suite("The posting window: refilled as answers arrive, account checks and inquiries in it", .serialized)
struct PipelineTests {
    typealias Backend = AccountHoldTests.Backend

    /// A bank that lets a transfer answer only once the test has released it, and tells each request
    /// as it begins.
    final class GatedBank: BankAdapter {
        enum Call: Sendable, Equatable {
            case accountCheck(String)
            case transfer(String)
            case inquiry(String)
        }
        private struct Gate {
            var permits = 0
            var waiting: [CheckedContinuation<Void, Never>] = []
        }
        private let gate = Mutex(Gate())
        private let log = Mutex<[Call]>([])
        let begun: AsyncStream<Call>
        private let begin: AsyncStream<Call>.Continuation
        /// Transfers of these partner references are answered "pending" (settled at the bank), once.
        let pendingOnce: Mutex<Set<String>>

        init(open: Bool = false, pendingOnce: Set<String> = []) {
            (begun, begin) = AsyncStream.makeStream(of: Call.self)
            if open { gate.withLock { $0.permits = .max } }
            self.pendingOnce = Mutex(pendingOnce)
        }

        var calls: [Call] { log.withLock { $0 } }

        /// Lets `count` transfers answer (those waiting first, in the order they began).
        func release(_ count: Int) {
            let resumed = gate.withLock { g -> [CheckedContinuation<Void, Never>] in
                let now = Array(g.waiting.prefix(count))
                g.waiting.removeFirst(now.count)
                g.permits = g.permits == .max ? .max : g.permits + (count - now.count)
                return now
            }
            for continuation in resumed { continuation.resume() }
        }

        /// Waits until `count` more requests of the kind `matching` have begun; false if the stream ended first.
        func awaitBegun(_ count: Int, _ matching: (Call) -> Bool) async -> Bool {
            var seen = 0
            for await call in begun where matching(call) {
                seen += 1
                if seen == count { return true }
            }
            return false
        }

        private func note(_ call: Call) {
            log.withLock { $0.append(call) }
            begin.yield(call)
        }

        func transfer(_ instruction: TransferInstruction) async -> TransferOutcome {
            note(.transfer(instruction.beneficiaryAccount))
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let go = gate.withLock { g -> Bool in
                    if g.permits > 0 {
                        if g.permits != .max { g.permits -= 1 }
                        return true
                    }
                    g.waiting.append(continuation)
                    return false
                }
                if go { continuation.resume() }
            }
            if pendingOnce.withLock({ $0.remove(instruction.partnerReferenceNo) != nil }) {
                return .inDoubt(code: "2021700", reason: "pending")
            }
            return .settled(bankReference: "REF-\(instruction.externalID)", code: "2001700")
        }

        func inquire(_ query: StatusQuery) async -> InquiryOutcome {
            note(.inquiry(query.partnerReferenceNo))
            return .settled(bankReference: "REF-\(query.externalID)")
        }

        func availableBalance() async -> BalanceOutcome { .available(Rupiah(1_000_000_000_000)) }

        func inquireAccount(_ accountNo: String) async -> AccountOutcome {
            note(.accountCheck(accountNo))
            return .active(name: "")
        }

        func inquireExternalAccount(bankCode: String, accountNo: String) async -> AccountOutcome { .active(name: "") }
    }

    static func engine(_ store: AccountHoldTests.Store, _ bank: GatedBank, maxInFlight: Int, chunkSize: Int,
                       clock: AccountRecheckTests.MovableClock? = nil) -> Engine {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var settings = EngineHarness.settings
        settings.maxInFlight = maxInFlight
        settings.chunkSize = chunkSize
        settings.retry = RetryPolicy(baseDelayMs: 5, maxDelayMs: 100, maxAttempts: 60, inquiryDelayMs: 0, notFoundSettleMs: 50)
        return Engine(ledger: store.ledger, bank: bank, settings: settings, logger: logger, clock: clock?.clock ?? .system)
    }

    @Test("two answers of six free two places: two more attempts are claimed and sent while four are still unanswered",
          .timeLimit(.minutes(2)), arguments: Backend.available)
    func refilledAsAnswersArrive(_ backend: Backend) async throws {
        let store = try await AccountHoldTests.Store.open(backend)
        defer { store.close() }
        try await DemoTreasury.seed(store: store.ledger, count: 10, seed: 31, rules: AccountHoldTests.rules, approver: "checker")
        let bank = GatedBank()
        // max_in_flight 2: a window of 6 attempts, claimed in chunks of up to 4, topped up two at a time.
        let engine = Self.engine(store, bank, maxInFlight: 2, chunkSize: 128)
        let pass = Task { try await engine.pass() }
        let isTransfer: (GatedBank.Call) -> Bool = { if case .transfer = $0 { true } else { false } }
        #expect(await bank.awaitBegun(6, isTransfer), "the window's six attempts")

        bank.release(2)
        // Waiting for a whole chunk (four answers) would leave these two unsent: the test would hang here.
        #expect(await bank.awaitBegun(2, isTransfer), "two more attempts once two answers are in")
        #expect(bank.calls.filter(isTransfer).count == 8)

        bank.release(.max)
        let report = try await pass.value
        #expect(report.sent == 10 && report.settled == 10)
        let transfers = try await store.ledger.transferRecords(from: nil, to: nil)
        #expect(transfers.count == 10 && transfers.allSatisfy { $0.state == "settled" && $0.attempts == 1 })
    }

    @Test("a new period's payments each wait for a fresh check: one pass checks and pays them all, every check before its payment, and asks about one in doubt",
          .timeLimit(.minutes(2)), arguments: Backend.available)
    func accountChecksRideTheWindow(_ backend: Backend) async throws {
        let store = try await AccountHoldTests.Store.open(backend)
        defer { store.close() }
        try await DemoTreasury.seed(store: store.ledger, count: 12, seed: 37, rules: AccountHoldTests.rules, approver: "checker")
        let clock = AccountRecheckTests.MovableClock()
        // November: every account checked (all twelve in the pass's first check) and paid.
        try await Self.engine(store, GatedBank(open: true), maxInFlight: 2, chunkSize: 128, clock: clock).run(exitWhenIdle: true)
        let november = try await store.ledger.accountsToCheck(limit: 100, recheck: AccountRecheck(now: clock.clock.now, recheckDays: 30))
        try #require(november.isEmpty, "\(november.count) accounts left unchecked in November")

        // December: every account was last checked in November, so each payment waits for a fresh check.
        _ = try await store.ledger.enqueueProgram(program: "BANSOS-NT", period: Period("2026-12")!, amount: Rupiah(300_000),
                                                  remark: "BANSOS-NT 2026-12", actor: "maker", rules: AccountHoldTests.rules)
        _ = try await store.ledger.approve(ids: [], all: true, actor: "checker", distinctApprover: true)
        clock.set(AccountRecheck.startDate(of: Period("2026-12")!).addingTimeInterval(86_400))
        let december = try await store.ledger.transferRecords(from: nil, to: nil).filter { $0.period == "2026-12" }
        try #require(december.count == 12)
        let bank = GatedBank(open: true, pendingOnce: [december[0].partnerReferenceNo])

        // Checks go four at a time (chunk_size 4): a pass that checked only before posting would pay four.
        let report = try await Self.engine(store, bank, maxInFlight: 2, chunkSize: 4, clock: clock).pass()
        #expect(report.accountsChecked == 12, "\(report.accountsChecked) accounts checked")
        #expect(report.sent == 12 && report.settled == 12 && report.inquired == 1,
                "sent \(report.sent), settled \(report.settled), inquired \(report.inquired)")
        let calls = bank.calls
        for transfer in december {
            let checked = calls.firstIndex(of: .accountCheck(transfer.accountNo))
            let paid = calls.firstIndex(of: .transfer(transfer.accountNo))
            #expect(checked != nil && paid != nil && checked! < paid!, "account \(transfer.accountNo): check \(String(describing: checked)), payment \(String(describing: paid))")
        }
        let after = try await store.ledger.transferRecords(from: nil, to: nil).filter { $0.period == "2026-12" }
        #expect(after.allSatisfy { $0.state == "settled" && $0.attempts == 1 }, "\(after.map { "\($0.state)/\($0.attempts)" })")
    }
}
