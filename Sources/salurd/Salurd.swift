import ArgumentParser
import Foundation
import Logging
import SalurBank
import SalurConfig
import SalurCore
import SalurEngine
import SalurStore
import ServiceLifecycle
import UnixSignals

/// `salurd`: the posting engine as a process — wiring only.
@main
struct Salurd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "salurd",
        abstract: "Salur's engine: batches, balance checks, posting to the bank over SNAP-BI, status inquiries.")

    @Option(help: "The config file (default: $SALUR_CONFIG, else /etc/salur/salur.toml).") var config: String?
    @Flag(help: "Exit 0 once nothing is left that can progress without an operator.") var exitWhenIdle = false
    @Flag(help: "Validate the config file and exit.") var checkConfig = false

    func run() async throws {
        let path = SalurConfiguration.resolvePath(flag: config)
        let configuration: SalurConfiguration
        do {
            configuration = try SalurConfiguration.load(path: path)
        } catch {
            FileHandle.standardError.write(Data("salurd: \(error)\n".utf8))
            throw ExitCode(1)
        }
        if checkConfig {
            print("\(path): ok")
            return
        }
        let level = Logger.Level(rawValue: configuration.log.level) ?? .info
        LoggingSystem.bootstrap { LogfmtHandler(label: $0, level: level) }
        let logger = Logger(label: "salurd")
        do {
            try await Self.serve(configuration, exitWhenIdle: exitWhenIdle, logger: logger)
        } catch let error as ExitCode {
            throw error
        } catch {
            logger.critical("salurd stopped", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }

    static func serve(_ configuration: SalurConfiguration, exitWhenIdle: Bool, logger: Logger) async throws {
        guard let bankConfig = configuration.bank else {
            throw CLIMessage("the config has no [bank] table; salurd needs the bank's endpoint and credentials")
        }
        let lock = try EngineLock(databasePath: configuration.database.path)
        let ledger = try SQLiteLedger(path: configuration.database.path, busyTimeout: Double(configuration.database.busyTimeoutMs) / 1000)
        let credentials = try SNAPCredentials(
            partnerID: bankConfig.partnerID, clientKey: bankConfig.clientKey, channelID: bankConfig.channelID,
            clientSecret: Array(try SecretFile.readText(bankConfig.clientSecretFile, what: "bank.client_secret_file").utf8),
            privateKeyPEM: String(decoding: try SecretFile.read(bankConfig.privateKeyFile, what: "bank.private_key_file"), as: UTF8.self))
        var options = CurlClient.Options()
        options.maxInFlight = bankConfig.maxInFlight
        options.connectTimeoutMs = bankConfig.connectTimeoutMs
        options.requestTimeoutMs = bankConfig.requestTimeoutMs
        options.caFile = bankConfig.caFile
        options.clientCertFile = bankConfig.clientCertFile
        options.clientKeyFile = bankConfig.clientKeyFile
        let transport = try CurlClient(options: options)
        defer { transport.shutdown() }
        var endpoint = SNAPClient.Endpoint(baseURL: bankConfig.baseURL, pathPrefix: bankConfig.pathPrefix, sourceAccount: bankConfig.sourceAccount)
        endpoint.tokenPath = bankConfig.paths.token
        endpoint.transferIntrabankPath = bankConfig.paths.transferIntrabank
        endpoint.transferInterbankPath = bankConfig.paths.transferInterbank
        endpoint.transferStatusPath = bankConfig.paths.transferStatus
        endpoint.accountInquiryPath = bankConfig.paths.accountInquiryInternal
        endpoint.balanceInquiryPath = bankConfig.paths.balanceInquiry
        endpoint.tokenRefreshMarginSeconds = bankConfig.tokenRefreshMarginSeconds
        let bank = SNAPClient(endpoint: endpoint, credentials: credentials, transport: transport, logger: Logger(label: "salur.bank"))
        let engine = Engine(ledger: ledger, bank: bank, settings: EngineSettings(configuration), logger: logger)

        try await ledger.registerEngine(pid: Int(getpid()), host: ProcessInfo.processInfo.hostName, version: SalurVersion.current)
        try await engine.recover()
        do {
            try await bank.warmUp()
            logger.info("bank reachable", metadata: ["base_url": "\(bankConfig.baseURL)"])
        } catch {
            logger.warning("bank unreachable at start; will keep trying", metadata: ["error": "\(error)"])
        }
        let notifier = SystemdNotifier()
        notifier.send("READY=1\nSTATUS=\(engine.statusLine())")
        logger.info("salurd started", metadata: ["database": "\(configuration.database.path)", "lock": "\(lock.path)"])

        let service = EngineService(engine: engine, ledger: ledger, exitWhenIdle: exitWhenIdle, notifier: notifier, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        notifier.send("STOPPING=1")
        logger.info("salurd stopped", metadata: ["status": "\(engine.statusLine())"])
        _ = lock
    }
}

/// The engine's loop as a lifecycle service: a graceful shutdown stops new attempts and lets
/// those in flight finish and be recorded.
struct EngineService: Service {
    let engine: Engine
    let ledger: SQLiteLedger
    let exitWhenIdle: Bool
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await engine.run(exitWhenIdle: exitWhenIdle) { report in
                let status = engine.statusLine()
                notifier.send("STATUS=\(status)\nWATCHDOG=1")
                try? await ledger.heartbeat(status: status)
                if report.sent + report.inquired > 0 {
                    logger.debug("pass", metadata: ["sent": "\(report.sent)", "settled": "\(report.settled)",
                                                    "in_doubt": "\(report.inDoubt)", "inquired": "\(report.inquired)"])
                }
            }
        } onGracefulShutdown: {
            engine.beginStopping()
        }
    }
}

struct CLIMessage: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum SalurVersion {
    static let current = "0.1.0"
}
