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

/// A treasury with `count` opened recipients and one approved payment each, the bank simulator on
/// an ephemeral loopback port, and the real libcurl + SNAP client between them (as the engine tests).
struct BankHarness {
    static let sourceAccount = "0011999999"

    let directory: String
    let ledger: SQLiteLedger
    let simulator: BankSimulator
    let client: CurlClient
    let bank: SNAPClient
    let count: Int
    var databasePath: String { directory + "/salur.sqlite" }

    static func make(count: Int, faults: FaultRates) async throws -> BankHarness {
        let directory = NSTemporaryDirectory() + "salur-recon-e2e-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ledger = try SQLiteLedger(path: directory + "/salur.sqlite", clock: .testDay)
        var data = DemoData(recipients: count, opened: count, seed: 11)
        let rows = try RecipientFile.parse(bytes: data.recipientsCSV(), file: "recipients.csv")
        _ = try ledger.importRecipients(rows, source: SourceFile(path: "recipients.csv", sha256: "-"), actor: "maker")
        _ = try ledger.exportOpeningRequests(actor: "maker") { _ in "-" }
        let results = try OpeningResultFile.parse(bytes: data.resultsCSV(), file: "results.csv")
        _ = try ledger.applyOpeningResults(results, source: SourceFile(path: "results.csv", sha256: "-"), actor: "maker")
        _ = try ledger.enqueueProgram(program: "BANSOS-NT", period: Period("2026-11")!, amount: Rupiah(300_000), remark: "BANSOS-NT 2026-11",
                                      actor: "maker", rules: settings.batching)
        _ = try ledger.approve(ids: [], all: true, actor: "checker", distinctApprover: true)

        let keys = try SNAPKeys.generate()
        let secret = "test-secret-\(UUID().uuidString)"
        var config = BankSimulatorConfig(clientKey: "salur-test", clientPublicKeyPEM: keys.publicPEM, clientSecret: secret)
        config.sourceAccountNo = sourceAccount
        config.sourceBalance = Rupiah(5_000_000_000)
        config.faults = faults
        config.seed = 6
        config.retryAfterSeconds = 0
        config.settleAfterMilliseconds = 30
        let simulator = try await BankSimulator.start(config)
        var options = CurlClient.Options()
        options.maxInFlight = 16
        options.requestTimeoutMs = 2_000
        options.maxResponseBytes = 64 << 20 // the statements fetched from the admin endpoint
        let client = try CurlClient(options: options)
        let credentials = try SNAPCredentials(partnerID: "KUPANG", clientKey: "salur-test", channelID: "95221",
                                              clientSecret: Array(secret.utf8), privateKeyPEM: keys.privatePEM)
        let bank = SNAPClient(endpoint: SNAPClient.Endpoint(baseURL: simulator.baseURL, sourceAccount: sourceAccount),
                              credentials: credentials, transport: client)
        return BankHarness(directory: directory, ledger: ledger, simulator: simulator, client: client, bank: bank, count: count)
    }

    static var settings: EngineSettings {
        EngineSettings(batching: BatchingRules(maxItems: 500, maxAmount: Rupiah(1_000_000_000), approvalRequired: true),
                       retry: RetryPolicy(baseDelayMs: 5, maxDelayMs: 100, maxAttempts: 60, inquiryDelayMs: 10, notFoundSettleMs: 50),
                       breakerThreshold: 10_000, breakerCooldownMs: 20, chunkSize: 128, maxInFlight: 16, pollIntervalMs: 20)
    }

    /// Posts everything until nothing is left to do.
    func pay() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let engine = Engine(ledger: ledger, bank: bank, settings: Self.settings, logger: logger)
        try await engine.recover()
        try await engine.run(exitWhenIdle: true)
    }

    /// `GET` on the simulator, through the same libcurl client Salur uses.
    func get(_ path: String) async throws -> HTTPResponse {
        try await client.send(HTTPRequest(method: "GET", url: simulator.baseURL + path))
    }

    func close() async throws {
        client.shutdown()
        try await simulator.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
