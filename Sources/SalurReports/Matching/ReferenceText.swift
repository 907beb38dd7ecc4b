import Foundation

/// How references are compared: trimmed, upper case (banks upper-case what they echo), and found
/// inside free text as runs of letters and digits.
enum ReferenceText {
    /// `text` trimmed and upper-cased; allocation-free when it is already both.
    static func normalized(_ text: String) -> String {
        var needsWork = false
        for byte in text.utf8 where byte == 0x20 || byte == 0x09 || (byte >= 0x61 && byte <= 0x7A) || byte >= 0x80 {
            needsWork = true
            break
        }
        guard needsWork else { return text }
        return text.trimmingCharacters(in: .whitespaces).uppercased()
    }

    /// Runs of ASCII letters and digits at least `minimumLength` long, upper-cased, in order.
    /// Salur's references (`SLR` + 12 digits) and banks' (digits) are such runs.
    static func tokens(in text: String, minimumLength: Int = 6) -> [String] {
        var tokens: [String] = []
        var current: [UInt8] = []
        func flush() {
            if current.count >= minimumLength { tokens.append(String(decoding: current, as: UTF8.self)) }
            current.removeAll(keepingCapacity: true)
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"): current.append(byte)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): current.append(byte - 0x20)
            default: flush()
            }
        }
        flush()
        return tokens
    }

    /// Runs of 6 to 20 digits: account numbers a bank writes into an entry's text.
    static func accountNumbers(in text: String) -> [String] {
        var numbers: [String] = []
        var current: [UInt8] = []
        func flush() {
            if (6...20).contains(current.count) { numbers.append(String(decoding: current, as: UTF8.self)) }
            current.removeAll(keepingCapacity: true)
        }
        for byte in text.utf8 {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { current.append(byte) } else { flush() }
        }
        flush()
        return numbers
    }

    /// Only the digits of an account number as a bank may write it (`001-19-99999`).
    static func digits(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) { return text }
        return String(decoding: text.utf8.filter { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }, as: UTF8.self)
    }
}
