package import SalurCore

/// Why the store refused a premium-run operation, in words an operator can act on.
package enum PremiumRunError: Error, CustomStringConvertible {
    /// A BPU run larger than what is left of its envelope.
    case overdraw(budget: String, period: Period, total: Rupiah, workers: Int, use: EnvelopeUse, by: Rupiah)
    /// The period was imported before from another file, and `--replace` was not given.
    case alreadyImported(PremiumRunSummary, command: String)
    /// `--replace` after the remittance went to the bank.
    case remittancePosted(PremiumRunSummary, RemittanceStatus)
    /// No run for the period (of that agreement or budget, if named).
    case noRun(kind: PremiumRunKind, owner: String?, period: Period)
    /// Several agreements have a payroll for the period; the operator must name one.
    case ambiguous(period: Period, agreements: [String])
    /// A run whose grand total is Rp 0 has nothing to remit.
    case nothingToRemit(PremiumRunSummary)
    /// A BPU remittance for a budget recorded without a BPJS account.
    case budgetWithoutAccount(budget: String)
    /// The stored totals differ from the sums of the stored lines (the database was changed by hand).
    case inconsistent(PremiumRunSummary, reason: String)

    package var description: String {
        switch self {
        case .overdraw(let budget, let period, let total, let workers, let use, let by):
            "BPU run for \(period) (\(workers) workers, \(total)) would overdraw budget \(budget) by \(by): envelope \(use.amount), "
                + "spent \(use.spent), committed \(use.committed), remaining \(use.remaining); nothing was imported"
        case .alreadyImported(let run, let command):
            "\(run.period) of \(run.owner) is already imported from \(run.sourcePath) (\(run.lines) lines, \(run.grandTotal), "
                + "revision \(run.revision), by \(run.importedBy) at \(run.importedAt)); to replace it run `\(command) --replace` "
                + "(allowed until its remittance is posted)"
        case .remittancePosted(let run, let remittance):
            "\(run.period) of \(run.owner) can no longer be replaced: its remittance \(remittance.partnerReferenceNo) "
                + "(\(remittance.amount)) went to the bank (state \(remittance.state)); settle any difference with BPJS "
                + "Ketenagakerjaan in the next period"
        case .noRun(let kind, let owner, let period):
            "no \(kind == .payroll ? "payroll" : "BPU run") imported for \(period)" + (owner.map { " under \($0)" } ?? "")
                + "; import one first (salurctl \(kind == .payroll ? "payroll" : "bpu") import)"
        case .ambiguous(let period, let agreements):
            "several agreements have a payroll for \(period) (\(agreements.joined(separator: ", "))): give --agreement"
        case .nothingToRemit(let run):
            "\(run.period) of \(run.owner) totals Rp 0: there is nothing to remit"
        case .budgetWithoutAccount(let budget):
            "budget \(budget) has no BPJS account to remit to: it was recorded without --bpjs-account and --bpjs-bank-code"
        case .inconsistent(let run, let reason):
            "\(run.period) of \(run.owner) is inconsistent in the database (\(reason)); check the audit log (salurctl audit verify)"
        }
    }
}
