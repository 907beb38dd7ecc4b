import Logging
import SalurConfig
import SalurEngine
import SalurSetup
import Synchronization

/// SIGHUP: reads the config file again and applies what can change while the engine runs, as
/// `ReloadPolicy` says.
///
/// `[bank]` changes get a new libcurl client (new limits, timeouts, TLS files, endpoint, re-read
/// secrets) while requests in flight finish on the old one. Refused, keeping the old config whole: a
/// file with any error, a changed `database.path`, and anything start-up refuses (`StartupCheck`:
/// secrets unreadable, open to others or empty, a key that is not the private key, a missing CA
/// file…). Needs a restart: `database.busy_timeout_ms` (the database stays open),
/// `engine.watchdog_interval_ms` (the watchdog is armed once) and `engine.lease_ms` (PostgreSQL: the
/// engine registered with it).
final class ConfigReloader: Sendable {
    let path: String
    private let current: Mutex<SalurConfiguration>
    private let engine: Engine
    private let bank: SwitchableBank
    private let levels: LogLevelSwitch
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let bankLogger: Logger

    init(path: String, configuration: SalurConfiguration, engine: Engine, bank: SwitchableBank, levels: LogLevelSwitch,
         notifier: SystemdNotifier, logger: Logger, bankLogger: Logger) {
        self.path = path
        current = Mutex(configuration)
        self.engine = engine
        self.bank = bank
        self.levels = levels
        self.notifier = notifier
        self.logger = logger
        self.bankLogger = bankLogger
    }

    /// The configuration in force.
    var configuration: SalurConfiguration { current.withLock { $0 } }

    /// Reloads, telling systemd `RELOADING=1` before and `READY=1` after, whatever the outcome.
    /// Returns whether the new file was applied.
    @discardableResult
    func reload() async -> Bool {
        notifier.send("RELOADING=1\nMONOTONIC_USEC=\(SystemdNotifier.monotonicMicroseconds())")
        logger.notice("reloading the config", metadata: ["file": "\(path)"])
        let applied = await apply()
        notifier.send("READY=1\nSTATUS=\(await engine.statusLine())")
        return applied
    }

    private func apply() async -> Bool {
        let old = configuration
        let new: SalurConfiguration
        do {
            new = try SalurConfiguration.load(path: path)
        } catch {
            for problem in error.errors {
                logger.error("config error", metadata: ["file": "\(problem.file)", "line": "\(problem.line)", "key": "\(problem.key)",
                                                        "reason": "\(problem.reason)"])
            }
            logger.error("config reload refused; the previous config stays in force",
                         metadata: ["file": "\(path)", "errors": "\(error.errors.count)"])
            return false
        }
        switch ReloadPolicy.refusal(replacing: old, with: new) {
        case nil:
            break
        case .databaseChanged(let key):
            logger.error("config reload refused: \(key) changed; salurd serves one database for its whole life, restart it to switch (the previous config stays in force)",
                         metadata: ["file": "\(path)", "running": "\(old.database.displayName)", "new": "\(new.database.displayName)"])
            return false
        case .startupProblems(let problems):
            // What start-up would refuse (StartupCheck: secrets, key, TLS files), a reload refuses too.
            for problem in problems {
                logger.error("config error", metadata: ["file": "\(problem.file)", "line": "\(problem.line)", "key": "\(problem.key)",
                                                        "reason": "\(problem.reason)"])
            }
            logger.error("config reload refused; the previous config stays in force",
                         metadata: ["file": "\(path)", "errors": "\(problems.count)"])
            return false
        }
        guard let newBank = new.bank else {
            logger.error("config reload refused: the new file has no [bank] table (the previous config stays in force)",
                         metadata: ["file": "\(path)"])
            return false
        }
        var changed = old.changedKeys(to: new)
        let moved = ReloadPolicy.bankMoves(in: changed)
        if !moved.isEmpty {
            let unresolved = await engine.unresolvedCount()
            if unresolved != 0 {
                logger.error("config reload refused: the bank's endpoint or account changed while transfers are in flight or in doubt; let them settle (salurctl queue status) and reload again (the previous config stays in force)",
                             metadata: ["file": "\(path)", "changed": "\(moved.joined(separator: ","))",
                                        "unresolved": "\(unresolved.map(String.init) ?? "unknown")"])
                return false
            }
        }
        let connection: BankConnection
        do {
            connection = try BankConnection(newBank, logger: bankLogger, externalIDs: bank.current.externalIDs,
                                            sharedSlots: bank.current.sharedSlots)
        } catch {
            logger.error("config reload refused: cannot set up the bank connection (the previous config stays in force)",
                         metadata: ["file": "\(path)", "error": "\(error)"])
            return false
        }
        let rotated = !bank.current.isEquivalent(to: connection) && !changed.contains(where: { $0.hasPrefix("bank") })
        if rotated { changed.append("bank secrets") }
        if bank.current.isEquivalent(to: connection) {
            connection.transport.shutdown()
        } else {
            bank.replace(with: connection)
        }
        engine.update(EngineSettings(new))
        if let level = Logger.Level(rawValue: new.log.level) { levels.current = level }
        current.withLock { $0 = new }

        let later = changed.filter(ReloadPolicy.restartOnly.contains)
        if changed.isEmpty {
            logger.notice("config reloaded; nothing changed", metadata: ["file": "\(path)"])
        } else {
            logger.notice("config reloaded", metadata: ["file": "\(path)", "changed": "\(changed.joined(separator: ","))"])
        }
        if !later.isEmpty {
            logger.warning("these keys take effect at the next restart", metadata: ["keys": "\(later.joined(separator: ","))"])
        }
        let settings = engine.settings
        logger.debug("settings in force", metadata: [
            "log.level": "\(new.log.level)", "retry.max_attempts": "\(settings.retry.maxAttempts)",
            "retry.base_delay_ms": "\(settings.retry.baseDelayMs)", "engine.poll_interval_ms": "\(settings.pollIntervalMs)",
            "engine.chunk_size": "\(settings.chunkSize)", "bank.max_in_flight": "\(newBank.maxInFlight)",
            "batching.max_items": "\(settings.batching.maxItems)"])
        return true
    }
}
