import CXLSXWriter
import Foundation
import SalurCore

/// An Excel workbook (`.xlsx`) of export tables, one sheet each, written with libxlsxwriter:
/// what `--format xlsx` gives for every export.
///
/// Every sheet has a bold header row frozen in place with a filter, columns as wide as their
/// content (up to 60 characters), and typed cells:
/// - rupiah amounts (columns named `amount`, `…_amount`, `…_total`, `…_balance`, the premium
///   lines) are numbers with a thousands separator (`#,##0`), so they sum in Excel; an amount in
///   sen (`ExportValue.amount`, from a statement) with a fraction is a number with two decimals
///   (`#,##0.00`): the nearest double, which shows the exact sen for any amount below Rp 90 trillion;
/// - counts (`…_count`, `count`, `items`, `attempts`, …) are numbers with a thousands separator;
///   other integers (ids, line numbers) are plain numbers;
/// - `…_date` columns holding `YYYY-MM-DD` are dates (`yyyy-mm-dd`); `…_at` columns holding a
///   timestamp are date-times, their zone (`UTC`, `+07:00`) in the number format;
/// - everything else is text, written as a string cell: never a formula, whatever it starts
///   with (`=`, `+`, `@`), so nothing in a name or a reference can run in Excel;
/// - true/false are Excel booleans; absent values and empty text are empty cells.
package struct Workbook: Sendable {
    /// One worksheet: a name (at most 31 characters, none of `[]:*?/\`) and its table.
    package struct Sheet: Sendable {
        package var name: String
        package var table: ExportTable

        package init(_ name: String, _ table: ExportTable) {
            self.name = name
            self.table = table
        }
    }

    package var sheets: [Sheet]

    package init(_ sheets: [Sheet]) { self.sheets = sheets }

    /// What went wrong writing a workbook.
    package struct WriteError: Error, CustomStringConvertible {
        package let description: String
    }

    /// The workbook's bytes. libxlsxwriter writes through a temporary file (rows are streamed to it
    /// in order, in its constant-memory mode), which is read back and removed.
    /// `progress`, if given, is told every 10,000 rows written (for a progress bar).
    package func xlsx(progress: ((Int) -> Void)? = nil) throws(WriteError) -> [UInt8] {
        let folder = try WorkbookWriter.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/export.xlsx"
        let writer = try WorkbookWriter(path: path, temporaryFolder: folder, sheets: sheets.map { ($0.name, $0.table.columns) })
        for (index, sheet) in sheets.enumerated() {
            var next = 0
            repeat {
                let end = min(sheet.table.rows.count, next + 10_000)
                try writer.append(sheet.table.rows[next..<end], toSheet: index)
                progress?(end - next)
                next = end
            } while next < sheet.table.rows.count
        }
        try writer.close()
        guard let data = FileManager.default.contents(atPath: path) else {
            throw WriteError(description: "cannot read back the workbook written to \(path)")
        }
        return Array(data)
    }
}

/// A workbook written to a file as its rows arrive, a chunk at a time, in libxlsxwriter's
/// constant-memory mode: each sheet holds at most its first 2,000 rows (its column widths are
/// measured on them) before they are written; `close` writes the file. Sheets may be filled in
/// any order (a summary sheet first in the workbook, filled once the rows it sums are written),
/// each sheet's rows in order. The same cells as `Workbook.xlsx` of the whole tables.
package final class WorkbookWriter {
    private let path: String
    private var book: UnsafeMutablePointer<lxw_workbook>?
    private var sheets: [SheetWriter] = []

    /// A fresh folder under the system's temporary folder, for libxlsxwriter's row files.
    package static func temporaryFolder() throws(Workbook.WriteError) -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("salur-xlsx-\(UUID().uuidString)").path
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw Workbook.WriteError(description: "cannot create a temporary folder for the workbook: \(error)")
        }
        return folder
    }

    /// A workbook to be written at `path`, with these sheets in this order; libxlsxwriter keeps
    /// its row files in `temporaryFolder`.
    package init(path: String, temporaryFolder: String, sheets: [(name: String, columns: [String])]) throws(Workbook.WriteError) {
        self.path = path
        let names = sheets.map(\.name)
        for name in names where name.isEmpty || name.count > 31 || name.contains(where: { "[]:*?/\\".contains($0) }) {
            throw Workbook.WriteError(description: "sheet name \"\(name)\" is not allowed in Excel")
        }
        guard Set(names.map { $0.lowercased() }).count == names.count else {
            throw Workbook.WriteError(description: "sheet names repeat: \(names)")
        }
        var options = lxw_workbook_options()
        options.constant_memory = 1
        let made: UnsafeMutablePointer<lxw_workbook>? = temporaryFolder.withCString { folder in
            options.tmpdir = UnsafeMutablePointer(mutating: folder)
            return workbook_new_opt(path, &options)
        }
        guard let made else { throw Workbook.WriteError(description: "libxlsxwriter cannot create \(path)") }
        book = made
        let formats = Formats(made)
        for (name, columns) in sheets {
            guard let worksheet = workbook_add_worksheet(made, name) else {
                abandon()
                throw Workbook.WriteError(description: "libxlsxwriter refused the sheet \"\(name)\"")
            }
            self.sheets.append(SheetWriter(name: name, worksheet: worksheet, columns: columns, formats: formats))
        }
    }

    deinit { abandon() }

    /// Appends rows to the sheet at `index` (in the order given to `init`).
    package func append<Rows: Collection>(_ rows: Rows, toSheet index: Int) throws(Workbook.WriteError)
    where Rows.Element == [ExportValue] {
        guard book != nil else { throw Workbook.WriteError(description: "the workbook \(path) was abandoned") }
        if let problem = sheets[index].append(rows) {
            abandon()
            throw Workbook.WriteError(description: "sheet \"\(sheets[index].name)\": \(problem)")
        }
    }

    /// Writes what the sheets still hold and the workbook's file.
    package func close() throws(Workbook.WriteError) {
        guard let book else { throw Workbook.WriteError(description: "the workbook \(path) was abandoned") }
        for sheet in sheets {
            if let problem = sheet.finish() {
                abandon()
                throw Workbook.WriteError(description: "sheet \"\(sheet.name)\": \(problem)")
            }
        }
        self.book = nil
        let closed = workbook_close(book)
        guard closed == LXW_NO_ERROR else {
            throw Workbook.WriteError(description: "libxlsxwriter could not write \(path): \(String(cString: lxw_strerror(closed)))")
        }
    }

    /// Frees libxlsxwriter's workbook; what it wrote at `path` is for the caller to remove.
    private func abandon() {
        guard let book else { return }
        self.book = nil
        workbook_close(book)
    }
}

/// What a column holds, from its name (the export's contract) and its values.
package enum WorkbookColumn: Equatable, Sendable {
    case rupiah, count, integer, date, timestamp, other

    static let rupiahNames: Set<String> = [
        "amount", "wage", "jkk", "jkm", "jht_employer", "jht_employee", "jp_employer", "jp_employee", "gap_from_previous",
    ]
    static let countNames: Set<String> = [
        "count", "items", "attempts", "returns", "lines", "headcount", "employees", "open_exceptions", "duplicate_debits",
        "matched_debits", "weak_debits", "unmatched_debits", "settled_count", "on_statement_count", "credit_count", "debit_count",
    ]

    package static func of(_ name: String) -> WorkbookColumn {
        if rupiahNames.contains(name) || name.hasSuffix("_amount") || name.hasSuffix("_total") || name.hasSuffix("_balance") {
            return .rupiah
        }
        if countNames.contains(name) || name.hasSuffix("_count") { return .count }
        if name.hasSuffix("_date") { return .date }
        if name.hasSuffix("_at") { return .timestamp }
        return .other
    }
}

/// The cell formats a workbook shares.
private final class Formats {
    let header, rupiah, sen, count, plain, date: UnsafeMutablePointer<lxw_format>?
    private let book: UnsafeMutablePointer<lxw_workbook>
    private var timestamps: [String: UnsafeMutablePointer<lxw_format>?] = [:]

    init(_ book: UnsafeMutablePointer<lxw_workbook>) {
        self.book = book
        func format(_ numberFormat: String?, bold: Bool = false) -> UnsafeMutablePointer<lxw_format>? {
            let f = workbook_add_format(book)
            if let numberFormat { format_set_num_format(f, numberFormat) }
            if bold {
                format_set_bold(f)
                format_set_bottom(f, UInt8(LXW_BORDER_THIN.rawValue))
            }
            return f
        }
        header = format(nil, bold: true)
        rupiah = format("#,##0")
        sen = format("#,##0.00")
        count = format("#,##0")
        plain = format("0")
        date = format("yyyy-mm-dd")
    }

    /// A date-time format naming the zone the timestamps are in (`"UTC"`, `"+07:00"`), or none.
    func timestamp(zone: String) -> UnsafeMutablePointer<lxw_format>? {
        if let made = timestamps[zone] { return made }
        let f = workbook_add_format(book)
        format_set_num_format(f, zone.isEmpty ? "yyyy-mm-dd hh:mm:ss" : "yyyy-mm-dd hh:mm:ss \"\(zone)\"")
        timestamps[zone] = f
        return f
    }
}

/// Writes one table into one worksheet, row by row (libxlsxwriter's constant-memory mode needs
/// rows in order, and column widths before the first row: the first 2,000 rows are held until
/// their widths are known).
private final class SheetWriter {
    static let measuredRows = 2_000

    let name: String
    let worksheet: UnsafeMutablePointer<lxw_worksheet>
    let columns: [String]
    let kinds: [WorkbookColumn]
    let formats: Formats
    private var held: [[ExportValue]] = []
    private var started = false
    private var written = 0

    init(name: String, worksheet: UnsafeMutablePointer<lxw_worksheet>, columns: [String], formats: Formats) {
        self.name = name
        self.worksheet = worksheet
        self.columns = columns
        kinds = columns.map(WorkbookColumn.of)
        self.formats = formats
    }

    /// Nil, or what libxlsxwriter refused.
    func append<Rows: Collection>(_ rows: Rows) -> String? where Rows.Element == [ExportValue] {
        guard started else {
            held.append(contentsOf: rows)
            return held.count >= Self.measuredRows ? start() : nil
        }
        return write(rows)
    }

    /// Writes what is held, the frozen header and the filter. Nil, or what libxlsxwriter refused.
    func finish() -> String? {
        if !started, let problem = start() { return problem }
        worksheet_freeze_panes(worksheet, 1, 0)
        if !columns.isEmpty {
            worksheet_autofilter(worksheet, 0, 0, lxw_row_t(written), lxw_col_t(columns.count - 1))
        }
        return nil
    }

    /// Column widths from the rows held, the header, then the rows held.
    private func start() -> String? {
        started = true
        for (index, width) in widths(held.prefix(Self.measuredRows)).enumerated() {
            worksheet_set_column(worksheet, lxw_col_t(index), lxw_col_t(index), width, nil)
        }
        for (index, name) in columns.enumerated() {
            let error = worksheet_write_string(worksheet, 0, lxw_col_t(index), name, formats.header)
            if error != LXW_NO_ERROR { return "header \(name): \(String(cString: lxw_strerror(error)))" }
        }
        defer { held = [] }
        return write(held)
    }

    private func write<Rows: Collection>(_ rows: Rows) -> String? where Rows.Element == [ExportValue] {
        for row in rows {
            written += 1
            let r = lxw_row_t(written)
            for (column, value) in row.enumerated() where column < kinds.count {
                let error = cell(r, lxw_col_t(column), value, kinds[column])
                if error != LXW_NO_ERROR {
                    return "row \(written + 1), column \(columns[column]): \(String(cString: lxw_strerror(error)))"
                }
            }
        }
        return nil
    }

    private func cell(_ r: lxw_row_t, _ c: lxw_col_t, _ value: ExportValue, _ kind: WorkbookColumn) -> lxw_error {
        switch value {
        case .null:
            return LXW_NO_ERROR
        case .flag(let flag):
            return worksheet_write_boolean(worksheet, r, c, flag ? 1 : 0, nil)
        case .amount(let sen):
            guard sen.value.magnitude <= 1 << 53 else { return worksheet_write_string(worksheet, r, c, sen.plain, nil) }
            if sen.fraction == 0 { return worksheet_write_number(worksheet, r, c, Double(sen.rupiahPart.value), formats.rupiah) }
            // The nearest double to the amount; `#,##0.00` shows its exact sen below Rp 90 trillion.
            return worksheet_write_number(worksheet, r, c, Double(sen.value) / 100, formats.sen)
        case .integer(let number):
            // Beyond 2^53 a double would not hold the number exactly: write its digits as text.
            guard number.magnitude <= 1 << 53 else { return worksheet_write_string(worksheet, r, c, String(number), nil) }
            let format = switch kind {
            case .rupiah: formats.rupiah
            case .count: formats.count
            default: formats.plain
            }
            return worksheet_write_number(worksheet, r, c, Double(number), format)
        case .text(let text):
            if text.isEmpty { return LXW_NO_ERROR }
            switch kind {
            case .date:
                if var day = Self.date(text) { return worksheet_write_datetime(worksheet, r, c, &day, formats.date) }
            case .timestamp:
                if let (stamp, zone) = Self.timestamp(text) {
                    var moment = stamp
                    return worksheet_write_datetime(worksheet, r, c, &moment, formats.timestamp(zone: zone))
                }
            default:
                break
            }
            return worksheet_write_string(worksheet, r, c, text, nil)
        }
    }

    /// Column widths in characters: the widest of the header and the first 2,000 rows, plus two,
    /// between 8 and 60.
    private func widths(_ rows: ArraySlice<[ExportValue]>) -> [Double] {
        var widths = columns.map { Double($0.count) }
        for row in rows {
            for (column, value) in row.enumerated() where column < widths.count {
                let shown: Int = switch value {
                case .integer(let n) where kinds[column] == .rupiah || kinds[column] == .count:
                    String(n).count + String(n.magnitude).count / 3
                case .amount(let sen): sen.plain.count + String(sen.rupiahPart.value.magnitude).count / 3
                case .text(let t) where kinds[column] == .timestamp: min(t.count, 26)
                default: value.csv.count
                }
                widths[column] = max(widths[column], Double(shown))
            }
        }
        return widths.map { min(60, max(8, $0 + 2)) }
    }

    /// `YYYY-MM-DD`.
    static func date(_ text: String) -> lxw_datetime? {
        guard text.count == 10, let day = CalendarDate(text) else { return nil }
        return lxw_datetime(year: Int32(day.year), month: Int32(day.month), day: Int32(day.day), hour: 0, min: 0, sec: 0)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` or with a space for `T`, and the zone it names.
    static func timestamp(_ text: String) -> (lxw_datetime, String)? {
        let chars = Array(text)
        guard chars.count >= 19, let day = CalendarDate(String(chars[0..<10])), chars[10] == "T" || chars[10] == " ",
              chars[13] == ":", chars[16] == ":",
              let hour = Int(String(chars[11..<13])), let minute = Int(String(chars[14..<16])), let second = Int(String(chars[17..<19])),
              hour < 24, minute < 60, second < 61 else { return nil }
        var rest = chars[19...]
        var fraction = 0.0
        if rest.first == "." {
            let digits = rest.dropFirst().prefix { $0.isASCIIDigit }
            guard !digits.isEmpty, let value = Double("0." + String(digits)) else { return nil }
            fraction = value
            rest = rest.dropFirst(1 + digits.count)
        }
        let zone: String
        switch String(rest) {
        case "": zone = ""
        case "Z", "+00:00": zone = "UTC"
        case let offset where offset.count == 6 && (offset.hasPrefix("+") || offset.hasPrefix("-")): zone = offset
        default: return nil
        }
        return (lxw_datetime(year: Int32(day.year), month: Int32(day.month), day: Int32(day.day), hour: Int32(hour),
                             min: Int32(minute), sec: Double(second) + fraction), zone)
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
