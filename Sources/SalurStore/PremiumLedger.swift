package import SalurCore

/// Agreements, budget envelopes, payroll and BPU runs and their remittances: what `salurctl
/// agreements`, `budgets`, `payroll` and `bpu` need of a store, whichever database holds it.
/// Every method that changes state is one transaction with its audit row.
package protocol PremiumLedger: Sendable {
    func addAgreement(_ agreement: Agreement, actor: String) async throws -> Bool
    func agreements() async throws -> [StoredAgreement]
    func agreement(id: String) async throws -> StoredAgreement
    func addBudget(_ budget: BudgetEnvelope, actor: String) async throws -> Bool
    func budgets() async throws -> [StoredBudget]
    func budget(id: String) async throws -> StoredBudget
    func importPayroll(agreementID: String, period: Period, lines: [PayrollLine], totals: PremiumTotals,
                       source: SourceFile, replace: Bool, actor: String) async throws -> PremiumImportResult
    /// Imports a payroll read a window at a time, storing its lines as they come in the one
    /// transaction: the file's own refusals (`PayrollFile.Reading.finish`) come before the store's
    /// (`PreparedRun.decide`), as when the file was read whole first, and a file refused anywhere
    /// changes nothing.
    func importPayroll(agreementID: String, period: Period, file: PayrollFile.Reading,
                       source: SourceFile, replace: Bool, actor: String) async throws -> PremiumImportResult
    func importBPU(budgetID: String, period: Period, lines: [BPULine], totals: BPUTotals,
                   source: SourceFile, replace: Bool, actor: String) async throws -> PremiumImportResult
    /// Imports a BPU file read a window at a time, as `importPayroll(…file:…)` does; the envelope's
    /// overdraw is refused once the file has been read and found valid, after the run's own refusals.
    func importBPU(budgetID: String, period: Period, file: BPUFile.Reading,
                   source: SourceFile, replace: Bool, actor: String) async throws -> PremiumImportResult
    /// Runs of one agreement or budget, newest period first.
    func premiumRuns(kind: PremiumRunKind, owner: String) async throws -> [PremiumRunSummary]
    func payrollReport(agreementID: String?, period: Period) async throws -> PayrollReport
    func payrollDeductions(agreementID: String?, period: Period) async throws -> (run: PremiumRunSummary, rows: [DeductionRow])
    func remitPayroll(agreementID: String?, period: Period, actor: String, rules: BatchingRules) async throws -> RemitResult
    func remitBPU(budgetID: String, period: Period, account: String?, bankCode: String?, actor: String,
                  rules: BatchingRules) async throws -> RemitResult
}
