package import SalurStatements
package import SalurStore

extension ReconciliationLedger {
    /// The stored file `bytes` are, when an earlier run stored them whole: `salurctl reconcile` then
    /// does not read them again (each of their statements is stored, unchanged) and only matches.
    /// Nil — read the file — for a CSV export (its statement depends on the mapping and flags), a
    /// file read as another format than it is, and one with a statement for another account than
    /// `sourceAccount` (reading refuses it, saying why).
    package func storedWhole(_ bytes: [UInt8], sha256: String, format: StatementFormat?,
                             sourceAccount: String?) async throws -> StoredStatementFile? {
        guard let detected = StatementFormat.detect(bytes: bytes), format == nil || format == detected,
              let stored = try await storedStatementFile(sha256: sha256) else { return nil }
        if let sourceAccount, !stored.accounts.allSatisfy({ StatementFile.isSameAccount($0, sourceAccount) }) { return nil }
        return stored
    }
}
