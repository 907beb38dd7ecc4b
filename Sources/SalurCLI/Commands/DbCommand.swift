import ArgumentParser
import Foundation
import SalurConfig
import SalurCore
import SalurPostgres
import SalurSQLite
import SalurSetup
import SalurStore

/// `salurctl db`: the database's schema, and moving a treasury from SQLite to PostgreSQL.
struct DbCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "The database: schema steps, copying the SQLite file into PostgreSQL, recovery after a restore.",
        subcommands: [Migrate.self, Copy.self, Restored.self])

    /// `salurctl db restored`: the restore runbook's step (README, "Restoring a backup").
    struct Restored: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "After restoring a backup: ask the bank about every open transfer before anything is sent again.",
            discussion: """
                Every transfer not settled, failed, cancelled or returned goes in doubt (pending ones are put in batches                 first); salurd asks the bank about each by its partnerReferenceNo and sends again only after two "not                 found" answers past the settle time, and only once its batch is approved and posting. Run it with salurd                 stopped, right after the restore, whenever the database may be older than what was sent. Audited.
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "Why: which backup was restored (kept in the audit log).") var reason: String
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            // An empty one is refused in run(), saying what it should name.
            if let problem = Validate.freeText(reason, maxLength: 500, allowEmpty: true) { throw ValidationError("--reason: \(problem)") }
        }

        func run() async throws {
            let configuration = try global.load()
            let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw ValidationError("--reason must say which backup was restored") }
            let store = try await global.store()
            let mark = try await store.sendMarkStatus()
            let count = try await store.recoverFromRestore(RestoreRecoveryRequest(
                reason: "operator: \(trimmed)", actor: OperatorIdentity.current(), markAtLeast: mark.claims,
                rules: configuration.batchingRules, now: Date()))
            if json {
                struct JSON: Encodable { let in_doubt: Int }
                return try Output.json(JSON(in_doubt: count))
            }
            print("\(count) open transfers are in doubt; salurd asks the bank about each before anything is sent again.")
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply the schema steps the database lacks, creating the SQLite file when there is none (salurd and the commands that change something also migrate).",
            discussion: "Refuses a database with steps this binary does not know (a newer Salur wrote it). --check applies nothing and exits 1 when steps are missing.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Only report; exit 1 when steps are missing.") var check = false

        func run() async throws {
            let configuration = try global.load()
            let known: [String]
            let applied: [String]
            var done: [String] = []
            let name = configuration.database.displayName
            if configuration.database.isPostgres {
                let opened = try await configuration.openStore(migrate: false)
                defer { opened.close() }
                guard let ledger = opened.postgres else { throw CLIError("not a PostgreSQL store") }
                known = PostgresLedger.knownSteps
                applied = try await ledger.appliedSteps()
                if !check { done = try await ledger.migrate() }
            } else if check, !FileManager.default.fileExists(atPath: configuration.database.path) {
                // No file yet: every step is missing, and checking makes none.
                known = SQLiteLedger.knownSteps
                applied = []
            } else {
                let ledger = try configuration.sqliteLedger(access: check ? .existing : .create, migrate: false)
                known = SQLiteLedger.knownSteps
                applied = try ledger.appliedSteps()
                if !check { done = try ledger.migrate() }
            }
            let missing = known.filter { !applied.contains($0) }
            print("\(name): \(applied.count) of \(known.count) schema steps applied")
            for step in done { print("applied: \(step)") }
            if check {
                for step in missing { print("missing: \(step)") }
                if !missing.isEmpty { throw ExitCode(SalurExit.failure.rawValue) }
            } else if done.isEmpty {
                print("up to date")
            }
        }
    }

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a treasury's SQLite file into an empty PostgreSQL database, checking row counts and control totals.",
            discussion: """
                Stop salurd first (the copy refuses while it holds the file). Transfers left 'sending' by a \
                crash are first marked in doubt, as salurd would on start. Everything goes over in one \
                PostgreSQL transaction that commits only if every table's row count, the money per transfer \
                and batch state, and the audit chain's head match the source; then the copied chain is verified. \
                Afterwards point [database] url at the PostgreSQL database and start the engines.
                """)
        @Option(help: "The source: sqlite:PATH (or a path).") var from: String
        @Option(help: "The target: postgres://USER@HOST[:PORT]/DB[?sslmode=…].") var to: String
        @Option(help: "The file holding the PostgreSQL password.") var passwordFile: String?
        @Flag(help: "Print the report as JSON.") var json = false

        func run() async throws {
            let path = from.hasPrefix("sqlite:") ? String(from.dropFirst("sqlite:".count)) : from
            guard FileManager.default.fileExists(atPath: path) else { throw CLIError("--from: no SQLite file at \(path)") }
            if case .running(let pid) = EngineLock.probe(databasePath: path) {
                throw CLIError("salurd (PID \(pid.map(String.init) ?? "unknown")) is running against \(path); stop it before copying")
            }
            let target: PostgresTarget
            do {
                target = try PostgresTarget(url: to, passwordFile: passwordFile)
            } catch let error as PostgresTarget.Invalid {
                throw CLIError("--to: \(error.description)", exit: .usage)
            }
            let source = try SQLiteLedger(path: path)
            let recovered = try await source.recoverInterrupted()
            if recovered > 0 {
                FileHandle.standardError.write(Data("\(recovered) transfers left sending by an interrupted engine marked in doubt first\n".utf8))
            }
            let ledger = try await PostgresLedger(target: target)
            defer { ledger.shutdown() }
            let quiet = json
            let bar = ProgressBar.onStandardError("copying", total: nil, quiet: json)
            let report = try await DatabaseCopy.run(source: source, to: ledger, actor: OperatorIdentity.current()) { table, rows in
                // On a terminal the bar's line is ended first, and redrawn by the next page.
                if !quiet { FileHandle.standardError.write(Data(((bar.isDrawing ? "\r\u{1B}[K" : "") + "copied \(table): \(rows) rows\n").utf8)) }
            } rowsCopied: { bar.update(done: $0) }
            bar.finish()
            let verifiedRows = try await DbCommand.verifyCopiedAudit(ledger)
            if json { return try Output.json(report) }
            print(Output.table(["TABLE", "ROWS"], report.rows.sorted { $0.key < $1.key }.map { [$0.key, Output.grouped($0.value)] }, right: [1]))
            for (name, value) in report.controls.sorted(by: { $0.key < $1.key }) where !value.isEmpty {
                print("\(name): \(value)")
            }
            print(String(format: "copied %@ → %@ in %.1f s; counts and control totals match; audit chain verified (%d rows)",
                         path, target.description, report.seconds, verifiedRows))
        }
    }

    /// Recomputes the copied audit chain on PostgreSQL.
    static func verifyCopiedAudit(_ ledger: PostgresLedger) async throws -> Int {
        try await ledger.verifyAudit().rows
    }
}
