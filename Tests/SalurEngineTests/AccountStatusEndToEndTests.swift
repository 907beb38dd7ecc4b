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
import Testing

/// Against a bank that words an active account as the SNAP standard's own sample does
/// ("Rekening aktif"), or in its own way, every active account stays payable: checked, paid, and
/// queued again the next period. (Reading only the exact text `active` once marked 236 of 390
/// active accounts not payable, and the next period's `enqueue` skipped them.)
@Suite("Account status wordings end to end")
struct AccountStatusEndToEndTests {
    @Test("a bank answering its own active wording: all 390 accounts checked payable, paid, and queued again next period",
          .timeLimit(.minutes(5)), arguments: [String?("Rekening aktif"), "AKTIF", "Active", nil])
    func activeWordingPays(_ wording: String?) async throws {
        let count = 390
        let directory = NSTemporaryDirectory() + "salur-wording-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/salur.sqlite"
        let ledger = try SQLiteLedger(path: path)
        let rules = BatchingRules(maxItems: 500, maxAmount: Rupiah(1_000_000_000), approvalRequired: true)
        try DemoTreasury.seed(ledger, count: count, seed: 7, rules: rules, approver: "checker")
        let (simulator, client, bank, _) = try await EngineHarness.bankSide(faults: .none) { config in
            config.activeStatusText = wording
        }
        defer { client.shutdown() }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let engine = Engine(ledger: ledger, bank: bank, settings: EngineHarness.settings, logger: logger)
        // A pass checks one chunk of accounts; the engine is idle once the payments are done, so it
        // runs again until every account has been checked (a bounded number of times).
        let queue = try DatabaseQueue(path: path)
        for _ in 0..<10 {
            try await engine.run(exitWhenIdle: true)
            let unchecked = try await queue.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM recipient WHERE account_checked_at IS NULL") ?? 0
            }
            if unchecked == 0 { break }
        }
        let checks = try await queue.read { db in
            try Row.fetchAll(db, sql: "SELECT account_check, count(*) AS n FROM recipient GROUP BY account_check")
                .map { ($0["account_check"] as String? ?? "unchecked", $0["n"] as Int) }
        }
        let payable = checks.filter { $0.0 == "active" || $0.0 == "name_mismatch" }.map(\.1).reduce(0, +)
        #expect(payable == count, "account checks: \(checks)")
        let booked = await simulator.ledger()
        #expect(booked.count == count, "the bank booked \(booked.count) of \(count)")
        let records = try ledger.transferRecords(from: nil, to: nil)
        #expect(records.filter { $0.state == "settled" }.count == count)

        // The next period queues every one of them again.
        let next = try ledger.enqueueProgram(program: "BANSOS-NT", period: Period("2026-12")!, amount: Rupiah(300_000),
                                             remark: "BANSOS-NT 2026-12", actor: "maker", rules: rules)
        #expect(next.queued == count)
        #expect(next.skipped.isEmpty, "skipped: \(next.skipped.prefix(3))")
        try await simulator.shutdown()
    }

    @Test("a bank answering an inactive wording of its own: that account is held, the others paid")
    func inactiveWordingHolds() async throws {
        let directory = NSTemporaryDirectory() + "salur-wording-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try SQLiteLedger(path: directory + "/salur.sqlite")
        let rules = BatchingRules(maxItems: 500, maxAmount: Rupiah(1_000_000_000), approvalRequired: true)
        try DemoTreasury.seed(ledger, count: 6, seed: 3, rules: rules, approver: "checker")
        let target = try ledger.transferRecords(from: nil, to: nil)[4]
        let (simulator, client, bank, _) = try await EngineHarness.bankSide(faults: .none) { config in
            config.activeStatusText = "Rekening aktif"
            config.inactiveStatusText = "Rekening Dormant"
        }
        defer { client.shutdown() }
        await simulator.setAccount(BankAccount(accountNo: target.accountNo, name: target.name, status: .inactive))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        try await Engine(ledger: ledger, bank: bank, settings: EngineHarness.settings, logger: logger).run(exitWhenIdle: true)
        let booked = await simulator.ledger()
        #expect(booked.count == 5)
        let held = try ledger.transferRecords(from: nil, to: nil).first { $0.transferID == target.transferID }
        #expect(held?.state == "held")
        #expect(held?.failureMessage?.contains("(status \"Rekening Dormant\")") == true, "\(held?.failureMessage ?? "")")
        try await simulator.shutdown()
    }
}
