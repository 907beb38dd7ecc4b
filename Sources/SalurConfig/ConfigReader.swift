import Foundation
import TOMLKit

/// Reads one TOML table strictly: each key the program knows is read once with its type and range
/// checked; `finish()` reports every key nobody read as unknown. Problems accumulate, so an
/// operator sees all of them at once.
final class ConfigReader {
    let file: String
    let prefix: String
    private let table: TOMLTable?
    private let index: TOMLLineIndex
    private var read: Set<String> = []
    private(set) var errors: [ConfigError]
    private var children: [ConfigReader] = []

    init(file: String, table: TOMLTable?, prefix: String, index: TOMLLineIndex) {
        self.file = file
        self.table = table
        self.prefix = prefix
        self.index = index
        errors = []
    }

    /// Whether the table exists in the file.
    var isPresent: Bool { table != nil }

    private func dotted(_ key: String) -> String { prefix.isEmpty ? key : prefix + "." + key }

    func fail(_ key: String, _ reason: String) {
        let full = dotted(key)
        errors.append(ConfigError(file: file, line: index.line(of: full), key: full, reason: reason))
    }

    private func value(_ key: String) -> (any TOMLValueConvertible)? {
        read.insert(key)
        return table?[key]
    }

    func string(_ key: String, default fallback: String? = nil, required: Bool = false) -> String? {
        guard let value = value(key) else {
            if required { fail(key, "required key is missing") }
            return fallback
        }
        guard let text = value.string else { fail(key, "must be a string, found \(value.type)"); return fallback }
        return text
    }

    func int(_ key: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
        guard let value = value(key) else { return fallback }
        guard let number = value.int else { fail(key, "must be an integer, found \(value.type)"); return fallback }
        guard range.contains(number) else {
            fail(key, "\(number) is out of range; allowed \(range.lowerBound)…\(range.upperBound)")
            return fallback
        }
        return number
    }

    func int64(_ key: String, default fallback: Int64, range: ClosedRange<Int64>) -> Int64 {
        guard let value = value(key) else { return fallback }
        guard let number = value.int.map(Int64.init) else { fail(key, "must be an integer, found \(value.type)"); return fallback }
        guard range.contains(number) else {
            fail(key, "\(number) is out of range; allowed \(range.lowerBound)…\(range.upperBound)")
            return fallback
        }
        return number
    }

    func bool(_ key: String, default fallback: Bool) -> Bool {
        guard let value = value(key) else { return fallback }
        guard let flag = value.bool else { fail(key, "must be true or false, found \(value.type)"); return fallback }
        return flag
    }

    /// An array of strings (e.g. wordings); each entry must be a non-empty string.
    func strings(_ key: String, default fallback: [String] = []) -> [String] {
        guard let value = value(key) else { return fallback }
        guard let array = value.array else { fail(key, "must be an array of strings, found \(value.type)"); return fallback }
        var all: [String] = []
        for (n, element) in array.enumerated() {
            guard let text = element.string, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                fail(key, "entry \(n + 1) must be a non-empty string")
                continue
            }
            all.append(text)
        }
        return all
    }

    func oneOf(_ key: String, default fallback: String, allowed: [String]) -> String {
        guard let text = string(key) else { return fallback }
        guard allowed.contains(text) else {
            fail(key, "\"\(text)\" is not allowed; use one of \(allowed.joined(separator: ", "))")
            return fallback
        }
        return text
    }

    /// The table's keys in order, for a table whose keys are the operator's own words (rules).
    func keys() -> [String] {
        (table?.keys ?? []).sorted()
    }

    /// A sub-table; absent tables read as empty (every key takes its default).
    func table(_ key: String) -> ConfigReader {
        let found = value(key)
        if let found, found.table == nil { fail(key, "must be a table, found \(found.type)") }
        let child = ConfigReader(file: file, table: found?.table, prefix: dotted(key), index: index)
        children.append(child)
        return child
    }

    /// Reports unknown keys here and below; returns every error found.
    func finish() -> [ConfigError] {
        var all = errors
        if let table {
            for key in table.keys.sorted() where !read.contains(key) {
                let full = dotted(key)
                all.append(ConfigError(file: file, line: index.line(of: full), key: full,
                                       reason: "unknown key" + (read.isEmpty ? "" : " (known here: \(read.sorted().joined(separator: ", ")))")))
            }
        }
        for child in children { all += child.finish() }
        return all
    }

    /// Parses `text` and returns a reader over its root table.
    static func parse(text: String, file: String) throws(ConfigErrors) -> ConfigReader {
        let index = TOMLLineIndex(text: text)
        do {
            let table = try TOMLTable(string: text)
            return ConfigReader(file: file, table: table, prefix: "", index: index)
        } catch let error as TOMLParseError {
            throw ConfigErrors([ConfigError(file: file, line: error.source.begin.line, key: "syntax", reason: error.description)])
        } catch {
            throw ConfigErrors([ConfigError(file: file, line: 0, key: "syntax", reason: "\(error)")])
        }
    }
}
