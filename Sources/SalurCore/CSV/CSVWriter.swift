/// Writes RFC 4180 CSV: fields quoted only when they must be, CRLF line ends.
///
/// `excel` selects the dialect Indonesian Excel opens directly: `;` separator and a UTF-8 BOM.
public struct CSVWriter: Sendable {
    /// The text written so far.
    public private(set) var output: [UInt8] = []
    private let separator: UInt8

    /// A writer; `excel` switches to `;` and starts with a byte-order mark.
    public init(excel: Bool = false) {
        separator = excel ? UInt8(ascii: ";") : UInt8(ascii: ",")
        if excel { output = [0xEF, 0xBB, 0xBF] }
    }

    /// Appends one record.
    public mutating func write(_ fields: [String]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { output.append(separator) }
            let utf8 = field.utf8
            let needsQuotes = utf8.contains { $0 == separator || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
                || (utf8.first.map { $0 == UInt8(ascii: " ") } ?? false)
            if needsQuotes {
                output.append(UInt8(ascii: "\""))
                for byte in utf8 {
                    if byte == UInt8(ascii: "\"") { output.append(byte) }
                    output.append(byte)
                }
                output.append(UInt8(ascii: "\""))
            } else {
                output.append(contentsOf: utf8)
            }
        }
        output.append(contentsOf: [0x0D, 0x0A])
    }
}
