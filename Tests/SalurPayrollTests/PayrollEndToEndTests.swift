import BankSimulator
import Foundation
import Logging
import SalurBank
import SalurCore
import SalurEngine
import SalurStore
import Testing

/// A payroll of more than 2,000 staff, remitted through maker-checker and posted by the engine to the
/// in-process bank simulator over loopback with the real libcurl + SNAP client.
@Suite("Payroll remittance end to end", .serialized, .timeLimit(.minutes(5)))
struct PayrollEndToEndTests {
    typealias F = PayrollFixture

    /// 2,162 staff in Kendari's four work units.
    static let units: [(unit: String, count: Int)] = [("DLHK", 1_002), ("Satpol PP", 706), ("Damkar", 434), ("SDA", 20)]

    static let faults: [(name: String, fault: SimulatedFault?)] = [("clean bank", nil), ("answer lost after booking", .timeoutAfter),
                                                                    ("connection dropped after booking", .dropAfter)]

    @Test("one settled transfer to another bank (RTGS: above BI-FAST's cap) equal to the report's grand total, to the agreement's BPJS account", arguments: faults)
    func remitToBPJS(_ scenario: (name: String, fault: SimulatedFault?)) async throws {
        let store = try PayrollStore(); defer { store.remove() }
        let ledger = store.ledger
        _ = try ledger.addAgreement(F.kendari, actor: "maker")
        let imported = try store.importPayroll(F.kendariCSV(units: Self.units), agreement: F.kendari, period: "2024-05")
        #expect(imported.run.lines == 2_162)
        let report = try ledger.payrollReport(agreementID: nil, period: F.period("2024-05"))
        #expect(report.workUnits.map(\.headcount) == [1_002, 706, 434, 20])

        let remit = try ledger.remitPayroll(agreementID: nil, period: F.period("2024-05"), actor: "maker", rules: F.rules)
        #expect(remit.queued)
        #expect(remit.remittance.amount == report.totals.grandTotal)
        #expect(try !ledger.remitPayroll(agreementID: nil, period: F.period("2024-05"), actor: "maker", rules: F.rules).queued)
        #expect(throws: StoreError.self) { try ledger.approve(ids: remit.batches, all: false, actor: "maker", distinctApprover: true) }
        _ = try ledger.approve(ids: remit.batches, all: false, actor: "checker", distinctApprover: true)

        let keys = try SNAPKeys.generate()
        let secret = "test-secret-\(UUID().uuidString)"
        var config = BankSimulatorConfig(clientKey: "salur-test", clientPublicKeyPEM: keys.publicPEM, clientSecret: secret)
        config.sourceAccountNo = "0011999999"
        // BPJS's account as the bank knows it: the external account inquiry (16) confirms it before the payment.
        config.accounts = [BankAccount(accountNo: F.kendari.bpjsAccount, name: "BPJS KETENAGAKERJAAN", status: .active)]
        config.seed = 5
        config.settleAfterMilliseconds = 30
        if let fault = scenario.fault { config.faults[fault] = 100 }
        let simulator = try await BankSimulator.start(config)
        var options = CurlClient.Options()
        options.requestTimeoutMs = 2_000
        let client = try CurlClient(options: options)
        let credentials = try SNAPCredentials(partnerID: "KENDARI", clientKey: "salur-test", channelID: "95221",
                                              clientSecret: Array(secret.utf8), privateKeyPEM: keys.privatePEM)
        let bank = SNAPClient(endpoint: .init(baseURL: "http://127.0.0.1:\(simulator.port)", sourceAccount: "0011999999"),
                              credentials: credentials, transport: client)
        var logger = Logger(label: "payroll-test")
        logger.logLevel = .critical
        let settings = EngineSettings(batching: F.rules, retry: RetryPolicy(baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 10, inquiryDelayMs: 10, notFoundSettleMs: 50),
                                      breakerThreshold: 1_000, breakerCooldownMs: 20, chunkSize: 16, maxInFlight: 4, pollIntervalMs: 20)
        let engine = Engine(ledger: ledger, bank: bank, settings: settings, logger: logger)
        try await engine.recover()
        try await engine.run(exitWhenIdle: true)

        let booked = await simulator.ledger().filter { $0.status == .settled }
        client.shutdown()
        try await simulator.shutdown()

        #expect(booked.count == 1, "\(booked)")
        let entry = try #require(booked.first)
        // Kendari's grand total is above BI-FAST's Rp 250 juta: the standard routing sends it by RTGS (22).
        #expect(report.totals.grandTotal > Rupiah(250_000_000))
        #expect(entry.service == .transferRTGS)
        #expect(entry.amount == report.totals.grandTotal)
        #expect(entry.beneficiaryAccountNo == F.kendari.bpjsAccount)
        #expect(entry.beneficiaryBankCode == F.kendari.bpjsBankCode)
        #expect(entry.partnerReferenceNo == remit.remittance.partnerReferenceNo)

        let run = try ledger.premiumRun(kind: .payroll, owner: F.kendari.id, period: F.period("2024-05"))
        #expect(run.remittance?.state == "settled")
        #expect(try ledger.transferRecords(from: nil, to: nil).map(\.state) == ["settled"])
        #expect(try !ledger.remitPayroll(agreementID: nil, period: F.period("2024-05"), actor: "maker", rules: F.rules).queued)
        #expect(try ledger.verifyAudit().rows > 0)
    }
}
