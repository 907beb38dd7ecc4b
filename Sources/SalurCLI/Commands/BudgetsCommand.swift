import ArgumentParser
import Foundation
import SalurCore
import SalurStore

struct BudgetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budgets",
        abstract: "Budget envelopes that pay non-wage workers' (BPU) premiums.",
        discussion: "Spent: BPU runs whose remittance to BPJS settled. Committed: every other imported BPU run. "
            + "Remaining: amount - spent - committed. Months of cover: remaining / the latest period's run total, rounded down.",
        subcommands: [Add.self, List.self, Show.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a budget envelope (never edited afterwards; the same terms again change nothing).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The budget's code, e.g. KUKAR-2021-DISTRANSNAKER.") var id: String
        @Option(help: "The envelope in whole rupiah, e.g. 1700000000.") var amount: String
        @Option(help: "The agency (OPD), e.g. Distransnaker.") var agency: String
        @Option(help: "The fiscal year; the envelope pays that year's periods only.") var year: Int
        @Option(help: "BPJS Ketenagakerjaan's account for `bpu remit` (or give it to `bpu remit`).") var bpjsAccount: String?
        @Option(help: "That account's bank code.") var bpjsBankCode: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let budget = try PremiumCLI.terms { () throws(TermsError) -> BudgetEnvelope in
                let value: Rupiah
                switch Rupiah.operatorAmount(amount) {
                case .success(let parsed): value = parsed
                case .failure(let refusal): throw .invalid(field: "amount", reason: refusal.description)
                }
                return try BudgetEnvelope(id: id, agency: agency, year: year, amount: value, bpjsAccount: bpjsAccount,
                                          bpjsBankCode: bpjsBankCode)
            }
            let ledger = try await global.store(.create)
            let added = try await ledger.addBudget(budget, actor: OperatorIdentity.current())
            let stored = try await ledger.budget(id: budget.id)
            if json { return try Output.json(BudgetJSON(stored, added: added)) }
            if !added { return print("budget \(budget.id) is already recorded with the same terms; nothing changed.") }
            print("recorded budget \(budget.id): \(budget.amount) for \(budget.agency), fiscal year \(budget.year)"
                  + (budget.bpjsAccount.map { ", remitted to BPJS account \(Validate.maskedAccount($0)) at bank \(budget.bpjsBankCode ?? "")" } ?? "")
                  + ".")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Budget envelopes with spent, committed, remaining and months of cover.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let budgets = try await global.store(.readOnly).budgets()
            if json { return try Output.json(budgets.map { BudgetJSON($0, added: nil) }) }
            print(Output.table(["BUDGET", "AGENCY", "YEAR", "AMOUNT", "SPENT", "COMMITTED", "REMAINING", "MONTHS OF COVER"], budgets.map { b in
                [b.budget.id, b.budget.agency, String(b.budget.year), b.budget.amount.grouped, b.use.spent.grouped,
                 b.use.committed.grouped, b.use.remaining.grouped, b.use.monthsOfCover.map(String.init) ?? "-"]
            }, right: [3, 4, 5, 6, 7]))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One envelope: spent, committed, remaining, months of cover, and its BPU runs.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The budget's code.") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let ledger = try await global.store(.readOnly)
            let stored = try await ledger.budget(id: id)
            let runs = try await ledger.premiumRuns(kind: .bpu, owner: id)
            if json { return try Output.json(BudgetJSON(stored, added: nil, runs: runs.map(RunJSON.init))) }
            let b = stored.budget, use = stored.use
            print("budget \(b.id): \(b.agency), fiscal year \(b.year), \(b.amount)")
            print("  spent      \(use.spent) (remittances settled)")
            print("  committed  \(use.committed) (imported, not yet settled)")
            print("  remaining  \(use.remaining)")
            let used = (try? use.spent.adding(use.committed)) ?? use.amount
            print("  used       " + Output.progress(Int(used.value), of: Int(use.amount.value)))
            if let rate = use.lastMonthRunRate, let months = use.monthsOfCover {
                print("  cover      \(months) more month\(months == 1 ? "" : "s") at the last month's run rate (\(rate))")
            } else {
                print("  cover      no run yet to measure by")
            }
            if let account = b.bpjsAccount { print("  BPJS account \(Validate.maskedAccount(account)) at bank \(b.bpjsBankCode ?? "")") }
            print("  recorded by \(stored.createdBy) at \(stored.createdAt)")
            print(PremiumCLI.runsTable(runs))
        }
    }
}

/// A budget in `--json` output.
struct BudgetJSON: Encodable {
    let id, agency: String
    let year: Int
    let amount, spent, committed, remaining: Int64
    let last_month_run_rate: Int64?
    let months_of_cover: Int?
    let bpjs_account, bpjs_bank_code: String?
    let added: Bool?
    let runs: [RunJSON]?

    init(_ stored: StoredBudget, added: Bool?, runs: [RunJSON]? = nil) {
        let b = stored.budget, use = stored.use
        id = b.id; agency = b.agency; year = b.year; amount = b.amount.value
        spent = use.spent.value; committed = use.committed.value; remaining = use.remaining.value
        last_month_run_rate = use.lastMonthRunRate?.value; months_of_cover = use.monthsOfCover
        bpjs_account = b.bpjsAccount; bpjs_bank_code = b.bpjsBankCode; self.added = added; self.runs = runs
    }
}
