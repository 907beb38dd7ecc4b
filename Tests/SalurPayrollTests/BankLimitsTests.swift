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

/// The bank's limits wait instead of failing: an amount limit (403xx02) holds the batch naming the
/// limit; a daily limit (403xx23) makes the transfer wait until the bank's next day; nothing fails.
@Suite("The bank's limits", .serialized, .timeLimit(.minutes(5)))
struct BankLimitsTests {
    struct Bank {
        let simulator: BankSimulator
        let client: CurlClient
        let snap: SNAPClient
        func stop() async throws {
            client.shutdown()
            try await simulator.shutdown()
        }
    }

    static func bank(_ configure: (inout BankSimulatorConfig) -> Void) async throws -> Bank {
        let keys = try SNAPKeys.generate()
        let secret = "test-secret-\(UUID().uuidString)"
        var config = BankSimulatorConfig(clientKey: "salur-test", clientPublicKeyPEM: keys.publicPEM, clientSecret: secret)
        config.sourceAccountNo = "0011999999"
        config.accounts = [BankAccount(accountNo: "0700000111222", name: "BPJS KETENAGAKERJAAN", status: .active)]
        config.seed = 3
        configure(&config)
        let simulator = try await BankSimulator.start(config)
        var options = CurlClient.Options()
        options.requestTimeoutMs = 2_000
        let client = try CurlClient(options: options)
        let credentials = try SNAPCredentials(partnerID: "KUPANG", clientKey: "salur-test", channelID: "95221",
                                              clientSecret: Array(secret.utf8), privateKeyPEM: keys.privatePEM)
        let snap = SNAPClient(endpoint: .init(baseURL: "http://127.0.0.1:\(simulator.port)", sourceAccount: "0011999999"),
                              credentials: credentials, transport: client)
        return Bank(simulator: simulator, client: client, snap: snap)
    }

    /// An engine on `ledger`; its calendar clock fixed (`testDay`) unless a test needs time to pass
    /// (an inquiry's wait, as in the SKN test).
    static func engine(_ ledger: SQLiteLedger, _ bank: SNAPClient, clock: SalurCore.WallClock = .testDay) -> Engine {
        var logger = Logger(label: "limits-test")
        logger.logLevel = .critical
        let settings = EngineSettings(batching: PayrollFixture.rules,
                                      retry: RetryPolicy(baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 3, inquiryDelayMs: 10, notFoundSettleMs: 50),
                                      breakerThreshold: 1_000, breakerCooldownMs: 20, chunkSize: 16, maxInFlight: 1, pollIntervalMs: 20)
        return Engine(ledger: ledger, bank: bank, settings: settings, logger: logger, clock: clock)
    }

    static func transfer(_ key: String, _ amount: Int64) -> NewTransfer {
        NewTransfer(kind: .interbank, dedupeKey: key, recipientID: nil, nik: nil, beneficiaryName: "BPJS KETENAGAKERJAAN",
                    beneficiaryAccount: "0700000111222", beneficiaryBankCode: "009", program: "BPJS-TK", period: "2024-05",
                    amount: Rupiah(amount), remark: "IURAN \(key)")
    }

    @Test("above the bank's amount limit: the transfer is held and its batch held naming the limit, not failed")
    func amountLimitHolds() async throws {
        let store = try PayrollStore(); defer { store.remove() }
        let ledger = store.ledger
        // Routing believes BI-FAST's Rp 250 juta; this bank caps 18 at Rp 50 juta.
        let queued = try ledger.enqueue([Self.transfer("big", 60_000_000)], actor: "maker", rules: PayrollFixture.rules,
                                        auditAction: "test.enqueue", auditSubject: "big")
        _ = try ledger.approve(ids: queued.batches, all: false, actor: "checker", distinctApprover: true)
        let bank = try await Self.bank { $0.interbankMaxAmount = Rupiah(50_000_000) }
        let engine = Self.engine(ledger, bank.snap)
        try await engine.recover()
        try await engine.run(exitWhenIdle: true)
        let stats = await bank.simulator.stats()
        try await bank.stop()

        #expect(stats.responses["4031802"] == 1, "one request, refused by the limit: \(stats.responses)")
        let record = try #require(try ledger.transferRecords(from: nil, to: nil).first)
        #expect(record.state == "held", "\(record)")
        #expect(record.failureCode == "4031802")
        let batches = try await ledger.batches(id: queued.batches[0])
        let batch = try #require(batches.first)
        #expect(batch.state == "held")
        #expect(batch.holdReason?.contains("the bank's amount limit per transaction of service 18") == true, "\(batch.holdReason ?? "")")
    }

    @Test("past the bank's daily limit: the rest wait until the bank's next day, none fails or is sent again meanwhile")
    func dailyLimitWaits() async throws {
        let store = try PayrollStore(); defer { store.remove() }
        let ledger = store.ledger
        let queued = try ledger.enqueue((1...3).map { Self.transfer("t\($0)", 300_000) }, actor: "maker", rules: PayrollFixture.rules,
                                        auditAction: "test.enqueue", auditSubject: "three")
        _ = try ledger.approve(ids: queued.batches, all: false, actor: "checker", distinctApprover: true)
        let bank = try await Self.bank { $0.dailyLimit = Rupiah(500_000) }
        let engine = Self.engine(ledger, bank.snap)
        try await engine.recover()
        for _ in 0..<3 { _ = try await engine.pass() }
        let stats = await bank.simulator.stats()
        try await bank.stop()

        let states = try ledger.transferRecords(from: nil, to: nil).map(\.state).sorted()
        #expect(states == ["retry_wait", "retry_wait", "settled"], "\(states)")
        #expect(stats.responses["4031823"] == 2, "each of the two refused once, then left waiting: \(stats.responses)")
        let now = WallClock.testDay.now
        let due = try #require(try await ledger.nextDue())
        #expect(due == OutcomePolicy.nextBankDay(after: now))
        let earliest = now.addingTimeInterval(60), latest = now.addingTimeInterval(86_400 + 300)
        #expect(due > earliest)
        #expect(due <= latest)
        // 00:05 WIB is 17:05 UTC.
        let secondOfDay = Int(due.timeIntervalSince1970) % 86_400
        #expect(secondOfDay == 17 * 3_600 + 300)
    }
}
