import ArgumentParser
import Foundation
import SalurConfig
import SalurEngine
import SalurSetup
import SalurStore

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The hash-chained audit log of every operator write.",
        subcommands: [Verify.self, Log.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the hash chain; exit 1 naming the first broken row if anyone edited the log.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let result = try await global.store(.readOnly).verifyAudit()
            if json {
                return try Output.json(["rows": String(result.rows), "head_hash": result.headHash, "status": "ok"])
            }
            print("audit log intact: \(Output.grouped(result.rows)) rows; head \(result.headHash)")
            print("Keep the head hash outside this machine (e.g. in the accountability report): a chain only proves rows were not edited up to the head you compare with.")
        }
    }

    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the newest audit rows.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "How many rows.") var limit = 20
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let rows = try await global.store(.readOnly).auditTail(limit: limit)
            if json { return try Output.json(rows) }
            print(Output.table(["SEQ", "AT", "ACTOR", "ACTION", "SUBJECT", "DETAILS"],
                               rows.map { [String($0.seq), $0.at, $0.actor, $0.action, $0.subject, $0.details] }, right: [0]))
        }
    }
}

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "The configuration file.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the config file without touching anything; exit 1 listing every problem.",
            discussion: """
                Checks what salurd's start-up checks (the same code): every key, and the files the config names — \
                the client secret (owner-only, not empty), the private key (owner-only, an RSA private key), \
                the TLS files, the database. A file this user may not read (salurd's credentials) is a warning \
                on stderr, left to salurd's start-up; `salurd --check-config` as salurd's user checks it.
                """)
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let configuration = try global.load()
            let report = StartupCheck.run(configuration, role: .check, needsBank: false)
            for warning in report.warnings {
                FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
            }
            if !report.errors.isEmpty { throw ConfigErrors(report.errors) }
            print("\(configuration.file): ok")
        }
    }
}
