/// Where each row of `bpjs-rates.toml` and each of its keys stands, since the TOML parser does not
/// say. A rates file is arrays of tables (`[[wage_rate]]` …), and an operator needs the line of
/// the fifth `[[wage_rate]]`, not of the first, so this index keeps every occurrence in order.
struct BPJSRatesLines {
    /// One `[[name]]` table: its header line and the line of each key in it.
    struct Element {
        let header: Int
        var keys: [String: Int] = [:]
    }

    /// Array name → its tables in file order.
    private(set) var arrays: [String: [Element]] = [:]
    /// Keys outside any table, and `[table]` headers, by name.
    private(set) var others: [String: Int] = [:]

    init(text: String) {
        var current: (name: String, index: Int)?
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
            if line.hasPrefix("[[") {
                let name = TOMLLineIndex.normalise(String(line.dropFirst(2).prefix { $0 != "]" }))
                arrays[name, default: []].append(Element(header: number))
                current = (name, arrays[name, default: []].count - 1)
                continue
            }
            if line.hasPrefix("[") {
                let name = TOMLLineIndex.normalise(String(line.dropFirst().prefix { $0 != "]" }))
                if others[name] == nil { others[name] = number }
                current = nil
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = TOMLLineIndex.normalise(String(line[..<equals]))
            if let current {
                if arrays[current.name]?[current.index].keys[key] == nil { arrays[current.name]?[current.index].keys[key] = number }
            } else if others[key] == nil {
                others[key] = number
            }
            if quotes % 2 == 1 { inMultiline = true }
        }
    }

    /// The `index`th (0-based) `[[name]]` table, if the file wrote it with a header.
    func element(_ name: String, _ index: Int) -> Element? {
        guard let list = arrays[name], index < list.count else { return nil }
        return list[index]
    }
}
