import BankSimulator
import Foundation
import GRDB
import Logging
import SalurCore
import SalurEngine
import SalurSQLite
import SalurStore
import SalurTestSupport
import Testing

/// Exactly once across restores (DESIGN §4.1, §4.9): a database restored from a backup hands out no
/// reference the bank has seen, and pays nothing again that was paid after the backup.
@Suite("A restored database pays no one twice and settles no one on another's booking", .serialized)
struct RestoreTests {
    static let rules = BatchingRules(maxItems: 500, maxAmount: Rupiah(1_000_000_000), approvalRequired: true)

    /// A copy of the database as an operator's nightly backup takes it (`VACUUM INTO`, a consistent snapshot).
    static func backup(_ ledger: SQLiteLedger, to path: String) throws {
        let connection = try DatabaseQueue(path: ledger.path)
        try connection.inDatabase { try $0.execute(sql: "VACUUM INTO ?", arguments: [path]) }
        try connection.close()
    }

    static func engine(_ ledger: SQLiteLedger, _ harness: EngineHarness, sentMark: SentMarkFile, clock: SalurCore.WallClock = .system) -> Engine {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return Engine(ledger: ledger, bank: harness.bank, settings: EngineHarness.settings, logger: logger, sentMark: sentMark, clock: clock)
    }

    static func run(_ engine: Engine) async throws {
        try await engine.recover()
        try await engine.run(exitWhenIdle: true)
    }

    /// Every reference booked at most once; the bookings of each reference, by reference.
    static func bookings(_ simulator: BankSimulator) async -> [String: [LedgerEntry]] {
        Dictionary(grouping: await simulator.ledger().filter { $0.status == .settled }, by: \.partnerReferenceNo)
    }

    @Test("a restored backup pays the next period against a bank that refuses a repeated reference: every new transfer booked, none settled on an old booking")
    func restoredBackupNextPeriod() async throws {
        let harness = try await EngineHarness.make(count: 120, faults: .none, dedupe: true)
        let sentMark = SentMarkFile(path: harness.directory + "/salur.sqlite.sent-mark")
        // November is paid; the backup is taken; December is queued, approved and paid after it.
        try await Self.run(Self.engine(harness.ledger, harness, sentMark: sentMark))
        try Self.backup(harness.ledger, to: harness.directory + "/backup.sqlite")
        _ = try harness.ledger.enqueueProgram(program: "BANSOS-NT", period: Period("2026-12")!, amount: Rupiah(300_000),
                                              remark: "BANSOS-NT 2026-12", actor: "maker", rules: Self.rules)
        _ = try harness.ledger.approve(ids: [], all: true, actor: "checker", distinctApprover: true)
        try await Self.run(Self.engine(harness.ledger, harness, sentMark: sentMark))
        let paidAfterBackup = try harness.ledger.transferRecords(from: nil, to: nil).filter { $0.period == "2026-12" }
        #expect(paidAfterBackup.count == 120 && paidAfterBackup.allSatisfy { $0.state == "settled" })

        // The backup is restored (the sent mark, kept outside the database, stays), and the next period queued.
        let restored = try SQLiteLedger(path: harness.directory + "/backup.sqlite", clock: .testDay)
        let restoredMark = SentMarkFile(path: harness.directory + "/backup.sqlite.sent-mark")
        try FileManager.default.copyItem(atPath: sentMark.path, toPath: restoredMark.path)
        #expect(try await restored.sendMarkStatus().claims < (try restoredMark.read()), "the restored database is behind what was sent")
        _ = try restored.enqueueProgram(program: "BANSOS-NT", period: Period("2027-01")!, amount: Rupiah(310_000),
                                        remark: "BANSOS-NT 2027-01", actor: "maker", rules: Self.rules)
        _ = try restored.approve(ids: [], all: true, actor: "checker", distinctApprover: true)
        let january = try restored.transferRecords(from: nil, to: nil).filter { $0.period == "2027-01" }
        #expect(january.count == 120)
        // The restored database hands out the ids it handed out after the backup, but never their references.
        #expect(Set(january.map(\.transferID)) == Set(paidAfterBackup.map(\.transferID)))
        #expect(Set(january.map(\.partnerReferenceNo)).isDisjoint(with: paidAfterBackup.map(\.partnerReferenceNo)))

        try await Self.run(Self.engine(restored, harness, sentMark: restoredMark))
        let status = try await restored.sendMarkStatus()
        #expect(status.recoveredBy == "salurd" && status.recoveredTransfers == 120, "the engine noticed the restore: \(status)")
        let records = try restored.transferRecords(from: nil, to: nil)
        #expect(records.allSatisfy { $0.state == "settled" }, "\(Dictionary(grouping: records, by: \.state).mapValues(\.count))")
        let booked = await Self.bookings(harness.simulator)
        #expect(booked.values.allSatisfy { $0.count == 1 }, "a reference booked twice")
        // Each January transfer is settled on its own booking: its reference, its amount, its account.
        for transfer in records where transfer.period == "2027-01" {
            let entry = try #require(booked[transfer.partnerReferenceNo]?.first, "January transfer \(transfer.partnerReferenceNo) never booked")
            #expect(entry.amount == Rupiah(310_000) && entry.beneficiaryAccountNo == transfer.accountNo
                    && entry.referenceNo == transfer.bankReferenceNo)
        }
        #expect(booked.count == 360, "November, December and January, each once")
        try await harness.close()
    }

    @Test("a backup restored the next day against a bank that books a repeated reference again: no one paid twice")
    func nextDayRestore() async throws {
        let harness = try await EngineHarness.make(count: 150, faults: .none, dedupe: false)
        let sentMark = SentMarkFile(path: harness.directory + "/salur.sqlite.sent-mark")
        // The backup holds November approved, not yet sent; then the engine pays it.
        try Self.backup(harness.ledger, to: harness.directory + "/backup.sqlite")
        try await Self.run(Self.engine(harness.ledger, harness, sentMark: sentMark))
        #expect(await Self.bookings(harness.simulator).count == 150)

        // Restored the next day: new attempts would carry the next day's X-EXTERNAL-IDs, which the
        // bank's per-day check does not know.
        let restored = try SQLiteLedger(path: harness.directory + "/backup.sqlite", clock: .testDay)
        let restoredMark = SentMarkFile(path: harness.directory + "/backup.sqlite.sent-mark")
        try FileManager.default.copyItem(atPath: sentMark.path, toPath: restoredMark.path)
        #expect(try restored.transferRecords(from: nil, to: nil).allSatisfy { $0.state == "approved" })
        let tomorrow = SalurCore.WallClock { Date().addingTimeInterval(86_400) }
        try await Self.run(Self.engine(restored, harness, sentMark: restoredMark, clock: tomorrow))

        let booked = await Self.bookings(harness.simulator)
        #expect(booked.count == 150 && booked.values.allSatisfy { $0.count == 1 },
                "paid twice: \(booked.filter { $0.value.count > 1 }.keys.sorted().prefix(3))")
        let records = try restored.transferRecords(from: nil, to: nil)
        #expect(records.allSatisfy { $0.state == "settled" }, "settled by inquiry: \(Dictionary(grouping: records, by: \.state).mapValues(\.count))")
        for transfer in records {
            #expect(booked[transfer.partnerReferenceNo]?.first?.referenceNo == transfer.bankReferenceNo)
        }
        #expect(try await restored.sendMarkStatus().recoveredTransfers == 150)
        try await harness.close()
    }

    @Test("salurctl db restored's recovery, by hand: every open transfer in doubt until the bank answers; nothing is sent before")
    func recoveryByHand() async throws {
        let harness = try await EngineHarness.make(count: 20, faults: .none, dedupe: false)
        let recovered = try await harness.ledger.recoverFromRestore(RestoreRecoveryRequest(
            reason: "operator: backup of 2026-11-22", actor: "operator", markAtLeast: 0, rules: Self.rules, now: Date()))
        #expect(recovered == 20)
        let records = try harness.ledger.transferRecords(from: nil, to: nil)
        #expect(records.allSatisfy { $0.state == "in_doubt" })
        let audit = try #require(try harness.ledger.auditTail(limit: 1).first)
        #expect(audit.action == "database.restore-recovery" && audit.actor == "operator" && audit.details.contains("backup of 2026-11-22"))
        // Never sent before: the bank answers "not found" twice past the settle time, then each is paid once.
        try await Self.run(harness.engine())
        let booked = await Self.bookings(harness.simulator)
        #expect(booked.count == 20 && booked.values.allSatisfy { $0.count == 1 })
        let stats = await harness.simulator.stats()
        #expect(stats.requests[SNAPService.transferStatus, default: 0] >= 40, "two inquiries each before sending: \(stats.requests)")
        try await harness.close()
    }
}
