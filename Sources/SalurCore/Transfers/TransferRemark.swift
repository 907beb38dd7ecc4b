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
            return "\(TerminalText.named(bad)) is not allowed: use printable ASCII (letters, digits, space, punctuation)"
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
