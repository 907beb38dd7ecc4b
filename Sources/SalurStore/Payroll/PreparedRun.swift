/// What importing a premium file (payroll or BPU) does to its period's run, decided before
/// anything is written — once, here, for both stores.
package enum PreparedRun {
    /// No run for the period yet.
    case new
    /// The same file (by SHA-256) is already the period's run.
    case unchanged(PremiumRunSummary)
    /// `--replace` of this run; its unposted remittance, if any, has been cancelled.
    case replace(PremiumRunSummary, cancelled: RemittanceStatus?)

    /// The period's run when the import is the same file again: nothing is written.
    package var unchangedRun: PremiumRunSummary? {
        if case .unchanged(let run) = self { run } else { nil }
    }

    package var existingID: Int64? {
        switch self {
        case .new: nil
        case .unchanged(let run), .replace(let run, _): run.id
        }
    }

    /// The decision, or the remittance a store must cancel first (then the run is replaced).
    package enum Decision {
        case decided(PreparedRun)
        case cancelRemittanceThenReplace(PremiumRunSummary, RemittanceStatus)
    }

    /// Decides from the period's current run: the same file changes nothing; another file needs
    /// `--replace` (`command` is what the operator ran, repeated in the refusal), and is refused
    /// once the run's remittance went to the bank.
    package static func decide(existing: PremiumRunSummary?, source: SourceFile, replace: Bool,
                               command: String) throws(PremiumRunError) -> Decision {
        guard let existing else { return .decided(.new) }
        if existing.sourceSHA256 == source.sha256 { return .decided(.unchanged(existing)) }
        guard replace else { throw .alreadyImported(existing, command: command) }
        guard let remittance = existing.remittance, remittance.isLive else { return .decided(.replace(existing, cancelled: nil)) }
        if remittance.isPosted { throw .remittancePosted(existing, remittance) }
        return .cancelRemittanceThenReplace(existing, remittance)
    }

    /// The import's outcome, and the audit details it adds to `details`: the file, and what a
    /// replace replaced.
    package func outcome(source: SourceFile, details: [String: String]) -> (PremiumImportOutcome, [String: String]) {
        var details = details
        details["file"] = source.path
        details["sha256"] = source.sha256
        guard case .replace(let previous, let cancelled) = self else { return (.imported, details) }
        details["replaced_revision"] = String(previous.revision)
        details["replaced_sha256"] = previous.sourceSHA256
        details["replaced_grand_total"] = String(previous.grandTotal.value)
        return (.replaced(previousRevision: previous.revision, cancelledRemittance: cancelled), details)
    }
}
