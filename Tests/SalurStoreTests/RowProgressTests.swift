import Foundation
import SalurCore
import SalurStore
import Synchronization
import Testing

/// `RowProgress`: a store going through a results file row by row tells the caller how far it got
/// (salurctl's progress bar), on both stores; unbound, it reports nothing.
@Suite("Store row progress")
struct RowProgressTests {
    static let count = 2_500

    @Test("applying 2,500 opening results reports 1,000 and 2,000 rows done", arguments: Backend.available)
    func openingResults(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        var recipients = ["nik,name,program,district,phone"]
        var results = ["nik,status,account_no,reason"]
        for i in 0..<Self.count {
            let nik = BackendBulkTests.nik(i)
            recipients.append("\(nik),Penerima \(i),BANSOS-NT,Oebobo,0812\(BackendBulkTests.pad(i, 8))")
            results.append("\(nik),opened,0011\(BackendBulkTests.pad(i, 8)),")
        }
        _ = try await s.store.importRecipients(Fixture.recipients(recipients.joined(separator: "\n") + "\n"), source: Fixture.source,
                                               actor: "maker")
        _ = try await s.store.exportOpeningRequests(actor: "maker") { _ in "-" }
        let rows = try OpeningResultFile.parse(bytes: Array((results.joined(separator: "\n") + "\n").utf8), file: "results.csv")

        let reported = Mutex<[Int]>([])
        let summary = try await RowProgress.reporting({ done in reported.withLock { $0.append(done) } }) {
            try await s.store.applyOpeningResults(rows, source: Fixture.source, actor: "maker")
        }
        #expect(summary.opened == Self.count)
        #expect(reported.withLock { $0 } == [1_000, 2_000])
    }
}
