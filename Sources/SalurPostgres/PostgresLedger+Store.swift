import SalurStore

extension StoreOpener {
    static func postgresStore(_ ledger: PostgresLedger) throws -> any SalurStoreBackend {
        ledger.shutdown()
        throw StoreError.refused("the PostgreSQL store is not complete in this build")
    }
}
