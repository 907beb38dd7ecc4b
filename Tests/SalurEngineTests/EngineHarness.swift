import BankSimulator
import Foundation
import Logging
import SalurBank
import SalurCLI
import SalurCore
import SalurEngine
import SalurSQLite
import SalurStore
import SalurTestSupport

/// A treasury with `count` opened recipients and one approved payment each, an in-process bank
/// simulator on an ephemeral loopback port, and the real libcurl + SNAP client between them.
struct EngineHarness {
    let directory: String
    let ledger: SQLiteLedger
    let simulator: BankSimulator
    let client: CurlClient
    let bank: SNAPClient
    let credentials: SNAPCredentials
    let count: Int

    static func make(count: Int, faults: FaultRates, dedupe: Bool = false, balance: Rupiah = Rupiah(1_000_000_000_000),
                     approve: Bool = true) async throws -> EngineHarness {
        let directory = NSTemporaryDirectory() + "salur-engine-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ledger = try SQLiteLedger(path: directory + "/salur.sqlite", clock: .testDay)
        try DemoTreasury.seed(ledger, count: count, seed: 7, rules: BatchingRules(maxItems: 500, maxAmount: Rupiah(1_000_000_000), approvalRequired: true),
                              approver: approve ? "checker" : nil)

        let (simulator, client, bank, credentials) = try await bankSide(faults: faults, dedupe: dedupe, balance: balance)
        return EngineHarness(directory: directory, ledger: ledger, simulator: simulator, client: client, bank: bank,
                             credentials: credentials, count: count)
    }

    /// The in-process bank simulator and the real libcurl + SNAP client talking to it.
    static func bankSide(faults: FaultRates, dedupe: Bool = false, balance: Rupiah = Rupiah(1_000_000_000_000),
                         maxInFlight: Int = 16, requestTimeoutMs: Int = 2_000,
                         configure: (inout BankSimulatorConfig) -> Void = { _ in })
        async throws -> (BankSimulator, CurlClient, SNAPClient, SNAPCredentials) {
        let keys = try SNAPKeys.generate()
        let secret = "test-secret-\(UUID().uuidString)"
        var config = BankSimulatorConfig(clientKey: "salur-test", clientPublicKeyPEM: keys.publicPEM, clientSecret: secret)
        config.sourceAccountNo = "0011999999"
        config.sourceBalance = balance
        config.faults = faults
        config.seed = 42
        config.retryAfterSeconds = 0
        config.settleAfterMilliseconds = 30
        config.dedupePartnerReference = dedupe
        // The engine's end-to-end tests run against a bank that holds every request to the standard's field tables.
        config.strict = true
        configure(&config)
        let simulator = try await BankSimulator.start(config)
        var options = CurlClient.Options()
        options.maxInFlight = maxInFlight
        options.requestTimeoutMs = requestTimeoutMs
        let client = try CurlClient(options: options)
        let credentials = try SNAPCredentials(partnerID: "KUPANG", clientKey: "salur-test", channelID: "95221",
                                              clientSecret: Array(secret.utf8), privateKeyPEM: keys.privatePEM)
        let bank = SNAPClient(endpoint: SNAPClient.Endpoint(baseURL: "http://127.0.0.1:\(simulator.port)", sourceAccount: "0011999999"),
                              credentials: credentials, transport: client)
        return (simulator, client, bank, credentials)
    }

    static var settings: EngineSettings {
        EngineSettings(batching: BatchingRules(maxItems: 500, maxAmount: Rupiah(1_000_000_000), approvalRequired: true),
                       retry: RetryPolicy(baseDelayMs: 5, maxDelayMs: 100, maxAttempts: 60, inquiryDelayMs: 10, notFoundSettleMs: 50),
                       breakerThreshold: 10_000, breakerCooldownMs: 20, chunkSize: 128, maxInFlight: 16, pollIntervalMs: 20)
    }

    func engine() -> Engine { Self.engine(ledger: ledger, bank: bank) }

    /// An engine with the harness's settings over any store, logging only what is critical.
    static func engine(ledger: any EngineLedger, bank: any BankAdapter) -> Engine {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return Engine(ledger: ledger, bank: bank, settings: settings, logger: logger)
    }

    func close() async throws {
        client.shutdown()
        try await simulator.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
