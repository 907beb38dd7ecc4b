package import GRDB
import SalurStore

extension SQLiteLedger: PremiumLedger {}

extension SQLiteLedger: ReconciliationLedger {}

extension SQLiteLedger: EngineLedger {
    package var leaseRenewalInterval: Duration? { nil }
    package func renewLease() async throws {}
    package func sendDeadline() -> ContinuousClock.Instant? { nil }
    package func takeOverAbandoned() async throws -> Int { 0 }
    package func whileStartingBatches(_ body: () async throws -> Void) async throws -> Bool {
        try await body()
        return true
    }
    package func stopEngine() async throws {}
}

/// SQLite's busy and full-disk codes, for the errors the engine's writes let through (`StoreError.isTransient`).
extension DatabaseError: StoreDriverError {
    package var isBusyFailure: Bool { resultCode == .SQLITE_BUSY || resultCode == .SQLITE_LOCKED }
    package var isDiskFullFailure: Bool { resultCode == .SQLITE_FULL }
}
