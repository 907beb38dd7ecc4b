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

/// A transfer is never sent to an account the bank reported not payable, even when the check came
/// after the transfer was queued and approved: it is held with the reason until an operator acts.
/// Each case runs on a temporary SQLite file and on a fresh PostgreSQL database, through the real
/// libcurl + SNAP client against the in-process bank simulator.
@Suite("Transfers to an account reported not payable are held, on both stores", .serialized)
struct AccountHoldTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case sqlite, postgres
        var testDescription: String { rawValue }
        static var available: [Backend] { PostgresScratch.isEnabled ? allCases : [.sqlite] }
    }

    /// One store of either kind, registered as an engine where that matters (PostgreSQL).
    struct Store {
        let ledger: any SalurStoreBackend
        let close: @Sendable () -> Void

        static func open(_ backend: Backend) async throws -> Store {
            switch backend {
            case .sqlite:
                let directory = NSTemporaryDirectory() + "salur-account-hold-\(UUID().uuidString)"
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                let ledger = try SQLiteLedger(path: directory + "/salur.sqlite")
                return Store(ledger: ledger, close: { try? FileManager.default.removeItem(atPath: directory) })
            case .postgres:
                let target = try await PostgresScratch.freshTarget(prefix: "accthold")
                let ledger = try await PostgresEngineLedgerTests.engine(target)
                return Store(ledger: ledger, close: { ledger.shutdown() })
            }
        }
    }

    static let rules = BatchingRules(maxItems: 500, maxAmount: Rupiah(1_000_000_000), approvalRequired: true)

    static func engine(_ store: Store, _ bank: SNAPClient) -> Engine {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return Engine(ledger: store.ledger, bank: bank, settings: EngineHarness.settings, logger: logger)
    }

    static func record(_ store: Store, nik: String) async throws -> TransferRecord {
        let all = try await store.ledger.transferRecords(from: nil, to: nil).filter { $0.nik == nik }
        try #require(all.count == 1, "one transfer for NIK \(nik), found \(all.count)")
        return all[0]
    }

    @Test("reported inactive after its transfer was queued and approved: not sent, held with the reason, paid after the operator's re-check",
          .timeLimit(.minutes(5)), arguments: Backend.available)
    func inactiveAfterApproval(_ backend: Backend) async throws {
        let store = try await Store.open(backend)
        defer { store.close() }
        let (simulator, client, bank, _) = try await EngineHarness.bankSide(faults: .none)
        defer { client.shutdown() }
        // Five recipients with opened accounts, one payment each, queued and approved by a checker —
        // before any account check.
        try await DemoTreasury.seed(store: store.ledger, count: 5, seed: 7, rules: Self.rules, approver: "checker")
        let queued = try await store.ledger.transferRecords(from: nil, to: nil)
        try #require(queued.count == 5 && queued.allSatisfy { $0.state == "approved" })
        let target = queued[2]
        let nik = try #require(target.nik)
        let masked = Validate.maskedAccount(target.accountNo)

        // Then the bank blocks the account; the engine's check learns it after the approval.
        await simulator.setAccount(BankAccount(accountNo: target.accountNo, name: target.name, status: .inactive),
                                   statusText: "Rekening tidak aktif")
        try await Self.engine(store, bank).run(exitWhenIdle: true)

        var booked = await simulator.ledger()
        #expect(booked.count == 4, "the bank booked \(booked.count) payments; four accounts are active")
        #expect(!booked.contains { $0.beneficiaryAccountNo == target.accountNo }, "a payment reached the blocked account")
        var held = try await Self.record(store, nik: nik)
        #expect(held.state == "held")
        #expect(held.attempts == 0, "no attempt may have been started for it")
        let reason = held.failureMessage ?? ""
        #expect(reason.contains("account \(masked) reported inactive by the bank (status \"Rekening tidak aktif\") at "), "\(reason)")
        #expect(!reason.contains(target.accountNo), "the full account number is never shown")
        let audit = try await store.ledger.auditTail(limit: 1_000)
        #expect(audit.contains { $0.action == "transfer.hold" && $0.subject == String(held.transferID) })
        #expect(try await store.ledger.queueStatus(now: Date()).transfers["held"]?.count == 1)

        // An operator holds and releases the batch for another reason: release puts every held
        // transfer back to approved, and the claim itself must stop this one.
        let batch = try #require(held.batchID)
        try await store.ledger.hold(id: batch, reason: "checking the amounts", actor: "checker")
        try await store.ledger.release(id: batch, actor: "checker")
        try await Self.engine(store, bank).run(exitWhenIdle: true)
        booked = await simulator.ledger()
        #expect(!booked.contains { $0.beneficiaryAccountNo == target.accountNo }, "the claim sent a transfer to the blocked account")
        held = try await Self.record(store, nik: nik)
        #expect(held.state == "held" && held.attempts == 0, "\(held.state), \(held.attempts) attempts")
        #expect(held.failureMessage?.contains("Rekening tidak aktif") == true)

        // Re-checking while the bank still says inactive changes nothing.
        #expect(try await store.ledger.recheckAccounts(niks: [nik], actor: "operator") == 1)
        try await Self.engine(store, bank).run(exitWhenIdle: true)
        held = try await Self.record(store, nik: nik)
        #expect(held.state == "held" && held.attempts == 0)

        // The bank reactivates the account; the operator asks for a re-check, and it is paid, once.
        await simulator.setAccount(BankAccount(accountNo: target.accountNo, name: target.name, status: .active), statusText: "Rekening aktif")
        #expect(try await store.ledger.recheckAccounts(niks: [nik], actor: "operator") == 1)
        try await Self.engine(store, bank).run(exitWhenIdle: true)
        booked = await simulator.ledger()
        #expect(booked.filter { $0.beneficiaryAccountNo == target.accountNo }.count == 1)
        #expect(booked.count == 5)
        let paid = try await Self.record(store, nik: nik)
        #expect(paid.state == "settled", "\(paid.state): \(paid.failureMessage ?? "")")
        let actions = try await store.ledger.auditTail(limit: 1_000).map(\.action)
        #expect(actions.contains("account.recheck") && actions.contains("transfer.release"))
        try await simulator.shutdown()
    }

    @Test("an unrecognised status wording holds the payment with the bank's text; unknown accounts too",
          .timeLimit(.minutes(5)), arguments: Backend.available)
    func unrecognisedAndUnknown(_ backend: Backend) async throws {
        let store = try await Store.open(backend)
        defer { store.close() }
        let (simulator, client, bank, _) = try await EngineHarness.bankSide(faults: .none)
        defer { client.shutdown() }
        try await DemoTreasury.seed(store: store.ledger, count: 4, seed: 11, rules: Self.rules, approver: "checker")
        let queued = try await store.ledger.transferRecords(from: nil, to: nil)
        let odd = queued[0], gone = queued[1]
        await simulator.setAccount(BankAccount(accountNo: odd.accountNo, name: odd.name, status: .active), statusText: "Status 9")
        await simulator.setAccount(BankAccount(accountNo: gone.accountNo, name: gone.name, status: .unknown))
        try await Self.engine(store, bank).run(exitWhenIdle: true)

        let booked = await simulator.ledger()
        #expect(booked.count == 2)
        #expect(!booked.contains { $0.beneficiaryAccountNo == odd.accountNo || $0.beneficiaryAccountNo == gone.accountNo })
        let oddRecord = try await Self.record(store, nik: try #require(odd.nik))
        #expect(oddRecord.state == "held" && oddRecord.attempts == 0)
        #expect(oddRecord.failureMessage?.contains("status Salur does not recognise (status \"Status 9\")") == true, "\(oddRecord.failureMessage ?? "")")
        let goneRecord = try await Self.record(store, nik: try #require(gone.nik))
        #expect(goneRecord.state == "held" && goneRecord.attempts == 0)
        #expect(goneRecord.failureMessage?.contains("unknown to the bank") == true, "\(goneRecord.failureMessage ?? "")")
        try await simulator.shutdown()
    }
}
