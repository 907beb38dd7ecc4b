/// Field checks shared by every import. Each returns nil when the value is acceptable, else the reason.
public enum Validate {
    /// A person's name: 1–100 characters, no control characters.
    public static func personName(_ name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        return text(name, maxLength: 100)
    }

    /// Free text: at most `maxLength` characters, no control characters, not empty.
    public static func text(_ value: String, maxLength: Int) -> String? {
        if value.isEmpty { return "must not be empty" }
        // Printable ASCII, the common case, needs no Unicode tables: one byte is one character.
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return value.utf8.count > maxLength ? "longer than \(maxLength) characters" : nil
        }
        if value.count > maxLength { return "longer than \(maxLength) characters" }
        if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "contains a control character"
        }
        return nil
    }

    /// A programme or work-unit code: 1–32 of A–Z, 0–9, `-`, `_`, `.`.
    public static func code(_ value: String) -> String? {
        if value.isEmpty { return "must not be empty" }
        if value.utf8.count > 32 { return "longer than 32 characters" }
        let ok = value.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }
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
