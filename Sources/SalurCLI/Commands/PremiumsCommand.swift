import ArgumentParser
import Foundation
import SalurConfig
import SalurCore

/// `salurctl premiums`: the BPJS Ketenagakerjaan rate table itself.
struct PremiumsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "premiums",
        abstract: "The BPJS Ketenagakerjaan rate table premiums are computed with.",
        subcommands: [Rates.self])

    struct Rates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The rates and the JP wage ceiling in force for a period, each with its regulation, source and row.",
            discussion: "The table is the one built into Salur (config/bpjs-rates.toml of its source), or the file [premiums] "
                + "rates_file names, which replaces it whole. Exit 1 when some row is missing for the period: payrolls of "
                + "that period would be refused.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The payroll period, YYYY-MM (default: this month).") var period: String?
        @Option(help: "Measure the table's end from this day, YYYY-MM-DD (default: today's local date).") var today: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let day = try PremiumCLI.today(today)
            let period = try period.map(PremiumCLI.period) ?? day.period
            let configuration = try global.load()
            let rates = try BPJSRatesFile.load(configured: configuration.premiums.ratesFile)
            let table = configuration.premiums.ratesFile ?? BPJSRatesFile.builtInName
            let inForce = rates.inForce(period)
            if let warning = PremiumCLI.rateTableWarning(rates, table: table, today: day) { PremiumCLI.warn(warning) }
            if json {
                try Output.json(RatesJSON(inForce, rates: rates, table: table, today: day))
            } else {
                print(Self.text(inForce, rates: rates, table: table))
            }
            if !inForce.missing.isEmpty {
                throw CLIError("the rate table does not cover \(period) in full; premiums of \(period) would be refused:\n"
                               + inForce.missing.map { "  \($0)" }.joined(separator: "\n"))
            }
        }

        static func text(_ f: PremiumRates.InForce, rates: PremiumRates, table: String) -> String {
            var lines: [String] = []
            let covered = [rates.coveredFrom?.description, rates.end?.period.description].map { $0 ?? "(open)" }
            lines.append("BPJS Ketenagakerjaan rates for \(f.period), from \(table) (covers \(covered[0]) to \(covered[1]))")
            lines.append("")
            lines.append(Output.table(["PROGRAMME", "SHARE", "RISK CLASS", "RATE", "FROM", "TO", "REGULATION", "ROW"], f.wageRates.map { r in
                [r.programme.rawValue, r.share.rawValue, r.riskClass.map { String($0.rawValue) } ?? "", r.rate.description,
                 r.from.description, r.to?.description ?? "", r.regulation, r.origin ?? ""]
            }, right: [2, 3]))
            lines.append("")
            if let c = f.jpCeiling {
                lines.append("JP wage ceiling: \(c.amount) (\(c.from) to \(c.to?.description ?? "(open)")), \(c.regulation) [\(c.origin ?? "")]")
                if let source = c.source { lines.append("  source: \(source)") }
            } else {
                lines.append("JP wage ceiling: none in force")
            }
            lines.append("")
            for r in f.bpuRates {
                let what = switch r.contribution {
                case .percentOfIncome(let rate): "\(rate) of declared income"
                case .flat(let amount): "\(amount) a month"
                }
                lines.append("BPU \(r.programme.rawValue): \(what), \(r.regulation) [\(r.origin ?? "")]")
            }
            if let i = f.bpuIncome {
                lines.append("BPU declared income: \(i.minimum) to \(i.maximum), \(i.regulation) [\(i.origin ?? "")]")
            }
            return lines.joined(separator: "\n")
        }
    }
}

extension PremiumCLI {
    /// Days before the rate table's end from which `agreements list`, `daemon status` and
    /// `premiums rates` warn.
    static let rateTableNoticeDays = 60

    /// The warning when the table ends within `rateTableNoticeDays` of `today` (or has ended).
    static func rateTableWarning(_ rates: PremiumRates, table: String, today: CalendarDate) -> String? {
        guard let end = rates.end, let days = rates.daysLeft(from: today), days <= rateTableNoticeDays else { return nil }
        let when = days < 0 ? "ended \(-days) day\(days == -1 ? "" : "s") ago" : "ends in \(days) day\(days == 1 ? "" : "s")"
        return "the BPJS rate table (\(table)) covers payroll periods up to \(end.period) and \(when), with \(end.row): "
            + "add the row for \(end.period.next) (for the JP ceiling, BPJS Ketenagakerjaan's announcement of each March; "
            + "see config/bpjs-rates.toml), or premiums from \(end.period.next) will be refused"
    }

    /// The table warning for commands that do not compute premiums: a table that cannot be read
    /// is itself worth a warning there, since every payroll import would fail.
    static func rateTableWarning(_ configuration: SalurConfiguration, today: CalendarDate) -> String? {
        do {
            let rates = try BPJSRatesFile.load(configured: configuration.premiums.ratesFile)
            return rateTableWarning(rates, table: configuration.premiums.ratesFile ?? BPJSRatesFile.builtInName, today: today)
        } catch {
            return "the BPJS rate table is refused, so every premium would be: \(error)"
        }
    }
}

/// `premiums rates --json`.
struct RatesJSON: Encodable {
    struct Wage: Encodable {
        let programme, share, percent, from, regulation: String
        let risk_class: Int?
        let to, origin: String?
    }
    struct Ceiling: Encodable {
        let amount: Int64
        let from, regulation: String
        let to, source, origin: String?
    }
    struct BPU: Encodable {
        let programme, from, regulation: String
        let percent: String?
        let amount: Int64?
        let to, origin: String?
    }
    struct Income: Encodable {
        let minimum, maximum: Int64
        let from, regulation: String
        let to, origin: String?
    }
    let period, table: String
    let covered_from, covered_through: String?
    let ends_in_days: Int?
    let wage_rates: [Wage]
    let jp_ceiling: Ceiling?
    let bpu_rates: [BPU]
    let bpu_income: Income?
    let missing: [String]

    init(_ f: PremiumRates.InForce, rates: PremiumRates, table: String, today: CalendarDate) {
        period = f.period.description
        self.table = table
        covered_from = rates.coveredFrom?.description
        covered_through = rates.end?.period.description
        ends_in_days = rates.daysLeft(from: today)
        wage_rates = f.wageRates.map {
            Wage(programme: $0.programme.rawValue, share: $0.share.rawValue, percent: $0.rate.percentText, from: $0.from.description,
                 regulation: $0.regulation, risk_class: $0.riskClass?.rawValue, to: $0.to?.description, origin: $0.origin)
        }
        jp_ceiling = f.jpCeiling.map {
            Ceiling(amount: $0.amount.value, from: $0.from.description, regulation: $0.regulation, to: $0.to?.description,
                    source: $0.source, origin: $0.origin)
        }
        bpu_rates = f.bpuRates.map { r in
            var percent: String?, amount: Int64?
            switch r.contribution {
            case .percentOfIncome(let rate): percent = rate.percentText
            case .flat(let flat): amount = flat.value
            }
            return BPU(programme: r.programme.rawValue, from: r.from.description, regulation: r.regulation, percent: percent,
                       amount: amount, to: r.to?.description, origin: r.origin)
        }
        bpu_income = f.bpuIncome.map {
            Income(minimum: $0.minimum.value, maximum: $0.maximum.value, from: $0.from.description, regulation: $0.regulation,
                   to: $0.to?.description, origin: $0.origin)
        }
        missing = f.missing.map(\.description)
    }
}
