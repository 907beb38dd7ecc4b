/// The `remark` a transfer carries to the bank (SNAP transfer services 17 and 18: `remark`, String(50)).
///
/// Checked at the door — `transfers enqueue --remark`, the `remark` column of `enqueue --file`, the remark
/// Salur forms itself — so that no transfer is queued that the bank will refuse for its remark
/// (`4001701 Invalid Field Format remark`), which would fail a whole programme.
public enum TransferRemark {
    /// SNAP's bound on `remark`.
    public static let maxLength = 50

    /// Why `remark` cannot be sent, or nil. Empty is allowed (the field is optional); otherwise
    /// printable ASCII only (letters, digits, space and `!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~`), at most
    /// 50 characters, no leading or trailing space. Banks' cores differ in what they accept beyond
    /// ASCII; ASCII is what every one of them accepts.
    public static func problem(_ remark: String) -> String? {
        let bytes = Array(remark.utf8)
        if let bad = remark.unicodeScalars.first(where: { $0.value < 0x20 || $0.value > 0x7E }) {
            return "\(TextEscape.describe(bad)) is not allowed: use printable ASCII (letters, digits, space, punctuation)"
        }
        if bytes.count > maxLength { return "\(bytes.count) characters; the bank accepts at most \(maxLength)" }
        if bytes.first == 0x20 || bytes.last == 0x20 { return "starts or ends with a space" }
        return nil
    }

    /// A remark Salur forms itself from codes (`BPJSTK BPU <budget> <period>`), cut to `maxLength`
    /// so that a long code cannot make it one the bank refuses.
    public static func formed(_ text: String) -> String {
        var cut = String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value <= 0x7E }).prefix(maxLength))
        while cut.last == " " { cut.removeLast() }
        while cut.first == " " { cut.removeFirst() }
        return cut
    }
}

/// How text from outside is shown back in a message: control, format and bidi characters escaped, so a
/// file or an argument cannot drive the terminal or reorder what an operator reads.
public enum TextEscape {
    /// `U+001B (ESC)`-style name of one character.
    public static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        switch scalar.value {
        case 0x00: return "\(code) (NUL)"
        case 0x07: return "\(code) (BEL)"
        case 0x09: return "\(code) (tab)"
        case 0x0A: return "\(code) (line feed)"
        case 0x0D: return "\(code) (carriage return)"
        case 0x1B: return "\(code) (ESC)"
        case 0x7F: return "\(code) (DEL)"
        case 0x202A...0x202E, 0x2066...0x2069: return "\(code) (bidi control)"
        default: return scalar.value > 0x7E ? "\(code) (\"\(Character(scalar))\")" : code
        }
    }
}
