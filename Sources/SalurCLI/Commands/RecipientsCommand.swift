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
            // A file on disk is read once, a window at a time, while the store takes the rows
            // checked so far, its SHA-256 made as it is read; a pipe is read into memory first.
            // A bad row anywhere still imports nothing.
            let input = try StreamedInput(file)
            let rows = try RecipientFile.Reading(input.windows)
            // A piped file's rows are not announced: the bar counts up without a total.
            let progress = ProgressBar.onStandardError("importing \(TerminalText.escaped(file))", total: nil, quiet: json)
            if progress.isDrawing, let total = try input.rows() { progress.update(done: 0, total: total) }
            rows.onRowsTaken = { progress.update(done: $0) }
            let ledger = try await global.store(.create)
            let summary = try await ledger.importRecipients(rows, source: input.source, actor: OperatorIdentity.current())
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

/// An input file an import reads once, a window at a time: a regular file read from disk, its
/// SHA-256 made as it is read (`FileDigest`), never held whole; a pipe, which cannot be read twice,
/// read into memory first.
struct StreamedInput {
    /// The file's windows.
    let windows: CSVWindows
    /// The file as the import names it in the audit log (its SHA-256 once it was read to its end).
    let source: ReadSource
    /// The size of a regular file in bytes; nil for a pipe.
    let size: Int?

    /// Opens `path`; throws naming it when it is missing or unreadable (exit 65).
    init(_ path: String) throws {
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
            do { windows = try CSVWindows(path: path, file: path) } catch { throw CLIError(error.description, exit: .dataError) }
            let digest = FileDigest(windows)
            source = ReadSource(path: path, sha256: { digest.sha256 })
            size = Int(info.st_size)
        } else {
            let bytes = try Output.readFile(path)
            windows = CSVWindows(bytes: bytes, file: path)
            source = ReadSource(SourceFile(path: path, sha256: AuditChain.sha256Hex(bytes)))
            size = nil
        }
    }

    /// How many data rows a regular file has (its line ends less the header's), for a progress
    /// bar's total: counted in a pass over the file, so asked only when a bar is drawn; nil for a pipe.
    func rows() throws -> Int? {
        guard size != nil else { return nil }
        do { return try InputFile.lineEnds(source.path).map { max(0, $0 - 1) } } catch { throw CLIError(error.description, exit: .dataError) }
    }
}
