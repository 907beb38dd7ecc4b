import ArgumentParser
import Foundation
import SalurCore
import SalurStore

struct RecipientsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recipients",
        abstract: "Aid recipients (penerima bansos): import and find them.",
        subcommands: [Import.self, List.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import recipients from CSV (nik,name,program,district,phone[,account_no]); all or nothing.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The CSV file.") var file: String
        @Flag(help: "Print the summary as JSON.") var json = false

        func run() async throws {
            // A file on disk is read a window at a time while the store takes the rows checked so
            // far, after one pass for its SHA-256; a pipe is read into memory first. A bad row
            // anywhere still imports nothing.
            let input = try WindowedInput(file)
            let source = input.source
            let rows = try input.bytes.map { try RecipientFile.Reading(bytes: $0, file: file) }
                ?? RecipientFile.Reading(path: file, file: file)
            // A piped file's rows are not announced: the bar counts up without a total.
            let total = input.bytes == nil ? input.rows : nil
            let progress = ProgressBar.onStandardError("importing \(TerminalText.escaped(file))", total: total, quiet: json)
            rows.onRowsTaken = { progress.update(done: $0) }
            let ledger = try await global.store(.create)
            let summary = try await ledger.importRecipients(rows, source: source, actor: OperatorIdentity.current())
            progress.finish(done: rows.rowCount)
            if json { return try Output.json(summary) }
            if summary.added + summary.updated == 0 {
                print("\(TerminalText.escaped(file)): \(Output.grouped(rows.rowCount)) rows, all already known and unchanged; nothing to change.")
            } else {
                print("\(TerminalText.escaped(file)): \(Output.grouped(rows.rowCount)) rows: \(Output.grouped(summary.added)) added, "
                      + "\(Output.grouped(summary.updated)) updated (\(summary.reopened) rejected openings back to not_requested), "
                      + "\(Output.grouped(summary.unchanged)) unchanged.")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List recipients, e.g. the blocked ones: --state rejected.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this opening state: not_requested, requested, opened, rejected.") var state: String?
        @Option(help: "Only this district (kecamatan).") var district: String?
        @Option(help: "Only this programme.") var program: String?
        @Option(help: "At most this many rows.") var limit: Int?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            var filter = RecipientFilter(district: district, program: program, limit: limit)
            if let state {
                guard let parsed = AccountOpeningState(rawValue: state) else {
                    throw ValidationError("--state must be one of \(AccountOpeningState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                filter.state = parsed
            }
            let found = try await global.store(.readOnly).recipients(matching: filter)
            if json { return try Output.json(found.map(RecipientJSON.init)) }
            let rows = found.map { stored -> [String] in
                let r = stored.recipient
                let detail: String = switch r.opening {
                case .opened(let account): Validate.maskedAccount(account)
                case .rejected(let reason): reason
                default: ""
                }
                return [r.nik.digits, r.name, r.program, r.district, r.opening.state.rawValue, detail]
            }
            print(Output.table(["NIK", "NAME", "PROGRAM", "DISTRICT", "STATE", "ACCOUNT / REASON"], rows))
            print("\(Output.grouped(found.count)) recipient\(found.count == 1 ? "" : "s")")
        }
    }
}

/// A recipient in `--json` output.
struct RecipientJSON: Encodable {
    let nik, name, program, district, phone, state: String
    let account_no: String?
    let reason: String?
    let updated_at: String

    init(_ stored: StoredRecipient) {
        let r = stored.recipient
        nik = r.nik.digits; name = r.name; program = r.program; district = r.district; phone = r.phone
        state = r.opening.state.rawValue
        switch r.opening {
        case .opened(let account): account_no = account; reason = nil
        case .rejected(let why): account_no = nil; reason = why
        default: account_no = nil; reason = nil
        }
        updated_at = stored.updatedAt
    }
}
