package import SalurStatements
package import SalurStore

extension ReconciliationLedger {
    /// The stored file `bytes` (its head) are, when an earlier run stored them whole: `salurctl
    /// reconcile` then does not read them again (each of their statements is stored, unchanged) and
    /// only matches. A CSV export (`format: .csv`) is known by the key of its reading
    /// (`StatementFile.csvReadingKey`): the same bytes, `file` name and `csvMapping`, balances
    /// included. Nil — read the file — for one not stored whole, a file read as another format than
    /// it is, a CSV export read another way, and one with a statement for another account than
    /// `sourceAccount` (reading refuses it, saying why).
    package func storedWhole(_ bytes: [UInt8], sha256: String, format: StatementFormat?, csvMapping: CSVStatementMapping? = nil,
                             file: String? = nil, sourceAccount: String?) async throws -> StoredStatementFile? {
        let key: String
        if format == .csv {
            guard let csvMapping, let file else { return nil }
            key = StatementFile.csvReadingKey(sha256: sha256, mapping: csvMapping, file: file)
        } else {
            guard let detected = StatementFormat.detect(bytes: bytes), format == nil || format == detected else { return nil }
            key = sha256
        }
        guard let stored = try await storedStatementFile(sha256: key) else { return nil }
        if let sourceAccount, !stored.accounts.allSatisfy({ StatementFile.isSameAccount($0, sourceAccount) }) { return nil }
        return stored
    }
}
