/// Finds the line of each key in a TOML text, since the parser does not say where a value stood.
///
/// It follows `[table]` and `[[array]]` headers and `key = value` lines (dotted and quoted keys
/// included) — enough to point an operator at the line of an unknown or invalid key.
struct TOMLLineIndex {
    private var lines: [String: Int] = [:]

    init(text: String) {
        var table = ""
        var number = 0
        var inMultiline = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = raw.trimmingCharacters(in: " \t\r")
            let quotes = line.components(of: "\"\"\"") + line.components(of: "'''")
            if inMultiline {
                if quotes % 2 == 1 { inMultiline = false }
                continue
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                let name = line.drop { $0 == "[" }.prefix { $0 != "]" }
                table = TOMLLineIndex.normalise(String(name))
                if lines[table] == nil { lines[table] = number }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = TOMLLineIndex.normalise(String(line[..<equals]))
            let full = table.isEmpty ? key : table + "." + key
            if lines[full] == nil { lines[full] = number }
            if quotes % 2 == 1 { inMultiline = true }
        }
    }

    /// The line of `dotted` key, or of its table, or 0.
    func line(of dotted: String) -> Int {
        if let line = lines[dotted] { return line }
        var parts = dotted.split(separator: ".")
        while !parts.isEmpty {
            parts.removeLast()
            if let line = lines[parts.joined(separator: ".")] { return line }
        }
        return 0
    }

    static func normalise(_ key: String) -> String {
        key.split(separator: ".").map { $0.trimmingCharacters(in: " \t\"'") }.joined(separator: ".")
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let first = s.first, set.contains(first) { s = s.dropFirst() }
        while let last = s.last, set.contains(last) { s = s.dropLast() }
        return String(s)
    }

    func components(of needle: String) -> Int {
        var count = 0
        var rest = Substring(self)
        while let range = rest.range(of: needle) {
            count += 1
            rest = rest[range.upperBound...]
        }
        return count
    }
}

extension Substring {
    func range(of needle: String) -> Range<Index>? {
        guard !needle.isEmpty, count >= needle.count else { return nil }
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(needle) { return index..<(self.index(index, offsetBy: needle.count)) }
            index = self.index(after: index)
        }
        return nil
    }
}
