package import Logging
package import SalurPostgres
package import SalurSQLite
package import SalurStore

/// An open store: the SQLite file or a PostgreSQL database, behind the store protocols.
package struct OpenStore: Sendable {
    package let store: any SalurStoreBackend
    package let kind: StoreKind
    /// The file, or the server's URL without its password.
    package let name: String
    /// The PostgreSQL ledger, when that is the store.
    package let postgres: PostgresLedger?

    /// Closes the PostgreSQL connections (SQLite closes with the process).
    package func close() { postgres?.shutdown() }
}

/// Opens the store a `[database]` table names.
package enum StoreOpener {
    /// `url` set → PostgreSQL (password from `passwordFile`); else the SQLite file at `path`, opened
    /// for `access` (created if missing only with `.create`; read-only with `.readOnly`).
    package static func open(path: String, busyTimeoutMs: Int, url: String?, passwordFile: String?, maxConnections: Int = 8,
                             migrate: Bool = true, access: SQLiteLedger.Access = .create,
                             logger: Logger = Logger(label: "salur.store")) async throws -> OpenStore {
        if let url {
            let target = try PostgresTarget(url: url, passwordFile: passwordFile)
            let ledger = try await PostgresLedger(target: target, migrate: migrate, maximumConnections: maxConnections, logger: logger)
            return OpenStore(store: ledger, kind: .postgres, name: target.description, postgres: ledger)
        }
        let ledger = try SQLiteLedger(path: path, busyTimeout: Double(busyTimeoutMs) / 1000, migrate: migrate, access: access)
        return OpenStore(store: ledger, kind: .sqlite, name: path, postgres: nil)
    }
}
