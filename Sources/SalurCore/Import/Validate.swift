/// Field checks shared by every import. Each returns nil when the value is acceptable, else the reason.
public enum Validate {
    /// A person's name: 1–100 characters, none of them a control or bidi-formatting character
    /// (see `forbiddenCharacter(in:)`).
    public static func personName(_ name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        return text(name, maxLength: 100)
    }

    /// Free text (names, districts, reasons): not empty, at most `maxLength` characters, none of
    /// them a control or bidi-formatting character (see `forbiddenCharacter(in:)`).
    public static func text(_ value: String, maxLength: Int) -> String? {
        freeText(value, maxLength: maxLength)
    }

    /// Free text that may be empty when `allowEmpty`: at most `maxLength` characters, none of them a
    /// control or bidi-formatting character. The one character rule for every text Salur stores,
    /// writes to a file or sends to the bank.
    public static func freeText(_ value: String, maxLength: Int, allowEmpty: Bool = false) -> String? {
        if value.isEmpty { return allowEmpty ? nil : "must not be empty" }
        // Printable ASCII, the common case, needs no Unicode tables: one byte is one character.
        if isPrintableASCII(value) {
            return value.utf8.count > maxLength ? "longer than \(maxLength) characters" : nil
        }
        if let problem = forbiddenCharacter(in: value) { return problem }
        if value.count > maxLength { return "longer than \(maxLength) characters" }
        return nil
    }

    /// An operator's reason (`--reason`, kept in the audit log): free text of at most 500 characters.
    public static func reason(_ value: String) -> String? {
        freeText(value, maxLength: 500)
    }

    /// Whether every byte of `value` is printable ASCII (read in place for a native string).
    @inline(__always)
    static func isPrintableASCII(_ value: String) -> Bool {
        value.utf8.withContiguousStorageIfAvailable { $0.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }
            ?? value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    /// Why `value` may not be stored as text, or nil: it holds a control character (C0 such as
    /// NUL, BEL, ESC, tab and line ends; DEL; C1 U+0080–U+009F) or a character that reorders
    /// text on screen (bidi embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069, marks
    /// U+200E, U+200F and U+061C), which could make a name or reason display as something else.
    public static func forbiddenCharacter(in value: String) -> String? {
        for scalar in value.unicodeScalars {
            if isControl(scalar) { return "contains a control character" }
            if isBidiFormatting(scalar) { return "contains a bidi formatting character" }
        }
        return nil
    }

    /// C0, DEL and C1 control characters.
    @inline(__always)
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Characters that change the display order of the text around them.
    @inline(__always)
    static func isBidiFormatting(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
        default: false
        }
    }

    /// A programme or work-unit code: 1–32 of A–Z, 0–9, `-`, `_`, `.`.
    public static func code(_ value: String) -> String? {
        if value.isEmpty { return "must not be empty" }
        if value.utf8.count > 32 { return "longer than 32 characters" }
        let isCode: (UInt8) -> Bool = { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }
        let ok = value.utf8.withContiguousStorageIfAvailable { $0.allSatisfy(isCode) } ?? value.utf8.allSatisfy(isCode)
        return ok ? nil : "use A-Z, 0-9, '-', '_' or '.' only (found \"\(value)\")"
    }

    /// A phone number: empty, or `08…`/`+628…`/`628…` with 9–15 digits in all.
    public static func phone(_ value: String) -> String? {
        if value.isEmpty { return nil }
        var digits = Substring(value).utf8[...]
        if digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return "must be digits, optionally after a leading +" }
        guard (9...15).contains(digits.count) else { return "must have 9 to 15 digits, found \(digits.count)" }
        guard digits.first == UInt8(ascii: "0") || digits.starts(with: "62".utf8) else { return "must start with 0, 62 or +62" }
        return nil
    }

    /// A bank account number: 6–20 digits.
    public static func accountNo(_ value: String) -> String? {
        guard value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return "must contain digits only" }
        guard (6...20).contains(value.utf8.count) else { return "must have 6 to 20 digits, found \(value.utf8.count)" }
        return nil
    }

    /// Masks an account number to its last four digits: `******7890`.
    public static func maskedAccount(_ value: String) -> String {
        guard value.count > 4 else { return value }
        return String(repeating: "*", count: value.count - 4) + value.suffix(4)
    }
}
