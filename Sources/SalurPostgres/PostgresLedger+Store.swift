import SalurStore

extension StoreOpener {
    /// PostgreSQL is a complete store now: Ledger, TransferLedger (PostgresLedger+Transfers.swift) and
    /// EngineLedger (PostgresLedger+Engine.swift).
    static func postgresStore(_ ledger: PostgresLedger) throws -> any SalurStoreBackend {
        ledger
    }
}
