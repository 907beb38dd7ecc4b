import ArgumentParser
import Foundation
import SalurConfig
import SalurCore
import SalurStore

struct BPUCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bpu",
        abstract: "Non-wage workers' (BPU: farmers, fishermen, ojek drivers) premiums paid from a budget envelope.",
        subcommands: [Import.self, Remit.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a period's BPU workers (nik,name,occupation,declared_income), paid in full from the budget; all or nothing.",
            discussion: "A run that would overdraw the envelope is refused, saying by how much (exit 65).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The CSV file.") var file: String
        @Option(help: "The period, YYYY-MM, within the budget's fiscal year.") var period: String
        @Option(help: "The budget envelope that pays.") var budget: String
        @Flag(help: "Replace the period's run imported from another file (only until its remittance is posted).") var replace = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let period = try PremiumCLI.period(period)
            let configuration = try global.load()
            let ledger = try await PremiumCLI.ledger(configuration)
            let envelope = try await ledger.budget(id: budget).budget
            let result = try await PremiumCLI.refusals {
                guard envelope.covers(period) else {
                    throw PremiumRunRefusal.periodOutsideBudgetYear(budget: envelope.id, year: envelope.year, period: period)
                }
                let rates = try BPJSRatesFile.load(configured: configuration.premiums.ratesFile)
                // A file on disk is read, checked, computed and stored a window at a time, in one
                // transaction; a bad line anywhere still imports nothing.
                let input = try WindowedInput(file)
                let reading = if let bytes = input.bytes {
                    try BPUFile.Reading(bytes: bytes, file: file, period: period, rates: rates,
                        expectedRows: input.rows)
                } else {
                    try BPUFile.Reading(path: file, file: file, period: period, rates: rates,
                        expectedRows: input.rows)
                }
                let bar = ProgressBar.onStandardError("importing \(TerminalText.escaped(file))", total: input.rows, quiet: json)
                reading.onRowsTaken = { bar.update(done: $0) }
                return try await bar.around(total: input.rows) {
                    try await ledger.importBPU(budgetID: envelope.id, period: period, file: reading, source: input.source,
                                               replace: replace, actor: OperatorIdentity.current())
                }
            }
            PremiumCLI.printImport(result, json: json, what: "workers")
            if json { return try Output.json(ImportJSON(result)) }
            let use = try await ledger.budget(id: envelope.id).use
            print("budget \(envelope.id): \(use.amount), spent \(use.spent), committed \(use.committed), remaining \(use.remaining)"
                  + (use.monthsOfCover.map { ", \($0) more month\($0 == 1 ? "" : "s") at this run's rate" } ?? "") + ".")
        }
    }

    struct Remit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue a BPU run's total to BPJS Ketenagakerjaan: one interbank transfer, in a batch a checker approves.",
            discussion: "The envelope counts the run as spent once this transfer settles. A second remit for the same period queues nothing.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The period, YYYY-MM.") var period: String
        @Option(help: "The budget envelope.") var budget: String
        @Option(help: "BPJS's account, if the budget was recorded without one (or to use another).") var bpjsAccount: String?
        @Option(help: "That account's bank code.") var bpjsBankCode: String?
        @Option(help: "Measure lateness from this day, YYYY-MM-DD (default: today's local date).") var today: String?
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            if (bpjsAccount == nil) != (bpjsBankCode == nil) { throw ValidationError("give both --bpjs-account and --bpjs-bank-code, or neither") }
            if let bpjsAccount, let problem = Validate.accountNo(bpjsAccount) { throw ValidationError("--bpjs-account: \(problem)") }
        }

        func run() async throws {
            let period = try PremiumCLI.period(period)
            let day = try PremiumCLI.today(today)
            let configuration = try global.load()
            let ledger = try await PremiumCLI.ledger(configuration)
            let result = try await PremiumCLI.refusals {
                try await ledger.remitBPU(budgetID: budget, period: period, account: bpjsAccount, bankCode: bpjsBankCode,
                                    actor: OperatorIdentity.current(), rules: configuration.batchingRules)
            }
            try PremiumCLI.printRemit(result, today: day, json: json)
        }
    }
}
