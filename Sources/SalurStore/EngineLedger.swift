package import Foundation
package import SalurCore

/// What the posting engine needs of the store. Every call is one transaction.
package protocol EngineLedger: Sendable {
    func recoverInterrupted() async throws -> Int
    func formPendingBatches(rules: BatchingRules, actor: String) async throws -> [String]
    func batchesToStart() async throws -> [BatchToStart]
    func outstandingPosting() async throws -> Rupiah
    func startBatch(id: String, balance: Rupiah) async throws
    func holdByEngine(id: String, reason: String) async throws
    func advance(recording resolutions: [Resolution], claiming limit: Int, now: Date, maxAttempts: Int) async throws -> [ClaimedAttempt]
    func record(_ resolutions: [Resolution], now: Date) async throws
    func dueInquiries(limit: Int, now: Date) async throws -> [InquiryTarget]
    func nextDue() async throws -> Date?
    func isIdle() async throws -> Bool
    func queueStatus(now: Date) async throws -> QueueStatus
    func heartbeat(status: String) async throws
    func accountsToCheck(limit: Int) async throws -> [AccountToCheck]
    func recordAccountChecks(_ checks: [(AccountToCheck, AccountCheck, bankName: String?)], now: Date) async throws
    func batchProgress(watching ids: Set<String>) async throws -> [BatchProgress]
    /// Records this engine (SQLite: the file's one engine; PostgreSQL: one of several, with a lease).
    func registerEngine(pid: Int, host: String, version: String) async throws
    /// Every engine the store knows of, newest heartbeat first (one row at most on SQLite).
    func engines() async throws -> [EngineLease]
}

extension SQLiteLedger: EngineLedger {}
