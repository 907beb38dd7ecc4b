import BankSimulator
import Foundation
import Logging
import SalurBank
import SalurCore
import SalurEngine
import SalurStore
import Testing

/// Large payments to another bank: `[bank.routing]` picks RTGS (22) or SKN (23) when the amount is
/// above the bank's cap on 18, the service is stored with the transfer, sent with the standard's
/// mandatory fields, and a pending SKN answer is settled by the status inquiry with `serviceCode` 23.
@Suite("RTGS and SKN", .serialized, .timeLimit(.minutes(5)))
struct ClearingServicesTests {
    /// A bank that caps 18 at Rp 50 juta, as the one Kupang's Rp 161 juta remittance failed at.
    static let capped = ServiceRouting(
        intrabankMax: nil, interbankMax: Rupiah(50_000_000), rtgsMin: Rupiah(100_000_001), rtgsMax: nil,
        sknMax: Rupiah(1_000_000_000), interbankOrder: [.interbank, .rtgs, .skn], noBIFastBanks: [])

    static func remittance(_ amount: Int64, key: String) -> NewTransfer {
        NewTransfer(kind: .interbank, dedupeKey: key, recipientID: nil, nik: nil, beneficiaryName: "BPJS KETENAGAKERJAAN",
                    beneficiaryAccount: "0700000111222", beneficiaryBankCode: "009", program: "BPJS-TK", period: "2024-05",
                    amount: Rupiah(amount), remark: "IURAN BPJS TK 2024-05")
    }

    @Test("routing: 18 up to the cap, then RTGS from Rp 100 juta, SKN below it; a bank off BI-FAST; refused above every limit")
    func routing() throws {
        let r = Self.capped
        #expect(try r.route(kind: .interbank, amount: Rupiah(40_000_000), bankCode: "009").get() == .interbank)
        #expect(try r.route(kind: .interbank, amount: Rupiah(161_000_000), bankCode: "009").get() == .rtgs)
        #expect(try r.route(kind: .interbank, amount: Rupiah(60_000_000), bankCode: "009").get() == .skn)
        var offline = r
        offline.noBIFastBanks = ["535"]
        #expect(try offline.route(kind: .interbank, amount: Rupiah(1_000_000), bankCode: "535").get() == .skn)
        var sknFirst = r
        sknFirst.interbankOrder = [.interbank, .skn, .rtgs]
        #expect(try sknFirst.route(kind: .interbank, amount: Rupiah(161_000_000), bankCode: "009").get() == .skn)
        var noRTGS = r
        noRTGS.interbankOrder = [.interbank, .skn]
        guard case .failure(let refusal) = noRTGS.route(kind: .interbank, amount: Rupiah(2_000_000_000), bankCode: "009") else {
            Issue.record("Rp 2 miliar with 18 and 23 only must be refused"); return
        }
        #expect(refusal.description.contains("18 takes at most Rp 50.000.000") && refusal.description.contains("23 (SKN) takes at most"))
        var intrabankCap = r
        intrabankCap.intrabankMax = Rupiah(100_000_000)
        #expect(try intrabankCap.route(kind: .intrabank, amount: Rupiah(100_000_000), bankCode: nil).get() == .intrabank)
        #expect((try? intrabankCap.route(kind: .intrabank, amount: Rupiah(100_000_001), bankCode: nil).get()) == nil)
        #expect(try ServiceRouting.standard.route(kind: .interbank, amount: Rupiah(250_000_000), bankCode: "009").get() == .interbank)
        #expect(try ServiceRouting.standard.route(kind: .interbank, amount: Rupiah(250_000_001), bankCode: "009").get() == .rtgs)
    }

    @Test("a transfer no service takes is refused when queued, saying why; nothing is queued")
    func refusedWhenQueued() throws {
        let store = try PayrollStore(); defer { store.remove() }
        var rules = PayrollFixture.rules
        rules.routing.interbankOrder = [.interbank, .skn]
        rules.routing.interbankMax = Rupiah(50_000_000)
        #expect {
            try store.ledger.enqueue([Self.remittance(2_000_000_000, key: "big")], actor: "maker", rules: rules,
                                     auditAction: "test.enqueue", auditSubject: "big")
        } throws: { error in
            "\(error)".contains("no service of bank.routing.interbank_order takes a transfer of Rp 2.000.000.000")
        }
        #expect(try store.ledger.transferRecords(from: nil, to: nil).isEmpty)
        var noBank = Self.remittance(1_000_000, key: "nobank")
        noBank.beneficiaryBankCode = nil
        #expect {
            try store.ledger.enqueue([noBank], actor: "maker", rules: PayrollFixture.rules, auditAction: "test.enqueue", auditSubject: "nobank")
        } throws: { "\($0)".contains("needs the beneficiary's bank code") }
        #expect(try store.ledger.transferRecords(from: nil, to: nil).isEmpty)
    }

    static let cases: [(amount: Int64, service: SNAPService)] = [(161_000_000, .transferRTGS), (60_000_000, .transferSKN)]

    @Test("paid through the service it was queued for, against a bank capping 18 at Rp 50 juta", arguments: cases)
    func paidThroughClearing(_ c: (amount: Int64, service: SNAPService)) async throws {
        let store = try PayrollStore(); defer { store.remove() }
        let ledger = store.ledger
        var rules = PayrollFixture.rules
        rules.routing = Self.capped
        let queued = try ledger.enqueue([Self.remittance(c.amount, key: "remit")], actor: "maker", rules: rules,
                                        auditAction: "test.enqueue", auditSubject: "remit")
        _ = try ledger.approve(ids: queued.batches, all: false, actor: "checker", distinctApprover: true)
        #expect(try ledger.transferRecords(from: nil, to: nil).map(\.service) == [c.service.code])

        let bank = try await BankLimitsTests.bank {
            $0.settleAfterMilliseconds = 30
            $0.interbankMaxAmount = Rupiah(50_000_000)
        }
        let engine = BankLimitsTests.engine(ledger, bank.snap, clock: .system)
        try await engine.recover()
        try await engine.run(exitWhenIdle: true)
        let entries = await bank.simulator.ledger()
        let stats = await bank.simulator.stats()
        try await bank.stop()

        #expect(entries.count == 1, "one booking, through \(c.service)")
        let entry = try #require(entries.first)
        #expect(entry.service == c.service && entry.status == .settled && entry.amount == Rupiah(c.amount))
        let record = try #require(try ledger.transferRecords(from: nil, to: nil).first)
        #expect(record.state == "settled" && record.bankReferenceNo == entry.referenceNo)
        if c.service == .transferSKN {
            // The 200 said pending (03): the transfer waited in doubt until service 36 said success.
            #expect((stats.requests[.transferStatus] ?? 0) >= 1)
        }
    }
}
