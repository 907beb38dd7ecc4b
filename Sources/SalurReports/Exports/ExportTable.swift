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
        var writer = CSVWriter(excel: excel)
        writer.write(columns)
        for (index, row) in rows.enumerated() {
            writer.write(row.map(\.cell))
            if let progress, (index + 1) % 10_000 == 0 { progress(10_000) }
        }
        progress?(rows.count % 10_000)
        return writer.output
    }

    /// `[\n  {"column": value, …},\n  …\n]\n`, one object per line.
    package func json() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(rows.count * columns.count * 24 + 4)
        if rows.isEmpty { return Array("[]\n".utf8) }
        out.append(contentsOf: Array("[\n".utf8))
        let keys = columns.map { JSONText.quoted($0) + ": " }
        for (index, row) in rows.enumerated() {
            out.append(contentsOf: Array("  {".utf8))
            for (column, value) in zip(keys.indices, row) {
                if column > 0 { out.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
                out.append(contentsOf: Array(keys[column].utf8))
                JSONText.append(value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
            if index < rows.count - 1 { out.append(UInt8(ascii: ",")) }
            out.append(0x0A)
        }
        out.append(contentsOf: Array("]\n".utf8))
        return out
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
