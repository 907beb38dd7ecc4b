import Foundation
import SalurCore
import SalurReports

/// An export written as its rows are read, never held whole. CSV and JSON text goes to the
/// destination a chunk of rows at a time; a workbook is written by libxlsxwriter in its
/// constant-memory mode into a temporary folder, then copied to the destination. A file
/// destination is renamed into place only once complete (`AtomicFile`); the SHA-256 is computed
/// as the bytes pass. The bytes are those of the whole table written at once (`ExportTable.csv`,
/// `json`, `Workbook.xlsx`).
final class ExportStream {
    let destination: ExportDestination
    private let format: String
    private let excel: Bool
    private let columns: [String]
    private let sheets: [(name: String, columns: [String])]
    private let rowsSheet: Int
    private let envelope: (([Int: [[ExportValue]]]) -> (prefix: [UInt8], suffix: [UInt8]))?

    /// `columns`: the rows' columns (CSV and JSON); `sheets`: the workbook's sheets, of which
    /// `rowsSheet` takes the rows. `envelope`, for JSON: text around the rows' array once its
    /// last newline is dropped, from the rows of the other sheets (a batch proof's header object).
    init(_ file: ExportCommand.FileOptions, columns: [String], sheets: [(name: String, columns: [String])], rowsSheet: Int,
         envelope: (([Int: [[ExportValue]]]) -> (prefix: [UInt8], suffix: [UInt8]))? = nil) throws {
        destination = try ExportDestination(file.output)
        format = file.format
        excel = file.excel
        self.columns = columns
        self.sheets = sheets
        self.rowsSheet = rowsSheet
        self.envelope = envelope
    }

    /// Runs `produce`, which hands the rows over a chunk at a time to the function it is given and
    /// returns the rows of the workbook's other sheets by index (known once every row is read: a
    /// summary of control totals). Returns the SHA-256 of what was written. On an error, a file
    /// destination is left as it was.
    func write(_ produce: (_ rows: ([[ExportValue]]) throws -> Void) async throws -> [Int: [[ExportValue]]]) async throws -> String {
        let bar = ProgressBar.onStandardError(format == "xlsx" ? "writing the workbook" : "writing", total: nil, quiet: false)
        do {
            switch format {
            case "xlsx":
                try await workbook(produce, bar: bar)
            case "json" where envelope != nil:
                try await enveloped(produce, bar: bar)
            default:
                var text = ExportTextWriter(columns: columns, format: format == "json" ? .json : .csv(excel: excel))
                try destination.write(text.start())
                _ = try await produce { rows in
                    try destination.write(text.rows(rows))
                    bar.advance(by: rows.count)
                }
                try destination.write(text.end())
            }
            let sha256 = try destination.commit()
            bar.finish()
            return sha256
        } catch {
            bar.clear()
            destination.abandon()
            throw error
        }
    }

    private func workbook(_ produce: (_ rows: ([[ExportValue]]) throws -> Void) async throws -> [Int: [[ExportValue]]],
                          bar: ProgressBar) async throws {
        do {
            let folder = try WorkbookWriter.temporaryFolder()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let path = folder + "/export.xlsx"
            let book = try WorkbookWriter(path: path, temporaryFolder: folder, sheets: sheets)
            let others = try await produce { rows in
                try book.append(rows, toSheet: rowsSheet)
                bar.advance(by: rows.count)
            }
            for (index, rows) in others.sorted(by: { $0.key < $1.key }) {
                try book.append(rows, toSheet: index)
                bar.advance(by: rows.count)
            }
            try book.close()
            try destination.write(contentsOf: path)
        } catch let error as Workbook.WriteError {
            throw CLIError("cannot write the workbook: \(error)")
        }
    }

    /// JSON rows inside an object whose first part depends on every row: the rows go to a
    /// temporary file first, then the object is written around them.
    private func enveloped(_ produce: (_ rows: ([[ExportValue]]) throws -> Void) async throws -> [Int: [[ExportValue]]],
                           bar: ProgressBar) async throws {
        guard let envelope else { return }
        let folder: String
        do { folder = try WorkbookWriter.temporaryFolder() } catch { throw CLIError("\(error)") }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let spool = try ExportDestination(folder + "/rows.json")
        var text = ExportTextWriter(columns: columns, format: .json)
        try spool.write(text.start())
        let others = try await produce { rows in
            try spool.write(text.rows(rows))
            bar.advance(by: rows.count)
        }
        try spool.write(Array(text.end().dropLast())) // the array's newline, so the object closes on its line
        _ = try spool.commit()
        let (prefix, suffix) = envelope(others)
        try destination.write(prefix)
        try destination.write(contentsOf: folder + "/rows.json")
        try destination.write(suffix)
    }
}
