import ArgumentParser
import Foundation
import SalurCore
import SalurStore

struct AgreementsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agreements",
        abstract: "BPJS Ketenagakerjaan agreements (PKS) under which contract staff are insured.",
        discussion: "A payroll period belongs to the agreement in force on the period's first day: Kota Kupang's PKS of "
            + "2021-04-10 to 2024-04-09 covers the periods 2021-05 to 2024-04.",
        subcommands: [Add.self, List.self, Show.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record an agreement (never edited afterwards; the same terms again change nothing).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The agreement's code, e.g. KUPANG-PKS-2021.") var id: String
        @Option(help: "The employer, e.g. \"Pemerintah Kota Kupang\".") var employer: String
        @Option(help: "Programmes: JKK,JKM and optionally JHT and JP.") var programs: String
        @Option(help: "JKK risk class 1..5 (a payroll row's risk_class overrides it).") var riskClass: Int
        @Option(help: "First day of validity, YYYY-MM-DD.") var from: String
        @Option(help: "Last day of validity, YYYY-MM-DD.") var to: String
        @Option(help: "BPJS Ketenagakerjaan's account the premiums are remitted to.") var bpjsAccount: String
        @Option(help: "That account's bank code (SNAP beneficiaryBankCode), e.g. 009.") var bpjsBankCode: String
        @Option(help: "Work units covered, comma-separated (default: all).") var workUnits: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let agreement = try PremiumCLI.terms { () throws(TermsError) -> Agreement in
                let programmes = try Agreement.programmes(parsing: programs).get()
                guard let riskClass = RiskClass(rawValue: riskClass) else { throw .invalid(field: "risk-class", reason: "must be 1 to 5") }
                guard let start = CalendarDate(from) else { throw .invalid(field: "from", reason: "must be YYYY-MM-DD, found \(from)") }
                guard let end = CalendarDate(to) else { throw .invalid(field: "to", reason: "must be YYYY-MM-DD, found \(to)") }
                let units = workUnits.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) } }
                return try Agreement(id: id, employer: employer, programmes: programmes, riskClass: riskClass, validFrom: start,
                                     validTo: end, bpjsAccount: bpjsAccount, bpjsBankCode: bpjsBankCode, workUnits: units)
            }
            let added = try await global.store(.create).addAgreement(agreement, actor: OperatorIdentity.current())
            if json { return try Output.json(AgreementJSON(agreement, createdBy: nil, createdAt: nil, today: nil, added: added)) }
            if !added { return print("agreement \(agreement.id) is already recorded with the same terms; nothing changed.") }
            print("recorded agreement \(agreement.id): \(agreement.employer), \(PremiumCLI.programmes(agreement)), risk class "
                  + "\(agreement.riskClass.rawValue), valid \(agreement.validFrom) to \(agreement.validTo) "
                  + "(payroll periods \(PremiumCLI.periods(agreement))), BPJS account \(Validate.maskedAccount(agreement.bpjsAccount)) "
                  + "at bank \(agreement.bpjsBankCode), \(agreement.workUnits.map { "work units \($0.joined(separator: ", "))" } ?? "all work units").")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List agreements; warns about any that ends within 60 days, and when the BPJS rate table does.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Measure from this day, YYYY-MM-DD (default: today's local date).") var today: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let day = try PremiumCLI.today(today)
            let configuration = try global.load()
            if let warning = PremiumCLI.rateTableWarning(configuration, today: day) { PremiumCLI.warn(warning) }
            let agreements = try await configuration.openStore(access: .readOnly).store.agreements()
            let entries = agreements.map { AgreementJSON($0.agreement, createdBy: $0.createdBy, createdAt: $0.createdAt, today: day, added: nil) }
            for entry in entries { if let warning = entry.warning { PremiumCLI.warn(warning) } }
            if json { return try Output.json(entries) }
            print(Output.table(["AGREEMENT", "EMPLOYER", "PROGRAMS", "CLASS", "VALID FROM", "VALID TO", "PERIODS", "WORK UNITS", "STATUS"],
                               zip(agreements, entries).map { stored, entry in
                let a = stored.agreement
                return [a.id, a.employer, PremiumCLI.programmes(a), String(a.riskClass.rawValue), a.validFrom.description,
                        a.validTo.description, PremiumCLI.periods(a), a.workUnits?.joined(separator: ", ") ?? "(all)", entry.status ?? ""]
            }, right: [3]))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One agreement with its payroll runs and their remittances.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The agreement's code.") var id: String
        @Option(help: "Measure from this day, YYYY-MM-DD (default: today's local date).") var today: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let day = try PremiumCLI.today(today)
            let ledger = try await global.store(.readOnly)
            let stored = try await ledger.agreement(id: id)
            let runs = try await ledger.premiumRuns(kind: .payroll, owner: id)
            let entry = AgreementJSON(stored.agreement, createdBy: stored.createdBy, createdAt: stored.createdAt, today: day, added: nil,
                                      runs: runs.map(RunJSON.init))
            if let warning = entry.warning { PremiumCLI.warn(warning) }
            if json { return try Output.json(entry) }
            let a = stored.agreement
            print("agreement \(a.id): \(a.employer) — \(entry.status ?? "")")
            print("  programmes \(PremiumCLI.programmes(a)), risk class \(a.riskClass.rawValue)")
            print("  valid \(a.validFrom) to \(a.validTo): payroll periods \(PremiumCLI.periods(a))")
            print("  BPJS account \(Validate.maskedAccount(a.bpjsAccount)) at bank \(a.bpjsBankCode)")
            print("  work units: \(a.workUnits?.joined(separator: ", ") ?? "all")")
            print("  recorded by \(stored.createdBy) at \(stored.createdAt)")
            print(PremiumCLI.runsTable(runs))
        }
    }
}

/// An agreement in `--json` output.
struct AgreementJSON: Encodable {
    let id, employer, valid_from, valid_to, bpjs_account, bpjs_bank_code: String
    let programs: [String]
    let risk_class: Int
    let work_units: [String]?
    let first_period, last_period: String?
    let created_by, created_at: String?
    let added: Bool?
    let ends_in_days: Int?
    let status: String?
    let warning: String?
    let runs: [RunJSON]?

    init(_ a: Agreement, createdBy: String?, createdAt: String?, today: CalendarDate?, added: Bool?, runs: [RunJSON]? = nil) {
        id = a.id; employer = a.employer; valid_from = a.validFrom.description; valid_to = a.validTo.description
        bpjs_account = a.bpjsAccount; bpjs_bank_code = a.bpjsBankCode; programs = a.orderedProgrammes.map(\.rawValue)
        risk_class = a.riskClass.rawValue; work_units = a.workUnits
        first_period = a.firstPeriod?.description; last_period = a.lastPeriod?.description
        created_by = createdBy; created_at = createdAt; self.added = added; self.runs = runs
        guard let today else { ends_in_days = nil; status = nil; warning = nil; return }
        let days = today.days(to: a.validTo)
        ends_in_days = days
        if today < a.validFrom {
            status = "starts \(a.validFrom)"; warning = nil
        } else if days < 0 {
            status = "ended"; warning = nil
        } else if days <= PremiumCLI.renewalNoticeDays {
            status = "ends in \(days) day\(days == 1 ? "" : "s")"
            warning = "agreement \(a.id) (\(a.employer)) ends on \(a.validTo), in \(days) day\(days == 1 ? "" : "s"): renew the PKS "
                + "with BPJS Ketenagakerjaan and record the renewal (salurctl agreements add), or payrolls after \(a.lastPeriod?.description ?? a.validTo.period.description) will be refused"
        } else {
            status = "in force"; warning = nil
        }
    }
}
