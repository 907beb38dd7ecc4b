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
    /// Opened accounts to ask the bank about: never checked, or due again by `recheck` (`AccountRecheck`).
    func accountsToCheck(limit: Int, recheck: AccountRecheck) async throws -> [AccountToCheck]
    /// Stores the bank's answers about accounts; holds the transfers not yet sent to an account
    /// found not payable, and releases those held for an account found payable again (`AccountHold`).
    func recordAccountChecks(_ checks: [AccountCheckResult], now: Date) async throws
    func batchProgress(watching ids: Set<String>) async throws -> [BatchProgress]
    /// Records this engine (SQLite: the file's one engine; PostgreSQL: one of several, with a lease).
    func registerEngine(pid: Int, host: String, version: String) async throws
    /// Every engine the store knows of, newest heartbeat first (one row at most on SQLite).
    func engines() async throws -> [EngineLease]

    // MARK: Several engines on one database (PostgreSQL); trivial on SQLite, whose lock file allows one

    /// How often the engine must renew its lease on what it claims, or nil when nothing expires
    /// (SQLite: the lock file is held for the process's life).
    var leaseRenewalInterval: Duration? { get }
    /// Renews this engine's lease. After a lapse (the database was out of reach for longer than the
    /// lease) the engine registers anew; what it claimed under the lapsed lease is never sent.
    /// It must never wait behind the store's other work — a take-over, a claim, an operator's
    /// reconciliation holding a lock (PostgreSQL: a connection of its own, outside the pool).
    func renewLease() async throws
    /// The instant after which an attempt claimed now must no longer be sent: the end of this
    /// engine's lease as last renewed, by this process's monotonic clock (never later than the
    /// database's own lease end, by which other engines judge it). Nil: no limit (SQLite).
    /// Read it before claiming.
    func sendDeadline() -> ContinuousClock.Instant?
    /// Marks in doubt what engines that are gone (lease run out, or process ended) left `sending`,
    /// so that the engines still running ask the bank about it. Never touches a live engine's
    /// transfers. Returns how many. Called every pass; 0 on SQLite (one engine, `recoverInterrupted`).
    /// Gives up (returning 0, to be tried again later) rather than wait long for a lock.
    func takeOverAbandoned() async throws -> Int
    /// Runs `body` (balance inquiry and batch starts) while no other engine does the same, so that two
    /// engines never both count the same balance; returns false without running it when another
    /// engine is at it.
    func whileStartingBatches(_ body: () async throws -> Void) async throws -> Bool
    /// A clean stop: this engine holds nothing any more (its lease ends now).
    func stopEngine() async throws

    // MARK: A database that went back in time (DESIGN §4.9)

    /// The database's send mark and last restore recovery. Each claim of attempts raises the mark by
    /// one in its own transaction; an engine keeps the highest mark it saw outside the database
    /// (`SentMarkFile`), and a database whose mark is lower has lost claims: it was restored.
    func sendMarkStatus() async throws -> SendMarkStatus
    /// Puts every transfer the bank may have booked since the database's backup in doubt, to be asked
    /// about before anything is sent (`RestoreRecovery`), raises the send mark to at least
    /// `markAtLeast`, and audits it — in one transaction. Returns how many transfers were put in doubt.
    func recoverFromRestore(_ request: RestoreRecoveryRequest) async throws -> Int

    // MARK: X-EXTERNAL-IDs of requests that are not transfer attempts

    /// Reserves `count` numbers (1 to `RequestIDBlock.maxCount`) for the `X-EXTERNAL-ID`s of
    /// inquiries (`ExternalID.request`), in one statement on the database's one counter: no two
    /// reservations, by any engine on the database, ever overlap. The engine hands them out from
    /// memory; numbers it does not use are simply skipped.
    func reserveRequestIDs(_ count: Int) async throws -> ClosedRange<Int64>
}
