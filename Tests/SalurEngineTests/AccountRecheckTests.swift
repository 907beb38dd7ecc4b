import BankSimulator
import Foundation
import Logging
import SalurBank
import SalurCLI
import SalurCore
import SalurEngine
import SalurStore
import SalurTestSupport
import Synchronization
import Testing

/// Account checks recover: the bank's refusals of an account inquiry are told apart (an unknown
/// account, an inactive or dormant one, a set-up error at the bank), no answer blocks a recipient for
/// good, and accounts are checked again on a schedule and before a new period's first payment. Each
/// case runs on a temporary SQLite file and on a fresh PostgreSQL database, through the real libcurl
/// + SNAP client against the in-process bank simulator, with the engine on a clock the test moves.
@Suite("Account checks that recover, on both stores", .serialized)
struct AccountRecheckTests {
    typealias Backend = AccountHoldTests.Backend

    /// A wall clock the test sets.
    final class MovableClock: Sendable {
        private let date = Mutex(SalurCore.WallClock.testDay.now)
        var clock: SalurCore.WallClock { SalurCore.WallClock { self.date.withLock { $0 } } }
        func set(_ new: Date) { date.withLock { $0 = new } }
        func advance(days: Int) { date.withLock { $0 = $0.addingTimeInterval(Double(days) * 86_400) } }
    }

    static func engine(_ store: AccountHoldTests.Store, _ bank: SNAPClient, clock: MovableClock, recheckDays: Int = 30) -> Engine {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var settings = EngineHarness.settings
        settings.accountRecheckDays = recheckDays
        return Engine(ledger: store.ledger, bank: bank, settings: settings, logger: logger, clock: clock.clock)
    }

    static func record(_ store: AccountHoldTests.Store, nik: String, period: String) async throws -> TransferRecord {
        let all = try await store.ledger.transferRecords(from: nil, to: nil).filter { $0.nik == nik && $0.period == period }
        try #require(all.count == 1, "one transfer for NIK \(nik) in \(period), found \(all.count)")
        return all[0]
    }

    static func inquiries(_ simulator: BankSimulator) async -> Int {
        await simulator.stats().requests[.accountInquiryInternal] ?? 0
    }

    @Test("404xx16 and 404xx02 are set-up errors: nothing recorded, asked again; 403xx09 and 403xx18 are recorded dormant and inactive, not asked every pass, and asked again after account_recheck_days",
          .timeLimit(.minutes(5)), arguments: Backend.available)
    func refusalsToldApart(_ backend: Backend) async throws {
        let store = try await AccountHoldTests.Store.open(backend)
        defer { store.close() }
        let (simulator, client, bank, _) = try await EngineHarness.bankSide(faults: .none)
        defer { client.shutdown() }
        try await DemoTreasury.seed(store: store.ledger, count: 4, seed: 19, rules: AccountHoldTests.rules, approver: "checker")
        let queued = try await store.ledger.transferRecords(from: nil, to: nil)
        try #require(queued.count == 4)
        let (partnerless, misrouted, dormant, inactive) = (queued[0], queued[1], queued[2], queued[3])
        await simulator.refuseAccountInquiry(partnerless.accountNo, with: .partnerNotFound)
        await simulator.refuseAccountInquiry(misrouted.accountNo, with: .invalidRouting)
        await simulator.refuseAccountInquiry(dormant.accountNo, with: .dormant)
        await simulator.refuseAccountInquiry(inactive.accountNo, with: .inactive)
        let clock = MovableClock()
        try await Self.engine(store, bank, clock: clock).run(exitWhenIdle: true)

        // Dormant and inactive are answers about the account: recorded, and the payments held with them.
        let heldDormant = try await Self.record(store, nik: try #require(dormant.nik), period: "2026-11")
        #expect(heldDormant.state == "held" && heldDormant.attempts == 0, "\(heldDormant.state)")
        #expect(heldDormant.failureMessage?.contains("reported dormant by the bank (status \"Dormant Account\")") == true,
                "\(heldDormant.failureMessage ?? "")")
        let heldInactive = try await Self.record(store, nik: try #require(inactive.nik), period: "2026-11")
        #expect(heldInactive.state == "held" && heldInactive.attempts == 0, "\(heldInactive.state)")
        #expect(heldInactive.failureMessage?.contains("reported inactive by the bank (status \"Inactive Card/Account/Customer\")") == true,
                "\(heldInactive.failureMessage ?? "")")

        // Set-up errors say nothing about the accounts: no check is recorded, nothing is held, and the
        // accounts are the ones asked about again.
        let due = try await store.ledger.accountsToCheck(limit: 100, recheck: AccountRecheck(now: clock.clock.now, recheckDays: 30))
        #expect(Set(due.map(\.accountNo)) == [partnerless.accountNo, misrouted.accountNo])
        for transfer in [partnerless, misrouted] {
            let record = try await Self.record(store, nik: try #require(transfer.nik), period: "2026-11")
            #expect(record.state != "held", "a set-up error at the bank held \(record.state): \(record.failureMessage ?? "")")
        }
        let asked = await Self.inquiries(simulator)
        _ = try await Self.engine(store, bank, clock: clock).pass()
        #expect(await Self.inquiries(simulator) == asked + 2, "only the two accounts without an answer are asked again")

        // The bank reopens both accounts. Without a schedule nothing is asked again, even a month later.
        for transfer in queued { await simulator.refuseAccountInquiry(transfer.accountNo, with: nil) }
        clock.advance(days: 31)
        _ = try await Self.engine(store, bank, clock: clock, recheckDays: 0).pass()
        #expect(try await Self.record(store, nik: try #require(dormant.nik), period: "2026-11").state == "held")

        // With account_recheck_days = 30 they are checked again, found active, released and paid once.
        try await Self.engine(store, bank, clock: clock, recheckDays: 30).run(exitWhenIdle: true)
        for transfer in queued {
            let record = try await Self.record(store, nik: try #require(transfer.nik), period: "2026-11")
            #expect(record.state == "settled", "\(record.state): \(record.failureMessage ?? "")")
        }
        let booked = await simulator.ledger()
        #expect(booked.count == 4 && Set(booked.map(\.beneficiaryAccountNo)).count == 4)
        try await simulator.shutdown()
    }

    @Test("a new period's first payment waits for a fresh check: sent only once the bank has been asked again, held when it says inactive",
          .timeLimit(.minutes(5)), arguments: Backend.available)
    func newPeriodChecksAgain(_ backend: Backend) async throws {
        let store = try await AccountHoldTests.Store.open(backend)
        defer { store.close() }
        let (simulator, client, bank, _) = try await EngineHarness.bankSide(faults: .none)
        defer { client.shutdown() }
        try await DemoTreasury.seed(store: store.ledger, count: 2, seed: 23, rules: AccountHoldTests.rules, approver: "checker")
        let clock = MovableClock()
        try await Self.engine(store, bank, clock: clock).run(exitWhenIdle: true)
        #expect(await simulator.ledger().count == 2)
        let november = try await store.ledger.transferRecords(from: nil, to: nil)
        let (closing, unreachable) = (november[0], november[1])

        // December's payments, queued and approved nine days later: well within account_recheck_days.
        _ = try await store.ledger.enqueueProgram(program: "BANSOS-NT", period: Period("2026-12")!, amount: Rupiah(300_000),
                                                  remark: "BANSOS-NT 2026-12", actor: "maker", rules: AccountHoldTests.rules)
        _ = try await store.ledger.approve(ids: [], all: true, actor: "checker", distinctApprover: true)
        clock.set(AccountRecheck.startDate(of: Period("2026-12")!).addingTimeInterval(86_400))
        // Meanwhile the bank closed one account, and answers a set-up error about the other.
        await simulator.setAccount(BankAccount(accountNo: closing.accountNo, name: closing.name, status: .inactive),
                                   statusText: "Rekening tidak aktif")
        await simulator.refuseAccountInquiry(unreachable.accountNo, with: .partnerNotFound)
        for _ in 0..<3 { _ = try await Self.engine(store, bank, clock: clock).pass() }

        let held = try await Self.record(store, nik: try #require(closing.nik), period: "2026-12")
        #expect(held.state == "held" && held.attempts == 0, "\(held.state), \(held.attempts) attempts")
        #expect(held.failureMessage?.contains("Rekening tidak aktif") == true, "\(held.failureMessage ?? "")")
        let waiting = try await Self.record(store, nik: try #require(unreachable.nik), period: "2026-12")
        #expect(waiting.state == "approved" && waiting.attempts == 0,
                "sent on November's check: \(waiting.state), \(waiting.attempts) attempts")
        #expect(await simulator.ledger().count == 2)

        // The bank's set-up is fixed: the account is asked about, found active, and December is paid.
        await simulator.refuseAccountInquiry(unreachable.accountNo, with: nil)
        try await Self.engine(store, bank, clock: clock).run(exitWhenIdle: true)
        let paid = try await Self.record(store, nik: try #require(unreachable.nik), period: "2026-12")
        #expect(paid.state == "settled", "\(paid.state): \(paid.failureMessage ?? "")")
        #expect(await simulator.ledger().count == 3)
        try await simulator.shutdown()
    }

    @Test("the recheck rule: by age, and by the start of the period paid (or of this month, for a period paid ahead)")
    func rule() {
        let now = SalurCore.WallClock.testDay.now  // 2026-11-23 10:00 WIB
        let recheck = AccountRecheck(now: now, recheckDays: 30)
        #expect(recheck.currentPeriod == Period("2026-11")!)
        #expect(recheck.dueBefore == Timestamp.iso8601(now.addingTimeInterval(-30 * 86_400)))
        #expect(AccountRecheck(now: now, recheckDays: 0).dueBefore == nil)
        // November starts at 2026-11-01 00:00 WIB, 2026-10-31 17:00 UTC.
        #expect(recheck.periodBound("2026-11") == "2026-10-31T17:00:00.000Z")
        #expect(recheck.periodBound("2026-10") == "2026-09-30T17:00:00.000Z")
        #expect(recheck.periodBound("2027-01") == "2026-10-31T17:00:00.000Z", "a period paid ahead: this month's start")
        #expect(recheck.awaitsCheck(checkedAt: "2026-10-31T16:59:59.999Z", period: "2026-11"))
        #expect(!recheck.awaitsCheck(checkedAt: "2026-10-31T17:00:00.000Z", period: "2026-11"))
        #expect(!recheck.awaitsCheck(checkedAt: "2026-11-02T00:00:00.000Z", period: "2027-01"),
                "checked this month: a payment ahead does not wait for its period to begin")
        #expect(!recheck.awaitsCheck(checkedAt: nil, period: "2026-11"), "never checked: the engine checks it first anyway")
    }
}
