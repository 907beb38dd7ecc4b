/// One cell of a CSV file Salur writes: text, or a number.
///
/// The difference matters to spreadsheets: a text cell that starts like a formula is neutralised
/// (see `CSVWriter`), a number never is, so `-5000` stays a negative amount.
public enum CSVCell: Sendable, Equatable {
    /// Text as it stands (a name, a reference, a date, a state).
    case text(String)
    /// A whole number (an amount in rupiah, a count, a line number), written as digits.
    case number(Int64)
    /// Digits written as given, optionally after one `+` or `-` (a phone number `+62812…`, a NIK
    /// with its leading zeros): a number to a spreadsheet, never a formula. Anything else in it
    /// makes it text, neutralised as text is.
    case numeral(String)

    /// Whether `text` is one optional `+` or `-` followed by at least one ASCII digit, and nothing else.
    static func isNumeral(_ text: String) -> Bool {
        var digits = text.utf8[...]
        if let first = digits.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}

/// Writes RFC 4180 CSV: fields quoted only when they must be, CRLF line ends.
///
/// `excel` selects the dialect Indonesian Excel opens directly: `;` separator and a UTF-8 BOM.
///
/// Every CSV file Salur writes, in either dialect, goes through here, and no cell of it can be
/// taken for a formula by a spreadsheet (OWASP's rule against CSV injection): a text cell that
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a single quote `'`
/// in front and in double quotes, so `=HYPERLINK("http://x","klik")` is written
/// `"'=HYPERLINK(""http://x"",""klik"")"` and shows as text. Numbers (`CSVCell.number`, and
/// `CSVCell.numeral` when it holds only a sign and digits) are written as they are, a negative
/// one with its minus sign. Reading such a file back gives the text with the quote in front.
public struct CSVWriter: Sendable {
    /// The text written so far.
    public private(set) var output: [UInt8] = []
    private let separator: UInt8

    /// A writer; `excel` switches to `;` and starts with a byte-order mark.
    public init(excel: Bool = false) {
        separator = excel ? UInt8(ascii: ";") : UInt8(ascii: ",")
        if excel { output = [0xEF, 0xBB, 0xBF] }
    }

    /// The text written since the last `take`, handed over and no longer held: how a long file is
    /// written out a piece at a time.
    public mutating func take() -> [UInt8] {
        defer { output.removeAll(keepingCapacity: true) }
        return output
    }

    /// Appends one record whose fields are all text (a header, names, codes).
    public mutating func write(_ fields: [String]) {
        write(fields.map(CSVCell.text))
    }

    /// Appends one record.
    public mutating func write(_ cells: [CSVCell]) {
        for (index, cell) in cells.enumerated() {
            if index > 0 { output.append(separator) }
            switch cell {
            case .number(let value):
                output.append(contentsOf: String(value).utf8)
            case .numeral(let text) where CSVCell.isNumeral(text):
                output.append(contentsOf: text.utf8)
            case .text(let text), .numeral(let text):
                append(text)
            }
        }
        output.append(contentsOf: [0x0D, 0x0A])
    }

    /// Whether a spreadsheet would read `text` as a formula (or, after a tab or carriage return
    /// it skips, as one): it starts with `=`, `+`, `-`, `@`, a tab or a carriage return.
    public static func startsLikeFormula(_ text: String) -> Bool {
        guard let first = text.utf8.first else { return false }
        return first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
            || first == UInt8(ascii: "@") || first == 0x09 || first == 0x0D
    }

    private mutating func append(_ text: String) {
        let utf8 = text.utf8
        let neutralised = Self.startsLikeFormula(text)
        let needsQuotes = neutralised
            || utf8.contains { $0 == separator || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
            || (utf8.first.map { $0 == UInt8(ascii: " ") } ?? false)
        guard needsQuotes else {
            output.append(contentsOf: utf8)
            return
        }
        output.append(UInt8(ascii: "\""))
        if neutralised { output.append(UInt8(ascii: "'")) }
        for byte in utf8 {
            if byte == UInt8(ascii: "\"") { output.append(byte) }
            output.append(byte)
        }
        output.append(UInt8(ascii: "\""))
    }
}
