package import SalurCore

/// One value of an export cell: typed, so JSON gets numbers where CSV gets digits.
package enum ExportValue: Sendable, Equatable {
    case text(String)
    case integer(Int64)
    /// An amount in sen: digits when whole rupiah (as `integer`), `12345.67` when it has sen.
    case amount(Sen)
    case flag(Bool)
    case null

    /// The CSV form: digits, `true`/`false`, or empty for null.
    package var csv: String {
        switch self {
        case .text(let text): text
        case .integer(let value): String(value)
        case .amount(let sen): sen.plain
        case .flag(let value): value ? "true" : "false"
        case .null: ""
        }
    }

    /// The cell as `CSVWriter` writes it: numbers as numbers, everything else as text (so that a
    /// text value that starts like a formula is neutralised, and a negative amount is not).
    var cell: CSVCell {
        switch self {
        case .integer(let value): .number(value)
        case .amount(let sen) where sen.fraction == 0: .number(sen.rupiahPart.value)
        default: .text(csv)
        }
    }

    /// Text, or null when empty or absent.
    static func optional(_ text: String?) -> ExportValue {
        guard let text, !text.isEmpty else { return .null }
        return .text(text)
    }

    static func optional(_ value: Int64?) -> ExportValue { value.map(ExportValue.integer) ?? .null }
    static func optional(_ value: Int?) -> ExportValue { value.map { .integer(Int64($0)) } ?? .null }
}

/// A table with a header: written as RFC 4180 CSV in UTF-8 (or the Excel dialect) or as a JSON
/// array of objects whose keys are the columns, in column order.
package struct ExportTable: Sendable, Equatable {
    package var columns: [String]
    package var rows: [[ExportValue]]

    package init(columns: [String], rows: [[ExportValue]] = []) {
        self.columns = columns
        self.rows = rows
    }

    /// CSV with a header row; `excel`: `;` separator and a UTF-8 BOM. A text cell that starts
    /// like a formula (`=`, `+`, `-`, `@`, tab, carriage return) is neutralised by `CSVWriter`;
    /// integers are written as numbers.
    /// `progress`, if given, is told every 10,000 rows written (for a progress bar).
    package func csv(excel: Bool, progress: ((Int) -> Void)? = nil) -> [UInt8] {
        whole(ExportTextWriter(columns: columns, format: .csv(excel: excel)), progress: progress)
    }

    /// `[\n  {"column": value, …},\n  …\n]\n`, one object per line.
    package func json() -> [UInt8] {
        whole(ExportTextWriter(columns: columns, format: .json), progress: nil)
    }

    private func whole(_ writer: ExportTextWriter, progress: ((Int) -> Void)?) -> [UInt8] {
        var writer = writer
        var out = writer.start()
        var next = 0
        while next < rows.count {
            let end = min(rows.count, next + 10_000)
            out += writer.rows(rows[next..<end])
            progress?(end - next)
            next = end
        }
        if rows.isEmpty { progress?(0) }
        return out + writer.end()
    }

    /// The JSON of one row as an object (for documents that nest a header object).
    package func jsonObject(_ row: [ExportValue]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (column, value) in zip(columns.indices, row) {
            if column > 0 { out.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
            out.append(contentsOf: Array((JSONText.quoted(columns[column]) + ": ").utf8))
            JSONText.append(value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}

/// An export table's text written a chunk of rows at a time — `start`, `rows` for each chunk,
/// `end` — giving, put together, the bytes `ExportTable.csv` or `json` give for the whole table.
package struct ExportTextWriter {
    package enum Format: Equatable, Sendable {
        /// RFC 4180 CSV, or with `excel` the dialect Indonesian Excel opens (`;`, a UTF-8 BOM).
        case csv(excel: Bool)
        /// A JSON array of objects, one per line.
        case json
    }

    private let columns: [String]
    private let format: Format
    private var csv: CSVWriter
    private let keys: [String]
    private var written = 0

    package init(columns: [String], format: Format) {
        self.columns = columns
        self.format = format
        if case .csv(let excel) = format { csv = CSVWriter(excel: excel) } else { csv = CSVWriter() }
        keys = columns.map { JSONText.quoted($0) + ": " }
    }

    /// The text before the rows: the CSV header (after the byte-order mark in the Excel dialect).
    package mutating func start() -> [UInt8] {
        guard format != .json else { return [] }
        csv.write(columns)
        return csv.take()
    }

    /// The text of these rows.
    package mutating func rows<Rows: Collection>(_ rows: Rows) -> [UInt8] where Rows.Element == [ExportValue] {
        defer { written += rows.count }
        guard format == .json else {
            for row in rows { csv.write(row.map(\.cell)) }
            return csv.take()
        }
        var out: [UInt8] = []
        out.reserveCapacity(rows.count * columns.count * 24)
        for (index, row) in rows.enumerated() {
            out.append(contentsOf: Array((written + index == 0 ? "[\n  {" : ",\n  {").utf8))
            for (column, value) in zip(keys.indices, row) {
                if column > 0 { out.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
                out.append(contentsOf: Array(keys[column].utf8))
                JSONText.append(value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        return out
    }

    /// The text after the rows.
    package func end() -> [UInt8] {
        guard format == .json else { return [] }
        return Array((written == 0 ? "[]\n" : "\n]\n").utf8)
    }
}

/// JSON text by hand, so keys keep the column order an auditor reads them in.
enum JSONText {
    static func append(_ value: ExportValue, to out: inout [UInt8]) {
        switch value {
        case .text(let text): out.append(contentsOf: Array(quoted(text).utf8))
        case .integer(let number): out.append(contentsOf: Array(String(number).utf8))
        case .amount(let sen): out.append(contentsOf: Array(sen.plain.utf8))
        case .flag(let flag): out.append(contentsOf: Array((flag ? "true" : "false").utf8))
        case .null: out.append(contentsOf: Array("null".utf8))
        }
    }

    /// `"text"` with `"`, `\` and control characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20 || c.value == 0x2028 || c.value == 0x2029:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
