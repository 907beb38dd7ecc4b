import Foundation
import Testing
import SalurCore
import SalurStore
import SalurTestSupport

/// A payroll several windows long stored as it is read (`importPayroll(…file:…)`), on both store
/// backends: what is stored equals the whole file computed at once, and a refused file changes nothing.
@Suite("Payroll stored as it is read, on both store backends")
struct PayrollStreamingStoreTests {
    typealias F = PayrollFixture

    /// Imports `csv` from a file on disk, read a window at a time, as `salurctl payroll import` does.
    static func importFile(_ s: PremiumTestStore, _ csv: String, name: String = "gaji.csv", period: String = "2024-05",
                           replace: Bool = false) async throws -> PremiumImportResult {
        let directory = NSTemporaryDirectory() + "salur-payroll-stream-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try csv.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        let reading = try PayrollFile.Reading(path: directory + "/" + name, file: name, agreement: F.kendari, period: F.period(period),
                                              rates: F.rates)
        return try await s.store.importPayroll(agreementID: F.kendari.id, period: F.period(period), file: reading,
                                               source: F.source(name, csv), replace: replace, actor: "maker")
    }

    /// Everything an import may change: the agreement's runs, the period's lines, the audit log.
    static func state(_ s: PremiumTestStore, period: String = "2024-05") async throws -> [String] {
        let runs = try await s.store.premiumRuns(kind: .payroll, owner: F.kendari.id).map { "\($0)" }
        let lines = try? await s.store.payrollDeductions(agreementID: F.kendari.id, period: F.period(period)).rows.map { "\($0)" }
        let audit = try await s.store.auditTail(limit: 1_000).map { "\($0.action) \($0.subject)" }
        return runs + (lines ?? ["no lines"]) + audit
    }

    @Test("60,000 lines: the stored run, lines and report equal the whole file computed at once", arguments: PremiumBackend.available)
    func storedEqualsWhole(_ backend: PremiumBackend) async throws {
        let s = try await backend.open(); defer { s.close() }
        _ = try await s.store.addAgreement(F.kendari, actor: "maker")
        let csv = PayrollReadingTests.large()
        #expect(csv.utf8.count > 3 * CSVWindows.windowBytes)
        let whole = try PayrollReadingTests.whole(csv)
        let imported = try await Self.importFile(s, csv)
        #expect(imported.outcome == .imported)
        #expect(imported.run.lines == 60_000)
        #expect(imported.run.employerTotal == whole.totals.employerTotal)
        #expect(imported.run.employeeTotal == whole.totals.employeeTotal)
        #expect(imported.run.grandTotal == whole.totals.grandTotal)
        let (_, rows) = try await s.store.payrollDeductions(agreementID: F.kendari.id, period: F.period("2024-05"))
        #expect(rows.map(\.line) == whole.lines.map(\.row.line))
        #expect(rows.map(\.premiums) == whole.lines.map(\.premiums))
        #expect(rows.map(\.employeeID) == whole.lines.map(\.row.employeeID))
        #expect(try await s.store.payrollReport(agreementID: F.kendari.id, period: F.period("2024-05")).totals == whole.totals)
        let audit = try #require(try await s.store.auditTail(limit: 10).last)
        #expect(audit.action == "payroll.import")
        #expect(audit.details.contains("\"grand_total\":\"\(whole.totals.grandTotal.value)\""))

        // The same file again changes nothing.
        let before = try await Self.state(s)
        let again = try await Self.importFile(s, csv)
        #expect(again.outcome == .unchanged)
        #expect(try await Self.state(s) == before)
    }

    @Test("a bad last line, or an employee given again windows apart, changes nothing: new period or replace", arguments: PremiumBackend.available)
    func refusedChangesNothing(_ backend: PremiumBackend) async throws {
        let s = try await backend.open(); defer { s.close() }
        _ = try await s.store.addAgreement(F.kendari, actor: "maker")
        try await s.importPayroll(F.kendariCSV(units: [("DLHK", 5)]), agreement: F.kendari, period: "2024-05")
        let before = try await Self.state(s)
        let badLast = PayrollReadingTests.large() + "PTT-X,\(F.nik(70_000)),Pegawai X,DLHK,0\n"
        let twice = PayrollReadingTests.large() + "PTT-1,\(F.nik(70_000)),Pegawai Lagi,DLHK,3000000\n"
        for (csv, expected) in [(badLast, "gaji.csv:60002: gross_wage: wage is zero: must be above zero"),
                                (twice, "gaji.csv:60002: employee_id: duplicate employee PTT-1 in this file (first on line 2)")] {
            for (period, replace) in [("2024-05", true), ("2024-06", false)] {
                do {
                    _ = try await Self.importFile(s, csv, period: period, replace: replace)
                    Issue.record("expected the file to be refused")
                } catch let failure as ImportFailure {
                    #expect(failure.issues.map(\.description) == [expected])
                }
                #expect(try await Self.state(s) == before)
            }
        }
        // Refused for the store's reasons only once the file is found valid: a bad file for an
        // imported period without --replace is refused for its line, as when it was read whole.
        do {
            _ = try await Self.importFile(s, badLast)
            Issue.record("expected the file to be refused")
        } catch let failure as ImportFailure {
            #expect(failure.issues.map(\.line) == [60_002])
        }
        await #expect(throws: PremiumRunError.self) { _ = try await Self.importFile(s, PayrollReadingTests.large()) }
        #expect(try await Self.state(s) == before)
    }
}
