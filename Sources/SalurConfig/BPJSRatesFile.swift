import Foundation
public import SalurCore
import TOMLKit

/// Reads `bpjs-rates.toml` into a validated `PremiumRates`, strictly: an unknown key, a wrong type
/// or an unreadable value is an error with its line; then the table as a whole is checked
/// (`PremiumRates.Source.validate`), each problem naming its row by `origin` (`file:line`). A file
/// with any problem gives no rates at all.
public enum BPJSRatesFile {
    /// The arrays a rates file may hold.
    static let kinds = ["wage_rate", "jp_ceiling", "bpu_rate", "bpu_income"]

    /// The text of the built-in table: `config/bpjs-rates.toml` as it was built.
    public static var builtInText: String { BuiltInBPJSRates.text }

    /// The name built-in rows carry in messages and in `premiums rates`.
    public static let builtInName = "built-in bpjs-rates.toml"

    /// The table Salur ships (`config/bpjs-rates.toml`, compiled in), validated like any file.
    public static func builtIn() throws(ConfigErrors) -> PremiumRates {
        try parse(text: BuiltInBPJSRates.text, file: builtInName)
    }

    /// The rates an installation uses: the file `[premiums] rates_file` names, which replaces the
    /// built-in table whole, or the built-in table when none is named.
    public static func load(configured path: String?) throws(ConfigErrors) -> PremiumRates {
        guard let path else { return try builtIn() }
        return try load(path: path)
    }

    /// Reads and validates the file at `path`.
    public static func load(path: String) throws(ConfigErrors) -> PremiumRates {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigErrors([ConfigError(file: path, line: 0, key: "file",
                                            reason: "cannot read the BPJS rates file named by [premiums] rates_file (leave the key out to use the built-in table)")])
        }
        guard let text = String(validating: Array(data), as: UTF8.self) else {
            throw ConfigErrors([ConfigError(file: path, line: 0, key: "file", reason: "not valid UTF-8")])
        }
        return try parse(text: text, file: path)
    }

    /// Parses rates-file text; `file` names it in errors and origins.
    public static func parse(text: String, file: String) throws(ConfigErrors) -> PremiumRates {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigErrors([ConfigError(file: file, line: error.source.begin.line, key: "syntax", reason: error.description)])
        } catch {
            throw ConfigErrors([ConfigError(file: file, line: 0, key: "syntax", reason: "\(error)")])
        }
        let lines = BPJSRatesLines(text: text)
        var errors: [ConfigError] = []
        var source = PremiumRates.Source()

        for key in root.keys.sorted() where !kinds.contains(key) {
            errors.append(ConfigError(file: file, line: lines.others[key] ?? 0, key: key,
                                      reason: "unknown key; a rates file holds only [[wage_rate]], [[jp_ceiling]], [[bpu_rate]] and [[bpu_income]] rows"))
        }
        for kind in kinds {
            guard let value = root[kind] else { continue }
            guard let array = value.array else {
                errors.append(ConfigError(file: file, line: lines.others[kind] ?? 0, key: kind,
                                          reason: "must be an array of tables, written [[\(kind)]], found \(value.type)"))
                continue
            }
            for (index, element) in array.enumerated() {
                guard let table = element.table else {
                    errors.append(ConfigError(file: file, line: lines.others[kind] ?? 0, key: kind,
                                              reason: "row \(index + 1) must be a table, found \(element.type)"))
                    continue
                }
                let row = BPJSRatesRowReader(file: file, kind: kind, table: table, lines: lines.element(kind, index))
                switch kind {
                case "wage_rate": if let rate = wageRate(row) { source.wageRates.append(rate) }
                case "jp_ceiling": if let ceiling = jpCeiling(row) { source.jpCeilings.append(ceiling) }
                case "bpu_rate": if let rate = bpuRate(row) { source.bpuRates.append(rate) }
                default: if let range = bpuIncome(row) { source.bpuIncomes.append(range) }
                }
                errors += row.finish()
            }
        }
        if errors.isEmpty, source == PremiumRates.Source() {
            errors.append(ConfigError(file: file, line: 0, key: "file", reason: "holds no rows: add the [[wage_rate]], [[jp_ceiling]], "
                                      + "[[bpu_rate]] and [[bpu_income]] rows in force (see the schema in config/bpjs-rates.toml)"))
        }
        if !errors.isEmpty { throw ConfigErrors(errors.sorted { ($0.line, $0.key) < ($1.line, $1.key) }) }

        do {
            return try PremiumRates(source)
        } catch {
            // Each problem names its row with its origin (file:line), so no single line is given here.
            throw ConfigErrors(error.problems.map { ConfigError(file: file, line: 0, key: "rates", reason: $0.description) })
        }
    }

    private static func wageRate(_ row: BPJSRatesRowReader) -> PremiumRates.Source.WageRate? {
        let programme = row.programme("programme", allowed: Programme.allCases)
        let share = row.share("share")
        let riskClass = row.riskClass("risk_class")
        let rate = row.percent("percent", required: true)
        let from = row.period("from", required: true)
        let to = row.period("to", required: false)
        let regulation = row.string("regulation", required: true)
        guard let programme, let share, let rate, let from, let regulation else { return nil }
        return .init(programme: programme, share: share, riskClass: riskClass, rate: rate, from: from, to: to,
                     regulation: regulation, origin: row.origin)
    }

    private static func jpCeiling(_ row: BPJSRatesRowReader) -> PremiumRates.Source.JPCeiling? {
        let amount = row.int64("amount", required: true)
        let from = row.period("from", required: true)
        let to = row.period("to", required: false)
        let regulation = row.string("regulation", required: true)
        let source = row.string("source", required: false)
        guard let amount, let from, let regulation else { return nil }
        return .init(amount: Rupiah(amount), from: from, to: to, regulation: regulation, source: source, origin: row.origin)
    }

    private static func bpuRate(_ row: BPJSRatesRowReader) -> PremiumRates.Source.BPURate? {
        let programme = row.programme("programme", allowed: [.jkk, .jkm, .jht])
        var contribution: PremiumRates.Source.BPUContribution?
        switch (row.has("percent"), row.has("amount")) {
        case (true, false): contribution = row.percent("percent", required: true).map { .percentOfIncome($0) }
        case (false, true): contribution = row.int64("amount", required: true).map { .flat(Rupiah($0)) }
        case (true, true):
            _ = row.percent("percent", required: true)
            _ = row.int64("amount", required: true)
            row.fail("amount", "give either `percent` (a share of declared income) or `amount` (a flat premium), not both")
        case (false, false):
            row.fail("percent", "required: give `percent` (a share of declared income) or `amount` (a flat premium)")
        }
        let from = row.period("from", required: true)
        let to = row.period("to", required: false)
        let regulation = row.string("regulation", required: true)
        guard let programme, let contribution, let from, let regulation else { return nil }
        return .init(programme: programme, contribution: contribution, from: from, to: to, regulation: regulation, origin: row.origin)
    }

    private static func bpuIncome(_ row: BPJSRatesRowReader) -> PremiumRates.Source.BPUIncomeRange? {
        let minimum = row.int64("minimum", required: true)
        let maximum = row.int64("maximum", required: true)
        let from = row.period("from", required: true)
        let to = row.period("to", required: false)
        let regulation = row.string("regulation", required: true)
        guard let minimum, let maximum, let from, let regulation else { return nil }
        return .init(minimum: Rupiah(minimum), maximum: Rupiah(maximum), from: from, to: to, regulation: regulation, origin: row.origin)
    }
}
