import BankSimulator
import Foundation
import Logging
import SalurBank
import SalurCore
import SalurEngine
import SalurSQLite
import SalurStore
import SalurTestSupport
import Testing

/// External account inquiry (SNAP 16) before the first payment to an account at another bank: a
/// payee the bank confirms under the name Salur pays is paid (asked once per payee); an unknown
/// account or another name holds the transfer and its batch, and nothing is sent.
@Suite("Payees at other banks are verified first (SNAP 16)", .serialized, .timeLimit(.minutes(5)))
struct PayeeCheckTests {
    static func run(_ transfers: [NewTransfer], accounts: [BankAccount]) async throws -> (PayrollStore, BankStats, [LedgerEntry], [String]) {
        let store = try PayrollStore()
        let ledger = store.ledger
        let queued = try ledger.enqueue(transfers, actor: "maker", rules: PayrollFixture.rules, auditAction: "test.enqueue", auditSubject: "t")
        _ = try ledger.approve(ids: queued.batches, all: false, actor: "checker", distinctApprover: true)
        let bank = try await BankLimitsTests.bank { $0.accounts = accounts }
        let engine = BankLimitsTests.engine(ledger, bank.snap)
        try await engine.recover()
        try await engine.run(exitWhenIdle: true)
        let stats = await bank.simulator.stats()
        let entries = await bank.simulator.ledger()
        try await bank.stop()
        return (store, stats, entries, queued.batches)
    }

    static func bpjs(_ key: String, account: String = "0700000111222") -> NewTransfer {
        var t = BankLimitsTests.transfer(key, 1_250_000)
        t.beneficiaryAccount = account
        return t
    }

    @Test("confirmed under the name paid: transfers to the payee paid; a confirmed payee is not asked about again")
    func confirmed() async throws {
        let store = try PayrollStore(); defer { store.remove() }
        let ledger = store.ledger
        let bank = try await BankLimitsTests.bank {
            $0.accounts = [BankAccount(accountNo: "0700000111222", name: "Bpjs Ketenagakerjaan", status: .active)]
        }
        let engine = BankLimitsTests.engine(ledger, bank.snap)
        try await engine.recover()
        for round in ["a", "b"] {
            let queued = try ledger.enqueue([Self.bpjs(round)], actor: "maker", rules: PayrollFixture.rules, auditAction: "test.enqueue",
                                            auditSubject: round)
            _ = try ledger.approve(ids: queued.batches, all: false, actor: "checker", distinctApprover: true)
            try await engine.run(exitWhenIdle: true)
        }
        let stats = await bank.simulator.stats()
        let entries = await bank.simulator.ledger()
        try await bank.stop()
        #expect(stats.requests[.accountInquiryExternal] == 1, "asked before the first payment only")
        #expect(entries.filter { $0.status == .settled }.count == 2)
        #expect(try ledger.transferRecords(from: nil, to: nil).map(\.state) == ["settled", "settled"])
    }

    @Test("another name or an unknown account: held with the bank's answer, the batch held, nothing sent",
          arguments: [("0700000111222", "PT LAIN SEKALI", "names account *********1222 \"PT LAIN SEKALI\", not \"BPJS KETENAGAKERJAAN\""),
                      ("0700000999999", "BPJS KETENAGAKERJAAN", "does not know account *********9999")])
    func refused(account: String, bankName: String, expected: String) async throws {
        let (store, stats, entries, batches) = try await Self.run([Self.bpjs("a", account: account)],
                                                                  accounts: [BankAccount(accountNo: "0700000111222", name: bankName, status: .active)])
        defer { store.remove() }
        #expect(entries.isEmpty, "no transfer reached the bank")
        #expect((stats.requests[.transferInterbank] ?? 0) == 0)
        let record = try #require(try store.ledger.transferRecords(from: nil, to: nil).first)
        #expect(record.state == "held", "\(record)")
        #expect(record.failureMessage?.contains(expected) == true, "\(record.failureMessage ?? "")")
        let batch = try #require(try await store.ledger.batches(id: batches[0]).first)
        #expect(batch.state == "held" && batch.holdReason?.contains("SNAP 16") == true)
    }
}
