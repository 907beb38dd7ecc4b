import Foundation

/// An `.xlsx` workbook as an independent reader sees it: `scripts/xlsx-dump.py` (Python's zipfile
/// and ElementTree, nothing of libxlsxwriter), for tests of what Salur's workbooks hold.
package struct XLSXDump: Sendable {
    /// One cell: the file's type (`s`/`inlineStr` text, `n` number, `b` boolean), its value (a
    /// String, Double or Bool), its number format and boldness, and whether it is a formula.
    package struct Cell: Sendable {
        package let ref: String
        package let column: Int
        package let type: String
        package let text: String?
        package let number: Double?
        package let flag: Bool?
        package let format: String
        package let bold: Bool
        package let formula: Bool
        package var isText: Bool { type == "s" || type == "inlineStr" }
    }

    package struct Sheet: Sendable {
        package let name: String
        package let frozen: String?
        package let autofilter: String?
        /// Width of each column, by 0-based index.
        package let widths: [Int: Double]
        /// Rows in order, each its cells by 0-based column (absent cells are empty).
        package let rows: [[Int: Cell]]

        /// The row whose first cell is `key` (a summary sheet's item or section).
        package func row(_ key: String) -> [Int: Cell]? { rows.first { $0[0]?.text == key } }
        /// The row whose first two cells are `section` and `key`.
        package func row(_ section: String, _ key: String) -> [Int: Cell]? {
            rows.first { $0[0]?.text == section && $0[1]?.text == key }
        }
        /// The column of `header` in the first row.
        package func column(_ header: String) -> Int? { rows.first?.first { $0.value.text == header }?.key }
    }

    package let sheets: [Sheet]

    package func sheet(_ name: String) -> Sheet? { sheets.first { $0.name == name } }

    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// Reads `path` with `scripts/xlsx-dump.py`.
    package static func read(_ path: String) async throws -> XLSXDump {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/xlsx-dump.py").path
        let folder = FileManager.default.temporaryDirectory.path
        let output = try await BuiltProduct.run("/usr/bin/env", ["python3", script, path], in: folder)
        guard output.status == 0 else { throw Failure(description: "xlsx-dump.py \(path): \(output)") }
        guard let root = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any],
              let sheets = root["sheets"] as? [[String: Any]] else { throw Failure(description: "unreadable dump of \(path)") }
        return XLSXDump(sheets: sheets.map { sheet in
            var widths: [Int: Double] = [:]
            for column in sheet["columns"] as? [[String: Any]] ?? [] {
                let low = column["min"] as? Int ?? 0, high = column["max"] as? Int ?? 0
                for index in low...max(low, high) { widths[index - 1] = column["width"] as? Double }
            }
            let rows = (sheet["rows"] as? [[String: Any]] ?? []).map { row in
                var cells: [Int: Cell] = [:]
                for c in row["cells"] as? [[String: Any]] ?? [] {
                    let column = c["col"] as? Int ?? -1
                    cells[column] = Cell(ref: c["ref"] as? String ?? "", column: column, type: c["t"] as? String ?? "",
                                         text: c["v"] as? String, number: (c["t"] as? String) == "n" ? c["v"] as? Double : nil,
                                         flag: (c["t"] as? String) == "b" ? c["v"] as? Bool : nil, format: c["format"] as? String ?? "",
                                         bold: c["bold"] as? Bool ?? false, formula: c["f"] as? Bool ?? false)
                }
                return cells
            }
            return Sheet(name: sheet["name"] as? String ?? "", frozen: sheet["frozen"] as? String,
                         autofilter: sheet["autofilter"] as? String, widths: widths, rows: rows)
        })
    }

    /// Excel's serial number of a day (days since 1899-12-30), as dates are stored.
    package static func serial(year: Int, month: Int, day: Int) -> Double {
        var components = DateComponents()
        components.year = year; components.month = month; components.day = day
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = calendar.date(from: components)!
        let epoch = calendar.date(from: DateComponents(year: 1899, month: 12, day: 30))!
        return (date.timeIntervalSince(epoch) / 86_400).rounded()
    }
}
