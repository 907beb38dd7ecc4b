import ArgumentParser
import Foundation
import SalurCore
import SalurStore

struct AccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts",
        abstract: "Bank-account openings (buka rekening kolektif): requests, results, status.",
        subcommands: [ExportRequests.self, ImportResults.self, Status.self, Recheck.self])

    struct ExportRequests: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export-requests",
            abstract: "Write the bank's collective-opening request file for every not_requested recipient, and mark them requested.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .shortAndLong, help: "The CSV file to write (nik,name,district,phone).") var output: String

        func run() async throws {
            let ledger = try await global.store()
            let count = try await OpeningRequestFile.export(ledger, to: output, actor: OperatorIdentity.current())
            print(count == 0 ? "\(TerminalText.escaped(output)): no recipient waiting for a request; wrote the header only."
                             : "\(TerminalText.escaped(output)): \(Output.grouped(count)) recipients requested.")
        }
    }

    struct ImportResults: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-results",
            abstract: "Apply the bank's opening results (nik,status,account_no,reason); all or nothing.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The bank's results CSV.") var file: String

        func run() async throws {
            // A file on disk is read once, a window at a time, while the store decides the rows
            // checked so far, its SHA-256 made as it is read; a pipe is read into memory first. A
            // bad row anywhere still applies nothing.
            let input = try StreamedInput(file)
            let results = try OpeningResultFile.Reading(input.windows)
            let source = input.source
            let store = try await global.store(.create)
            let progress = ProgressBar.onStandardError("applying \(TerminalText.escaped(file))", total: nil, quiet: false)
            results.onRowsTaken = { progress.update(done: $0) }
            let summary: OpeningResultSummary
            do {
                summary = try await store.applyOpeningResults(results, source: source, actor: OperatorIdentity.current())
            } catch {
                progress.clear()
                throw error
            }
            progress.finish(done: results.rowCount)
            print("\(TerminalText.escaped(file)): \(Output.grouped(summary.opened)) opened, \(Output.grouped(summary.rejected)) rejected, "
                  + "\(Output.grouped(summary.unchanged)) already applied.")
        }
    }

    struct Recheck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Have salurd ask the bank again about these recipients' accounts (SNAP 15): after the bank reactivated one, or after a status wording was added to [bank.account_status]. Transfers held for the account are released once the bank says it is payable.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "NIKs of the recipients whose accounts to check again.") var niks: [String]

        func run() async throws {
            guard !niks.isEmpty else { throw ValidationError("name at least one NIK") }
            let count = try await global.store().recheckAccounts(niks: niks, actor: OperatorIdentity.current())
            print("\(Output.grouped(count)) accounts to be checked again by salurd's next pass.")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "How many accounts are opened, and why the others are blocked.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Break the counts down by district or program.") var by: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            var grouping: OpeningGrouping?
            if let by {
                guard let parsed = OpeningGrouping(rawValue: by) else { throw ValidationError("--by must be district or program") }
                grouping = parsed
            }
            let ledger = try await global.store(.readOnly)
            let overall = try await ledger.openingStatus(by: nil)[0]
            var groups: [OpeningStatus] = []
            if let grouping { groups = try await ledger.openingStatus(by: grouping) }
            if json {
                var object = StatusJSON(overall)
                if let grouping { object.groups = groups.map(StatusJSON.init); object.by = grouping.rawValue }
                return try Output.json(object)
            }
            print("Accounts opened  \(Output.progress(overall.opened, of: overall.total))")
            print(Output.table(["", "RECIPIENTS"], [
                ["total", Output.grouped(overall.total)],
                ["not requested", Output.grouped(overall.notRequested)],
                ["requested", Output.grouped(overall.requested)],
                ["opened", Output.grouped(overall.opened)],
                ["rejected", Output.grouped(overall.rejected)],
            ], right: [1]))
            if !overall.reasons.isEmpty {
                print("\nRejected, by reason:")
                let reasons = overall.reasons.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                print(Output.table(["REASON", "COUNT"], reasons.map { [$0.key, Output.grouped($0.value)] }, right: [1]))
            }
            if let grouping {
                print("\nBy \(grouping.rawValue):")
                print(Output.table([grouping.rawValue.uppercased(), "TOTAL", "NOT REQ.", "REQUESTED", "OPENED", "REJECTED", "SHARE OPENED"],
                                   groups.map { g in
                                       [g.group ?? "", Output.grouped(g.total), Output.grouped(g.notRequested), Output.grouped(g.requested),
                                        Output.grouped(g.opened), Output.grouped(g.rejected), Output.progress(g.opened, of: g.total, width: 10)]
                                   }, right: [1, 2, 3, 4, 5]))
            }
        }
    }
}

/// `accounts status --json`; the keys are a contract.
struct StatusJSON: Encodable {
    var group: String?
    var total, not_requested, requested, opened, rejected: Int
    var opened_share_permille: Int
    var reasons: [String: Int]
    var by: String?
    var groups: [StatusJSON]?

    init(_ s: OpeningStatus) {
        group = s.group
        total = s.total; not_requested = s.notRequested; requested = s.requested; opened = s.opened; rejected = s.rejected
        opened_share_permille = s.total == 0 ? 0 : (s.opened * 1000 + s.total / 2) / s.total
        reasons = s.reasons
    }
}
