package import ArgumentParser
import Foundation
package import SalurConfig
import SalurCore
package import SalurStore
import SalurPostgres
package import SalurSQLite
package import SalurSetup

/// `salurctl`: the operator's view of Salur's queue and records. A client of the database, like
/// the daemon, so it works whether or not `salurd` is running.
package struct Salurctl: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "salurctl",
        abstract: "Steer Salur: recipients, account openings, transfers, batches, audit.",
        discussion: "Every command reads the config from --config FILE, else $SALUR_CONFIG, else /etc/salur/salur.toml.\nExit codes: 0 ok, 1 failure, 2 usage, 65 bad input data, 75 temporary (try again).",
        subcommands: [RecipientsCommand.self, AccountsCommand.self, TransfersCommand.self, BatchesCommand.self, QueueCommand.self,
                      ExportCommand.self, ReconcileCommand.self, AuditCommand.self, ConfigCommand.self, DaemonCommand.self, DemoCommand.self,
                      AgreementsCommand.self, BudgetsCommand.self, PayrollCommand.self, BPUCommand.self, PremiumsCommand.self, DbCommand.self]
    )

    package init() {}

    /// Parses the arguments, runs the command, and exits with the operator contract's code.
    package static func main(arguments: [String]) async -> Int32 {
        do {
            var command = try parseAsRoot(hoistingConfig(arguments))
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
            return SalurExit.ok.rawValue
        } catch {
            return report(error)
        }
    }

    /// Accepts `--config FILE` before the subcommand too (`salurctl --config F accounts status`)
    /// by moving it after the subcommand's name, where every command declares it.
    static func hoistingConfig(_ arguments: [String]) -> [String] {
        guard let first = arguments.first, first == "--config" || first.hasPrefix("--config=") else { return arguments }
        let taken = first == "--config" ? Array(arguments.prefix(2)) : [first]
        guard taken.count == (first == "--config" ? 2 : 1) else { return arguments }
        var rest = Array(arguments.dropFirst(taken.count))
        // Insert after the leading subcommand names (words that are not options).
        let names = rest.prefix { !$0.hasPrefix("-") }.count
        rest.insert(contentsOf: taken, at: min(names, rest.count))
        return rest
    }

    /// Prints `error` where it belongs and returns its exit code.
    package static func report(_ error: any Error) -> Int32 {
        let stderr = FileHandle.standardError
        func say(_ message: String) {
            // What an error echoes from a file or the command line cannot drive the terminal.
            let text = TerminalText.escaped(message, keepingNewlines: true)
            stderr.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
        }
        switch error {
        case let failure as ImportFailure:
            say(failure.description)
            return SalurExit.dataError.rawValue
        case let errors as ConfigErrors:
            say(errors.description)
            return SalurExit.failure.rawValue
        case let error as ConfigError:
            say(error.description)
            return SalurExit.failure.rawValue
        case let error as StoreError:
            say("salurctl: \(error)")
            if StoreError.isTransient(error) { return SalurExit.temporary.rawValue }
            return SalurExit.failure.rawValue
        case let error as CLIError:
            say("salurctl: \(error.message)")
            return error.exit.rawValue
        case let error as AuditError:
            say("salurctl: \(error)")
            return SalurExit.failure.rawValue
        default:
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                return SalurExit.ok.rawValue
            }
            if code == .validationFailure || code.rawValue == 64 {
                say(fullMessage(for: error))
                return SalurExit.usage.rawValue
            }
            let message = fullMessage(for: error)
            say(message.isEmpty ? "salurctl: \(error)" : "salurctl: \(message)")
            return SalurExit.failure.rawValue
        }
    }
}

/// The options every command shares.
package struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The config file (default: $SALUR_CONFIG, else /etc/salur/salur.toml).")
    package var config: String?

    package init() {}

    /// The validated configuration.
    package func load() throws -> SalurConfiguration {
        try SalurConfiguration.load(path: SalurConfiguration.resolvePath(flag: config))
    }

    /// The store the config names (the SQLite file or PostgreSQL), opened for `access`: `.readOnly`
    /// for commands that only look, `.create` for those that may start a treasury (imports,
    /// enqueueing, `db migrate`), `.existing` for every other change.
    package func store(_ access: SQLiteLedger.Access = .existing) async throws -> any SalurStoreBackend {
        try await load().openStore(access: access).store
    }
}

extension SalurConfiguration {
    /// The store `[database]` names, opened for `access` (see `GlobalOptions.store`) and, unless
    /// read-only, migrated. A command that changes the treasury is refused to a login in
    /// `[operators] refuse_accounts`.
    package func openStore(migrate: Bool = true, access: SQLiteLedger.Access = .existing) async throws -> OpenStore {
        if access != .readOnly { try refuseSharedAccount() }
        do {
            return try await StoreOpener.open(path: database.path, busyTimeoutMs: database.busyTimeoutMs, url: database.url,
                                              passwordFile: database.passwordFile, maxConnections: database.maxConnections,
                                              migrate: migrate, access: access)
        } catch let error as PostgresTarget.Invalid {
            throw CLIError("\(file): \(error.description)")
        } catch StoreError.missing(let path) {
            throw missingDatabase(path)
        }
    }

    /// The SQLite ledger, for what concerns the SQLite file itself (its engine lock, its single engine).
    package func sqliteLedger(feature: String = "this command", access: SQLiteLedger.Access = .existing,
                              migrate: Bool = true) throws -> SQLiteLedger {
        if database.isPostgres {
            throw CLIError("\(feature) is for the SQLite store, and \(file) names a PostgreSQL database")
        }
        if access != .readOnly { try refuseSharedAccount() }
        do {
            return try SQLiteLedger(path: database.path, busyTimeout: Double(database.busyTimeoutMs) / 1000, migrate: migrate, access: access)
        } catch StoreError.missing(let path) {
            throw missingDatabase(path)
        }
    }

    /// A missing SQLite file, with where its name came from and how to make one on purpose.
    func missingDatabase(_ path: String) -> CLIError {
        CLIError("no database at \(path): check [database] path in \(file), or create it with `salurctl db migrate` "
                 + "(importing recipients or queueing transfers creates it too)")
    }

    /// Refuses a login that `[operators] refuse_accounts` lists (root, salurd's own `salur`): every
    /// change is audited under the login that made it, and maker-checker compares those names, so
    /// a shared account would make every maker and checker one person.
    func refuseSharedAccount() throws {
        let actor = OperatorIdentity.current()
        guard operators.refuseAccounts.contains(actor) else { return }
        throw CLIError("\(actor) may not change the treasury ([operators] refuse_accounts in \(file)): run salurctl under your own "
                       + "login, a member of the database's group (usermod -aG salur NAME), so that the audit log names who did it")
    }
}
