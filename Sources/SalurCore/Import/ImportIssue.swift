/// One thing wrong with one row of an input file: `FILE:LINE: field: reason`.
public struct ImportIssue: Sendable, Hashable, CustomStringConvertible {
    public let file: String
    /// 1-based line where the row starts (the header is line 1).
    public let line: Int
    /// The column, or a pseudo-field such as `row` or `header` when no single column is at fault.
    public let field: String
    public let reason: String

    /// How many issues a refused file reports: a file with more is refused after its first
    /// `limit` (in line order), so that a file of millions of bad rows costs neither memory nor
    /// a screen of millions of lines.
    public static let limit = 100

    public init(file: String, line: Int, field: String, reason: String) {
        self.file = file
        self.line = line
        self.field = field
        self.reason = reason
    }

    /// The issue as printed. The file name, field and reason may echo what the file held, so any
    /// control or bidi-formatting character in them is shown escaped (`TerminalText.escaped`).
    public var description: String {
        "\(TerminalText.escaped(file)):\(line): \(TerminalText.escaped(field)): \(TerminalText.escaped(reason))"
    }
}

/// An input file was refused as a whole; nothing was changed. Carries the bad rows found, at most
/// `ImportIssue.limit` of them.
public struct ImportFailure: Error, Sendable, CustomStringConvertible {
    /// The first issues, in the order found (line order), at most `ImportIssue.limit`.
    public let issues: [ImportIssue]
    /// Whether the file has more problems than `issues` (checking may have stopped at the limit).
    public let more: Bool

    /// A failure with `issues`; beyond `ImportIssue.limit` only the first are kept.
    public init(_ issues: [ImportIssue]) {
        self.issues = Array(issues.prefix(ImportIssue.limit))
        more = issues.count > ImportIssue.limit
    }

    public var description: String {
        issues.map(\.description).joined(separator: "\n")
            + (more ? "\n… and more problems: checking stopped after the first \(ImportIssue.limit); nothing was changed."
                    : "\n\(issues.count) problem\(issues.count == 1 ? "" : "s") found; nothing was changed.")
    }
}

/// Text from a file or the command line, made safe to print on a terminal.
public enum TerminalText {
    /// `text` with every control character (C0, DEL, C1) and bidi-formatting character shown
    /// escaped, so that echoing a value cannot move the cursor, retitle the window, ring the bell
    /// or reorder what is shown: ESC becomes `\u{1B}`, U+202E becomes `<U+202E>`; a line end or tab
    /// becomes `\n`, `\r`, `\t`, unless `keepingNewlines`, which leaves `\n` (between the lines of a
    /// message) as it is. Everything else, non-ASCII letters included, is unchanged.
    public static func escaped(_ text: String, keepingNewlines: Bool = false) -> String {
        // The common case, printable ASCII (and line ends when kept), is returned as it is.
        if text.utf8.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || (keepingNewlines && $0 == 0x0A) }) { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "\n" && keepingNewlines {
                out.append(scalar)
            } else if Validate.isControl(scalar) {
                let escape: String = switch scalar {
                case "\n": "\\n"
                case "\r": "\\r"
                case "\t": "\\t"
                default: "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                }
                out.append(contentsOf: escape.unicodeScalars)
            } else if Validate.isBidiFormatting(scalar) {
                out.append(contentsOf: "<\(codePoint(scalar))>".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// `U+001B`: the code point, at least four hex digits.
    public static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}

extension TerminalText {
    /// One character named for a message: `U+001B (ESC)`, `U+202E (bidi control)`, `U+00E9 ("é")`.
    public static func named(_ scalar: Unicode.Scalar) -> String {
        let code = codePoint(scalar)
        switch scalar.value {
        case 0x00: return "\(code) (NUL)"
        case 0x07: return "\(code) (BEL)"
        case 0x09: return "\(code) (tab)"
        case 0x0A: return "\(code) (line feed)"
        case 0x0D: return "\(code) (carriage return)"
        case 0x1B: return "\(code) (ESC)"
        case 0x7F: return "\(code) (DEL)"
        default:
            if Validate.isBidiFormatting(scalar) { return "\(code) (bidi control)" }
            if Validate.isControl(scalar) { return code }
            return scalar.value > 0x7E ? "\(code) (\"\(Character(scalar))\")" : code
        }
    }
}
