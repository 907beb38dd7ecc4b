/// Indented XML text, built element by element.
struct XMLText {
    private(set) var text = ""
    private var depth = 0

    mutating func raw(_ line: String) {
        text += line + "\n"
    }

    mutating func open(_ name: String, attributes: String = "") {
        text += indent + "<\(name)\(attributes)>\n"
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        text += indent + "</\(name)>\n"
    }

    mutating func leaf(_ name: String, _ value: String, attributes: String = "") {
        text += indent + "<\(name)\(attributes)>\(Self.escape(value))</\(name)>\n"
    }

    private var indent: String { String(repeating: "  ", count: depth) }

    /// Escapes markup and carriage returns (a literal CR would be read back as a line feed);
    /// characters XML 1.0 forbids become U+FFFD.
    static func escape(_ value: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(value.unicodeScalars.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#13;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            default:
                let allowed = scalar.value >= 0x20 && scalar.value != 0xFFFE && scalar.value != 0xFFFF
                out.unicodeScalars.append(allowed ? scalar : "\u{FFFD}")
            }
        }
        return out
    }
}
