package import SalurCore

/// A premium file (payroll or BPU) import stored as its file is read, decided alike by both stores: the period's run is
/// prepared first (`PreparedRun.decide`), but a refusal of it is held until the file has been read
/// and found valid, so that the file's own refusals come first, as when the file was read whole
/// before anything was stored. The lines are written only for a new run or a replace, under the
/// run's row written before them (its totals set at the end).
package struct StreamedImport {
    private let prepared: Result<PreparedRun, PremiumRunError>
    /// The run's row the lines are written under, once the store has written it.
    package var runID: Int64?

    /// How the import ends once the file is read and found valid.
    package enum Outcome<Totals> {
        /// The same file again: nothing was written.
        case unchanged(PremiumRunSummary)
        /// A new run or a replace, its lines written under `runID`; its totals are `totals`.
        case stored(PreparedRun, runID: Int64, totals: Totals)
    }

    /// The run as prepared.
    package init(_ prepared: PreparedRun) {
        self.prepared = .success(prepared)
    }

    /// What preparing the run threw: a refusal of the run is held; anything else is thrown now.
    package init(refused error: any Error) throws {
        guard let refusal = error as? PremiumRunError else { throw error }
        prepared = .failure(refusal)
    }

    /// The run whose row the store writes before the lines: a new run or a replace; nil for the
    /// same file again or a refused run.
    package var writing: PreparedRun? {
        guard case .success(let run) = prepared, run.unchangedRun == nil else { return nil }
        return run
    }

    /// Once the store has taken every part of `file`: throws why the import is refused (the file's
    /// own refusals, then the run's), else says how it ends.
    package func finish<Line, Totals>(_ file: PremiumReading<Line, Totals>) throws -> Outcome<Totals> {
        let totals = try file.finish()
        let run = try prepared.get()
        if let same = run.unchangedRun { return .unchanged(same) }
        guard let runID else { preconditionFailure("a new or replaced run's row is written before its lines") }
        return .stored(run, runID: runID, totals: totals)
    }
}
