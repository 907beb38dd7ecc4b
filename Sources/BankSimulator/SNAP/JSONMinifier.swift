/// SNAP's `minify(RequestBody)`: the body with every JSON whitespace byte outside string
/// literals removed.
///
/// A bank hashes the minified form of what it received, so a client may send pretty-printed JSON
/// as long as it signed the minified bytes. This works on any bytes, valid JSON or not: whether the
/// body parses is decided later.
package enum JSONMinifier {
    /// `bytes` without the whitespace between JSON tokens.
    package static func minify(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                out.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D:
                continue
            case UInt8(ascii: "\""):
                inString = true
                out.append(byte)
            default:
                out.append(byte)
            }
        }
        return out
    }
}
