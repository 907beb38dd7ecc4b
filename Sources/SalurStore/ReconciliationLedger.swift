package import SalurCore

/// Reconciliation as `salurctl reconcile` and `salurctl export` need it of a store, whichever
/// database holds it: statements stored once and matched, exceptions listed and resolved, the
/// export rows, and the audit row each export file leaves. Every method that changes state is one
/// transaction with its audit rows; both stores give the same results, refusals and audit rows.
package protocol ReconciliationLedger: Sendable {
    /// Stores `statements` (each once), matches every booked entry of every stored statement with
    /// `match`, and records the outcome (see `SQLiteLedger.reconcile`). `alreadyStored` counts
    /// statements of `file` known to be stored (`storedStatementFile`) and not passed again.
    /// `matching` names what `match` decides by (`Reconciler.matchingKey`): when given, a run that
    /// stores nothing and finds its basis unchanged (`ReconciliationBasis`) returns the figures of the
    /// run that recorded it without matching; nil always matches.
    func reconcile(statements: [StatementRecord], alreadyStored: Int, file: SourceFile?, actor: String, today: CalendarDate,
                   missingAfterDays: Int, utcOffsetHours: Int, matching: String?,
                   match: (ReconciliationInput) throws -> ReconciliationOutcome) async throws -> ReconciliationRun
    /// The statement file with this SHA-256, when a run stored it whole (every statement of it is
    /// stored); nil otherwise. CSV files and statements whose opening balance was taken from a
    /// stored one are never kept whole: they are read again.
    func storedStatementFile(sha256: String) async throws -> StoredStatementFile?
    /// Matched, unmatched and open exceptions, for one month in the bank's time zone or for all time.
    func reconciliationStatus(period: Period?, utcOffsetHours: Int) async throws -> ReconciliationStatus
    /// When reconciliation last ran and the open exceptions by kind (for the metrics).
    func reconciliationGauges() async throws -> ReconciliationGauges
    /// Exceptions in id order.
    func reconciliationExceptions(_ filter: ExceptionFilter) async throws -> [ReconciliationException]
    /// Marks an open exception resolved with the operator's reason, audited.
    func resolveReconciliationException(id: Int64, reason: String, actor: String) async throws -> ReconciliationException
    /// Recipients whose payment came back and is not yet resolved.
    func flaggedRecipients() async throws -> [FlaggedRecipient]
    /// The reconciliation export's rows: each transfer (of `batchID`, or settled or queued between
    /// `from` and `to`) with the statement entry that pays it.
    func reconciledTransfers(from: String?, to: String?, batchID: String?) async throws -> [ReconciledTransfer]
    /// The same rows handed to `body` at most `pageSize` at a time, in transfer id order, all read
    /// from one snapshot of the store (one read transaction), so an export of millions of transfers
    /// holds one page at a time. A throw from `body` stops the reading and is rethrown.
    func reconciledTransfers(from: String?, to: String?, batchID: String?, pageSize: Int,
                             _ body: ([ReconciledTransfer]) throws -> Void) async throws
    /// Every stored statement whose dates touch `period` (all when nil), with how it reconciles.
    func statementChecks(period: Period?) async throws -> [StatementCheck]
    /// Records that `actor` wrote an export file with this SHA-256 (audit row `export.KIND`).
    func recordExport(kind: String, destination: String, sha256: String, rows: Int, details: [String: String],
                      actor: String) async throws
}

extension ReconciliationLedger {
    /// `reconcile` of `statements` that always matches.
    package func reconcile(statements: [StatementRecord], file: SourceFile?, actor: String, today: CalendarDate,
                           missingAfterDays: Int, utcOffsetHours: Int,
                           match: (ReconciliationInput) throws -> ReconciliationOutcome) async throws -> ReconciliationRun {
        try await reconcile(statements: statements, alreadyStored: 0, file: file, actor: actor, today: today,
                            missingAfterDays: missingAfterDays, utcOffsetHours: utcOffsetHours, matching: nil, match: match)
    }
}
