import Foundation
import SalurStore
import Synchronization
import Testing

/// `salurctl payroll import`'s progress bar moves while the store writes the run: the store reports
/// the rows it has written (`RowProgress`), on both stores.
@Suite("Payroll import reports its rows")
struct PayrollRowProgressTests {
    typealias F = PayrollFixture

    @Test("Kendari's 1,081 staff: rows reported while they are written, rising, never beyond the file", arguments: PremiumBackend.available)
    func payroll(_ backend: PremiumBackend) async throws {
        let s = try await backend.open(); defer { s.close() }
        _ = try await s.store.addAgreement(F.kendari, actor: "maker")
        let reported = Mutex<[Int]>([])
        let imported = try await RowProgress.reporting({ done in reported.withLock { $0.append(done) } }) {
            try await s.importPayroll(F.kendariCSV(), agreement: F.kendari, period: "2024-05")
        }
        #expect(imported.run.lines == 1_081)
        let counts = reported.withLock { $0 }
        #expect(!counts.isEmpty && counts == counts.sorted() && (counts.last ?? 0) >= 1_000 && (counts.last ?? 0) <= 1_081, "\(counts)")
    }
}
