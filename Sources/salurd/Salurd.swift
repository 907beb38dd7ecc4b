import ArgumentParser
import Foundation
import Logging
import SalurBank
import SalurConfig
import SalurCore
import SalurEngine
import SalurPostgres
import SalurSQLite
import SalurSetup
import SalurStore
import ServiceLifecycle
import UnixSignals

/// `salurd`: the posting engine as a process — wiring only.
@main
struct Salurd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "salurd",
        abstract: "Salur's engine: batches, balance checks, posting to the bank over SNAP-BI, status inquiries.",
        discussion: """
            Runs until SIGTERM or SIGINT (graceful: requests in flight finish and are recorded, within \
            [engine] shutdown_timeout_ms). SIGHUP reloads the config file. Speaks sd_notify when \
            $NOTIFY_SOCKET is set (READY, STATUS, WATCHDOG, RELOADING, STOPPING). Logs logfmt to stderr.
            """)

    @Option(help: "The config file (default: $SALUR_CONFIG, else /etc/salur/salur.toml).") var config: String?
    @Flag(help: "Exit 0 once nothing is left that can progress without an operator.") var exitWhenIdle = false
    @Flag(help: "Check the config file, and the secrets, keys and files it names, as start-up does; then exit.") var checkConfig = false

    func run() async throws {
        let path = SalurConfiguration.resolvePath(flag: config)
        let configuration: SalurConfiguration
        do {
            configuration = try SalurConfiguration.load(path: path)
        } catch {
            FileHandle.standardError.write(Data("salurd: \(error)\n".utf8))
            throw ExitCode(1)
        }
        // The same checks for --check-config and for start-up (StartupCheck): secrets, key, TLS files,
        // database. A check run by a user who cannot read salurd's credentials warns about them.
        let report = StartupCheck.run(configuration, role: checkConfig ? .check : .start, needsBank: true)
        for warning in report.warnings {
            FileHandle.standardError.write(Data("salurd: warning: \(warning)\n".utf8))
        }
        if !report.errors.isEmpty {
            FileHandle.standardError.write(Data("salurd: \(ConfigErrors(report.errors))\n".utf8))
            throw ExitCode(1)
        }
        if checkConfig {
            print("\(path): ok")
            return
        }
        let levels = LogLevelSwitch(Logger.Level(rawValue: configuration.log.level) ?? .info)
        LoggingSystem.bootstrap { LogfmtHandler(label: $0, levels: levels) }
        let logger = Logger(label: "salurd")
        do {
            try await Self.serve(configuration, path: path, exitWhenIdle: exitWhenIdle, levels: levels, logger: logger)
        } catch let error as ExitCode {
            throw error
        } catch {
            logger.critical("salurd stopped", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }

    static func serve(_ configuration: SalurConfiguration, path: String, exitWhenIdle: Bool, levels: LogLevelSwitch,
                      logger: Logger) async throws {
        guard let bankConfig = configuration.bank else {
            throw CLIMessage("the config has no [bank] table; salurd needs the bank's endpoint and credentials")
        }
        let environment = ProcessInfo.processInfo.environment
        let pid = Int(getpid())
        let host = ProcessInfo.processInfo.hostName
        if configuration.database.isPostgres, let url = configuration.database.url {
            // Several engines may share one PostgreSQL database: no lock file, a lease per engine.
            let target = try PostgresTarget(url: url, passwordFile: configuration.database.passwordFile)
            // The engine holds one connection for LISTEN and, while it checks the balance, one for the
            // batch-start lock: below four, its own transactions could wait for ever.
            let connections = max(4, configuration.database.maxConnections)
            if connections != configuration.database.maxConnections {
                logger.notice("database.max_connections raised for salurd", metadata: ["configured": "\(configuration.database.maxConnections)",
                                                                                    "used": "\(connections)"])
            }
            // A transaction left waiting on this engine for as long as its lease (the engine frozen) is
            // ended by the server, so that the rows it locked do not hold up the engine taking over.
            let ledger = try await PostgresLedger(target: target, maximumConnections: connections, logger: Logger(label: "salur.postgres"),
                                                  idleInTransactionTimeout: .milliseconds(configuration.engine.leaseMs))
            defer { ledger.shutdown() }
            // Test hook SALURD_TEST_NODE: an engine whose process the others cannot probe, as if on
            // another host, so they must wait for its lease. Never set in production.
            ledger.configureEngine(lease: .milliseconds(configuration.engine.leaseMs),
                                   node: environment["SALURD_TEST_NODE"] ?? PostgresLedger.localNode,
                                   durability: ClaimDurability(rawValue: configuration.database.synchronousCommit) ?? .on)
            try await ledger.registerEngine(pid: pid, host: host, version: SalurVersion.current)
            logger.info("salurd starting", metadata: ["version": "\(SalurVersion.current)", "pid": "\(pid)", "config": "\(path)",
                                                      "database": "\(target)", "engine": "\(ledger.engineID ?? "-")",
                                                      "lease_ms": "\(configuration.engine.leaseMs)"])
            try await run(ledger, configuration, sentMark: SentMarkFile.forPostgres(environment: environment), path: path, exitWhenIdle: exitWhenIdle, levels: levels, bankConfig: bankConfig,
                          environment: environment, listen: { wake in try await ledger.listenForWork(wake) }, logger: logger)
            // Clean stop: every request finished and was recorded, so this engine holds nothing.
            do { try await ledger.stopEngine() } catch { logger.warning("could not mark the engine stopped", metadata: ["error": "\(error)"]) }
        } else {
            let lock = try EngineLock(databasePath: configuration.database.path)
            let ledger = try SQLiteLedger(path: configuration.database.path, busyTimeout: Double(configuration.database.busyTimeoutMs) / 1000)
            try await ledger.registerEngine(pid: pid, host: host, version: SalurVersion.current)
            logger.info("salurd starting", metadata: ["version": "\(SalurVersion.current)", "pid": "\(getpid())", "config": "\(path)",
                                                      "database": "\(configuration.database.path)", "lock": "\(lock.path)"])
            try await run(ledger, configuration, sentMark: SentMarkFile(path: configuration.database.path + ".sent-mark"), path: path, exitWhenIdle: exitWhenIdle, levels: levels, bankConfig: bankConfig,
                          environment: environment, listen: nil, logger: logger)
            withExtendedLifetime(lock) {}
        }
    }

    private static func run(_ ledger: any EngineLedger, _ configuration: SalurConfiguration, sentMark: SentMarkFile?, path: String,
                            exitWhenIdle: Bool,
                            levels: LogLevelSwitch, bankConfig: SalurConfiguration.Bank, environment: [String: String],
                            listen: (@Sendable (@escaping @Sendable () -> Void) async throws -> Void)?, logger: Logger) async throws {
        let bankLogger = Logger(label: "salur.bank")
        // Inquiries' X-EXTERNAL-IDs from blocks the database reserves: unique across every engine on it.
        let externalIDs = ReservedExternalIDs { count in try await ledger.reserveRequestIDs(count) }
        // `max_requests_per_second` shared by every engine on a PostgreSQL database; the SQLite file's one engine keeps its own.
        let sharedSlots = (ledger as? PostgresLedger).map(DatabaseRequestSlots.init)
        let bank = SwitchableBank(try BankConnection(bankConfig, logger: bankLogger, externalIDs: externalIDs, sharedSlots: sharedSlots))
        defer { bank.shutdown() }
        if sentMark == nil {
            logger.warning("no state directory ($STATE_DIRECTORY) for the sent-mark file: a database that goes back in time (failover, restore) is not noticed")
        }
        // The metrics backend first, so that every metric made from here on is served.
        let registry = configuration.metrics.listen.map { _ in MetricsServer.bootstrap() }
        // The bank calls are measured (latency per service, answers by outcome) whether or not metrics are served.
        let engine = Engine(ledger: ledger, bank: MeteredBank(bank), settings: EngineSettings(configuration), logger: logger, sentMark: sentMark)
        let notifier = SystemdNotifier(environment: environment)
        let reloader = ConfigReloader(path: path, configuration: configuration, engine: engine, bank: bank, levels: levels,
                                      notifier: notifier, logger: logger, bankLogger: bankLogger)
        let deadline = ShutdownDeadline()
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let service = EngineService(
            engine: engine, ledger: ledger, bank: bank, reloader: reloader, exitWhenIdle: exitWhenIdle, notifier: notifier,
            watchdogInterval: SystemdNotifier.watchdogInterval(configuredMs: configuration.engine.watchdogIntervalMs, environment: environment),
            deadline: deadline,
            stallAfterPasses: environment["SALURD_TEST_STALL_AFTER_PASSES"].flatMap { Int($0) },
            logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "engine"),
            .init(service: ReloadService(hangups: hangups, reloader: reloader), serviceName: "reload"),
        ]
        if let listen {
            services.append(.init(service: WorkListener(listen: listen, engine: engine, logger: logger), serviceName: "work-listener"))
        }
        if let address = configuration.metrics.listen, let registry {
            let gauges = StoreGauges(ledger: ledger, engine: engine, pid: Int(getpid()), host: ProcessInfo.processInfo.hostName)
            services.append(.init(service: MetricsServer(listen: address, registry: registry, gauges: gauges, logger: logger),
                                  serviceName: "metrics"))
        }
        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: Logger(label: "salur.lifecycle")))
        try await group.run()
        deadline.disarm()
        notifier.send("STOPPING=1")
        let finalStatus = await engine.statusLine()
        logger.info("salurd stopped", metadata: ["status": "\(finalStatus)"])
    }
}

struct CLIMessage: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum SalurVersion {
    static let current = "0.1.0"
}
