import ArgumentParser
import Foundation
import SalurCore
import SalurReports
import SalurStore

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Exports for reconciliation and audit; each file's SHA-256 is printed and audited.",
        subcommands: [Reconciliation.self, StatementCheck.self, Batch.self])

    /// `--format`, `--excel`, `-o`: how every export is written.
    struct FileOptions: ParsableArguments {
        @Option(help: "csv, json or xlsx (an Excel workbook: a summary sheet of control totals, then one sheet per section).")
        var format = "csv"
        @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?
        @Flag(help: "The CSV dialect Indonesian Excel opens directly: ';' separator and a UTF-8 BOM.") var excel = false
        @Option(name: .customLong("rows-per-read"), help: "Transfers read from the store at a time: memory held against round trips to it.")
        var rowsPerRead = ReconciledTransferPage.defaultSize

        func validate() throws {
            guard ["csv", "json", "xlsx"].contains(format) else { throw ValidationError("--format must be csv, json or xlsx") }
            if excel && format != "csv" { throw ValidationError("--excel is a CSV dialect; leave it out with --format \(format)") }
            if rowsPerRead < 1 { throw ValidationError("--rows-per-read must be at least 1") }
            try ExportCommand.refuseWorkbookOnTerminal(format: format, output: output)
        }

        /// The file's bytes: `table` as CSV or JSON, or `workbook` as an Excel workbook.
        /// On a terminal, a progress bar counts the rows written.
        func bytes(_ table: ExportTable, workbook: @autoclosure () -> Workbook) throws -> [UInt8] {
            switch format {
            case "json": return table.json()
            case "xlsx":
                let book = workbook()
                let bar = ProgressBar.onStandardError("writing the workbook", total: book.sheets.reduce(0) { $0 + $1.table.rows.count }, quiet: false)
                defer { bar.finish() }
                return try ExportCommand.xlsx(book, progress: bar.advance)
            default:
                let bar = ProgressBar.onStandardError("writing", total: table.rows.count, quiet: false)
                defer { bar.finish() }
                return table.csv(excel: excel, progress: bar.advance)
            }
        }
    }

    /// A workbook is not text: written to a terminal it would be noise.
    static func refuseWorkbookOnTerminal(format: String, output: String?) throws {
        if format == "xlsx", output == nil, isatty(STDOUT_FILENO) == 1 {
            throw ValidationError("--format xlsx writes a workbook: give -o FILE.xlsx (or redirect standard output)")
        }
    }

    static func xlsx(_ workbook: Workbook, progress: ((Int) -> Void)? = nil) throws -> [UInt8] {
        do { return try workbook.xlsx(progress: progress) } catch { throw CLIError("cannot write the workbook: \(error)") }
    }

    /// Writes `bytes` (atomically to a file, or to standard output), prints its SHA-256 on standard
    /// error, and records who exported what with that hash in the audit log.
    static func deliver(_ bytes: [UInt8], to output: String?, kind: String, rows: Int, details: [String: String],
                        ledger: any ReconciliationLedger) async throws {
        let destination = try ExportDestination(output)
        try destination.write(bytes)
        try await record(sha256: destination.commit(), of: destination, kind: kind, rows: rows, details: details, ledger: ledger)
    }

    /// Prints a written export's SHA-256 on standard error and records who exported what with that
    /// hash in the audit log.
    static func record(sha256: String, of destination: ExportDestination, kind: String, rows: Int, details: [String: String],
                       ledger: any ReconciliationLedger) async throws {
        try await ledger.recordExport(kind: kind, destination: destination.name, sha256: sha256, rows: rows, details: details,
                                      actor: OperatorIdentity.current())
        FileHandle.standardError.write(Data("sha256 \(sha256)  \(destination.name) (recorded in the audit log as export.\(kind))\n".utf8))
    }

    struct Reconciliation: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One row per transfer with the statement entry that pays it and its match kind; control totals on stderr or in --summary.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "From this date (YYYY-MM-DD), by settlement or queueing date.") var from: String?
        @Option(help: "To this date (YYYY-MM-DD), inclusive.") var to: String?
        @OptionGroup var file: FileOptions
        @Option(help: "Also write the summary (counts and control totals per state, match kind and open exception) to this file.")
        var summary: String?

        func validate() throws {
            for date in [from, to].compactMap({ $0 }) where CalendarDate(date) == nil {
                throw ValidationError("dates must be YYYY-MM-DD, found \(date)")
            }
        }

        func run() async throws {
            let ledger = try await global.store()
            let details = ["format": file.format, "excel": String(file.excel), "from": from ?? "", "to": to ?? ""]
            var totals = ReconciliationSummary()
            let summaryColumns = totals.table.columns
            let stream = try ExportStream(file, columns: ReconciliationExport.columns,
                                          sheets: [("Summary", summaryColumns), ("Transfers", ReconciliationExport.columns)], rowsSheet: 1)
            let sha256 = try await stream.write { rows in
                try await ledger.reconciledTransfers(from: from, to: to, batchID: nil, pageSize: file.rowsPerRead) { chunk in
                    totals.add(chunk)
                    try rows(ReconciliationExport.rows(chunk))
                }
                return [0: totals.table.rows]
            }
            try await ExportCommand.record(sha256: sha256, of: stream.destination, kind: "reconciliation", rows: totals.count,
                                           details: details, ledger: ledger)
            let summaryTable = totals.table
            if let summary {
                var facts = details
                facts["of"] = file.output ?? "(stdout)"
                try await ExportCommand.deliver(file.bytes(summaryTable, workbook: Workbook([.init("Summary", summaryTable)])), to: summary,
                                                kind: "reconciliation_summary", rows: summaryTable.rows.count, details: facts, ledger: ledger)
            }
            let states = summaryTable.rows.filter { $0.first == .text("state") }.map { row in
                "\(row[1].csv) \(row[2].csv) (Rp \(Rupiah(Int64(row[3].csv) ?? 0).grouped))"
            }
            FileHandle.standardError.write(Data("\(totals.count) transfers: \(states.joined(separator: ", "))\n".utf8))
        }
    }

    struct StatementCheck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "statement-check",
            abstract: "Each stored statement touching the period: balances, whether it follows on from the previous one, how its debits reconcile.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "A month, YYYY-MM (statement dates).") var period: String
        @OptionGroup var file: FileOptions

        func validate() throws {
            if Period(period) == nil { throw ValidationError("--period must be YYYY-MM, found \(period)") }
        }

        func run() async throws {
            let ledger = try await global.store()
            let checks = try await ledger.statementChecks(period: Period(period))
            let table = StatementCheckExport.table(checks)
            let workbook = Workbook([.init("Summary", StatementCheckExport.summary(checks)), .init("Statements", table)])
            try await ExportCommand.deliver(file.bytes(table, workbook: workbook), to: file.output, kind: "statement_check",
                                      rows: checks.count, details: ["period": period, "format": file.format], ledger: ledger)
            let gaps = checks.filter { ($0.gapFromPrevious ?? 0) != 0 }
            let unmatched = checks.reduce(0) { $0 + $1.unmatchedDebits }
            var line = "\(checks.count) statements for \(period); debits \(checks.reduce(0) { $0 + $1.debitCount }) "
                + "(Rp \(Rupiah(checks.reduce(0) { $0 &+ $1.debitTotal }).grouped)), unmatched \(unmatched)"
            if !gaps.isEmpty {
                line += "; \(gaps.count) statement(s) do not follow on from the previous closing balance — one may be missing: "
                    + gaps.map { "\($0.statementId) (\($0.gapFromPrevious ?? 0))" }.joined(separator: ", ")
            }
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    struct Batch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Proof of payment of one batch: per line the bank reference, time, amount and masked account.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The batch id.") var id: String
        @OptionGroup var file: FileOptions

        func run() async throws {
            let configuration = try global.load()
            let ledger = try await configuration.openStore().store
            guard let batch = try await ledger.batches(id: id).first else { throw CLIError("no batch \(id); see salurctl batches list") }
            let offset = configuration.reconciliation.utcOffsetHours
            var totals = BatchProofTotals()
            let stream = try ExportStream(file, columns: BatchProofExport.columns,
                                          sheets: [("Batch", BatchProofExport.headerColumns), ("Lines", BatchProofExport.columns)],
                                          rowsSheet: 1) { others in
                BatchProofExport.jsonEnvelope(header: ExportTable(columns: BatchProofExport.headerColumns, rows: others[0] ?? []))
            }
            let sha256 = try await stream.write { rows in
                try await ledger.reconciledTransfers(from: nil, to: nil, batchID: id, pageSize: file.rowsPerRead) { chunk in
                    let first = totals.all.count + 1
                    totals.add(chunk)
                    try rows(BatchProofExport.rows(batch: batch, transfers: chunk, firstLine: first, utcOffsetHours: offset))
                }
                return [0: BatchProofExport.header(batch: batch, totals: totals).rows]
            }
            try await ExportCommand.record(sha256: sha256, of: stream.destination, kind: "batch_proof", rows: totals.all.count,
                                           details: ["batch": id, "format": file.format], ledger: ledger)
            func total(_ amount: Int64) -> String { Rupiah(amount).grouped }
            FileHandle.standardError.write(Data(("batch \(id): \(totals.all.count) items, Rp \(total(totals.all.amount)); "
                + "settled \(totals.settled.count) (Rp \(total(totals.settled.amount))), on a bank statement \(totals.onStatement.count) "
                + "(Rp \(total(totals.onStatement.amount)))\n").utf8))
        }
    }
}
