import Foundation
package import SalurCore

/// Transfers and batches as operators queue, approve and steer them: what `salurctl transfers`,
/// `batches`, `queue` and `export transfers` need of a store, whichever database holds it.
/// Every method that changes state is one transaction with its audit row.
package protocol TransferLedger: Sendable {
    func enqueueProgram(program: String, period: Period, amount: Rupiah, remark: String,
                        actor: String, rules: BatchingRules) async throws -> EnqueueSummary
    func enqueueFile(_ rows: [TransferFile.Row], source: SourceFile, actor: String, rules: BatchingRules) async throws -> EnqueueSummary
    func enqueue(_ transfers: [NewTransfer], actor: String, rules: BatchingRules, auditAction: String,
                 auditSubject: String) async throws -> EnqueueSummary
    func approve(ids: [String], all: Bool, actor: String, distinctApprover: Bool) async throws -> [String]
    func hold(id: String, reason: String, actor: String) async throws
    func release(id: String, actor: String) async throws
    func cancel(id: String, actor: String) async throws -> Int
    /// Cancels failed transfers for good (of `batchID`, of `niks`, or all) so that they may be queued
    /// again with corrected data; audited with `reason`.
    func cancelFailed(batchID: String?, niks: [String], reason: String, actor: String) async throws -> CancelSummary
    /// Puts failed transfers (of `batchID`, or all) in new batches formed by `rules`, each asked about
    /// at the bank before it is sent again (`RetryFailed`).
    func retryFailed(batchID: String?, actor: String, rules: BatchingRules) async throws -> RetrySummary
    func batches(state: BatchState?, id: String?) async throws -> [BatchSummary]
    func transferRecords(from: String?, to: String?) async throws -> [TransferRecord]
    /// How many transfer attempts have ever been started.
    func attemptCount() async throws -> Int
    /// Has the engine ask the bank again about these recipients' accounts (NIKs); returns how many.
    /// Transfers held for an account are released once the new answer says it is payable.
    func recheckAccounts(niks: [String], actor: String) async throws -> Int
}

/// Everything a `salurctl` or `salurd` needs of a store: the SQLite file or a PostgreSQL server.
package typealias SalurStoreBackend = Ledger & TransferLedger & EngineLedger & ReconciliationLedger & PremiumLedger

/// Which database a store is, for messages and for the features only one backend has.
package enum StoreKind: String, Sendable {
    case sqlite, postgres
}

extension TransferLedger {
    /// Every batch, or those in `state`, or the one with `id`.
    package func batches(state: BatchState? = nil, id: String? = nil) async throws -> [BatchSummary] {
        try await batches(state: state, id: id)
    }
}

extension EngineLedger {
    /// The queue now.
    package func queueStatus() async throws -> QueueStatus { try await queueStatus(now: Date()) }
}
