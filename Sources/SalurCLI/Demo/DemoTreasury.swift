package import SalurCore
package import SalurSQLite
package import SalurStore

/// A treasury ready to pay, for benchmarks and tests: `count` recipients imported, their
/// accounts requested and opened, one payment each queued for BANSOS-NT 2026-11 and (when
/// `approver` is given) approved by a checker other than the maker.
package enum DemoTreasury {
    package static func seed(_ ledger: SQLiteLedger, count: Int, seed: UInt64, amount: Rupiah = Rupiah(300_000),
                             rules: BatchingRules, approver: String? = "checker") throws {
        try seedRecipients(ledger, count: count, seed: seed)
        _ = try ledger.enqueueProgram(program: "BANSOS-NT", period: Period("2026-11")!, amount: amount, remark: "BANSOS-NT 2026-11",
                                      actor: "maker", rules: rules)
        if let approver, rules.approvalRequired {
            _ = try ledger.approve(ids: [], all: true, actor: approver, distinctApprover: true)
        }
    }

    /// `count` recipients imported, their accounts requested and opened; nothing queued.
    package static func seedRecipients(_ ledger: SQLiteLedger, count: Int, seed: UInt64) throws {
        var data = DemoData(recipients: count, opened: count, seed: seed)
        _ = try ledger.importRecipients(try RecipientFile.parse(bytes: data.recipientsCSV(), file: "recipients.csv"),
                                        source: SourceFile(path: "recipients.csv", sha256: "-"), actor: "maker")
        _ = try ledger.exportOpeningRequests(actor: "maker") { _ in "-" }
        _ = try ledger.applyOpeningResults(try OpeningResultFile.parse(bytes: data.resultsCSV(), file: "bank-results.csv"),
                                           source: SourceFile(path: "bank-results.csv", sha256: "-"), actor: "maker")
    }
}

extension DemoTreasury {
    /// The same treasury on any store (the SQLite file or PostgreSQL).
    package static func seed(store ledger: any Ledger & TransferLedger, count: Int, seed: UInt64, amount: Rupiah = Rupiah(300_000),
                             rules: BatchingRules, approver: String? = "checker") async throws {
        try await seedRecipients(store: ledger, count: count, seed: seed)
        _ = try await ledger.enqueueProgram(program: "BANSOS-NT", period: Period("2026-11")!, amount: amount, remark: "BANSOS-NT 2026-11",
                                            actor: "maker", rules: rules)
        if let approver, rules.approvalRequired {
            _ = try await ledger.approve(ids: [], all: true, actor: approver, distinctApprover: true)
        }
    }

    /// `count` recipients imported, their accounts requested and opened; nothing queued.
    package static func seedRecipients(store ledger: any Ledger, count: Int, seed: UInt64) async throws {
        var data = DemoData(recipients: count, opened: count, seed: seed)
        _ = try await ledger.importRecipients(try RecipientFile.parse(bytes: data.recipientsCSV(), file: "recipients.csv"),
                                              source: SourceFile(path: "recipients.csv", sha256: "-"), actor: "maker")
        _ = try await ledger.exportOpeningRequests(actor: "maker") { _ in "-" }
        _ = try await ledger.applyOpeningResults(try OpeningResultFile.parse(bytes: data.resultsCSV(), file: "bank-results.csv"),
                                                 source: SourceFile(path: "bank-results.csv", sha256: "-"), actor: "maker")
    }
}
