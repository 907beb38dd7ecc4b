import Foundation
import SalurCore

/// Writing results for people and for scripts.
package enum Output {
    /// Prints `value` as pretty JSON with sorted keys.
    package static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// `2,570 / 3,000 ▕████████▏ 85.7 %` — the share as a bar of `width` cells, with eighths.
    package static func progress(_ part: Int, of whole: Int, width: Int = 20) -> String {
        let fraction = whole == 0 ? 0 : Double(part) / Double(whole)
        // Whole cells, plus a half cell when the rest is at least half: finer glyphs look like the frame.
        let halves = Int((fraction * Double(width * 2)).rounded(.down))
        var bar = String(repeating: "█", count: halves / 2)
        if halves % 2 == 1 { bar += "▌" }
        bar += String(repeating: " ", count: max(0, width - bar.count))
        let tenths = whole == 0 ? 0 : (part * 1000 + whole / 2) / whole
        return "\(grouped(part)) / \(grouped(whole)) ▕\(bar)▏ \(tenths / 10).\(tenths % 10) %"
    }

    /// `2570` → `2,570`.
    package static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return value < 0 ? "-" + out : out
    }

    /// A plain text table, columns padded to their widest cell; `right` columns align right. Every cell
    /// is shown with control and bidi characters escaped (`TerminalText`), whatever the database holds.
    package static func table(_ header: [String], _ rows: [[String]], right: Set<Int> = []) -> String {
        let rows = rows.map { $0.map { TerminalText.escaped($0) } }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return right.contains(i) ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)).joined(separator: "\n")
    }

    /// Writes bytes to `path` atomically: a temporary file in the same folder, fsynced, then renamed.
    package static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let file = try AtomicFile(path)
        try file.write(bytes)
        try file.commit()
    }

    /// Reads a whole input file (at most `InputFile.maxBytes`) or fails with a message naming it.
    package static func readFile(_ path: String) throws -> [UInt8] {
        do {
            return try InputFile.read(path)
        } catch {
            throw CLIError(error.description, exit: .dataError)
        }
    }
}
