import SalurCore
import TOMLKit

/// Reads one row (one `[[…]]` table) of `bpjs-rates.toml` strictly, like `ConfigReader`: each known
/// key once, with its type checked; `finish()` reports every key nobody read. Problems accumulate.
final class BPJSRatesRowReader {
    private let file: String
    private let kind: String
    private let table: TOMLTable
    private let lines: BPJSRatesLines.Element?
    private var read: Set<String> = []
    private(set) var errors: [ConfigError] = []

    init(file: String, kind: String, table: TOMLTable, lines: BPJSRatesLines.Element?) {
        self.file = file
        self.kind = kind
        self.table = table
        self.lines = lines
    }

    /// The row's header line, 0 when unknown.
    var headerLine: Int { lines?.header ?? 0 }

    /// `config/bpjs-rates.toml:41`, the row's `origin` in rate-table messages.
    var origin: String { "\(file):\(headerLine)" }

    private func line(of key: String) -> Int { lines?.keys[key] ?? headerLine }

    func fail(_ key: String, _ reason: String) {
        errors.append(ConfigError(file: file, line: line(of: key), key: "\(kind).\(key)", reason: reason))
    }

    private func value(_ key: String, required: Bool) -> (any TOMLValueConvertible)? {
        read.insert(key)
        guard let value = table[key] else {
            if required { errors.append(ConfigError(file: file, line: headerLine, key: "\(kind).\(key)", reason: "required key is missing")) }
            return nil
        }
        return value
    }

    /// Whether the row has `key` (without reading it).
    func has(_ key: String) -> Bool { table[key] != nil }

    func string(_ key: String, required: Bool) -> String? {
        guard let value = value(key, required: required) else { return nil }
        guard let text = value.string else { fail(key, "must be a string, found \(value.type)"); return nil }
        return text
    }

    func int64(_ key: String, required: Bool) -> Int64? {
        guard let value = value(key, required: required) else { return nil }
        guard let number = value.int else { fail(key, "must be an integer of whole rupiah, found \(value.type)"); return nil }
        return Int64(number)
    }

    func period(_ key: String, required: Bool) -> Period? {
        guard let text = string(key, required: required) else { return nil }
        guard let period = Period(text) else { fail(key, "\"\(text)\" is not a period: write YYYY-MM, e.g. \"2024-03\""); return nil }
        return period
    }

    func percent(_ key: String, required: Bool) -> BasisPoints? {
        guard let value = value(key, required: required) else { return nil }
        guard let text = value.string else {
            fail(key, "must be a quoted string with at most two decimals, e.g. \"0.24\" (a TOML number could lose digits), found \(value.type)")
            return nil
        }
        guard let rate = BasisPoints(percent: text) else {
            fail(key, "\"\(text)\" is not a percentage with at most two decimals, e.g. \"0.24\" or \"3.7\"")
            return nil
        }
        return rate
    }

    func programme(_ key: String, allowed: [Programme]) -> Programme? {
        guard let text = string(key, required: true) else { return nil }
        guard let programme = Programme(rawValue: text), allowed.contains(programme) else {
            fail(key, "\"\(text)\" is not allowed here; use one of \(allowed.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
            return nil
        }
        return programme
    }

    func share(_ key: String) -> PremiumShare? {
        guard let text = string(key, required: true) else { return nil }
        guard let share = PremiumShare(rawValue: text) else { fail(key, "\"\(text)\" is not allowed; use \"employer\" or \"employee\""); return nil }
        return share
    }

    func riskClass(_ key: String) -> RiskClass? {
        guard let value = value(key, required: false) else { return nil }
        guard let number = value.int, let riskClass = RiskClass(rawValue: number) else {
            fail(key, "must be an integer 1 to 5, found \(value.int.map(String.init) ?? "a \(value.type)")")
            return nil
        }
        return riskClass
    }

    /// Every error, with the keys nobody read reported as unknown.
    func finish() -> [ConfigError] {
        var all = errors
        for key in table.keys.sorted() where !read.contains(key) {
            all.append(ConfigError(file: file, line: line(of: key), key: "\(kind).\(key)",
                                   reason: "unknown key (known here: \(read.sorted().joined(separator: ", ")))"))
        }
        return all
    }
}
