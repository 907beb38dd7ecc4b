import Foundation
import Testing
import SalurCore
import SalurStore
import SalurTestSupport

/// A BPU file read, checked and computed a window at a time (`BPUFile.Reading`) gives what the
/// whole file parsed and computed at once gives: the same lines and totals, or the same refusal;
/// and stored as it is read, on both store backends, it equals the whole file stored.
@Suite("BPU files read a window at a time")
struct BPUReadingTests {
    typealias F = PayrollFixture

    /// 80,000 workers, about 3.6 MB: several 1 MiB windows; incomes vary so that lines differ.
    static func large(_ count: Int = 80_000) -> String {
        (["nik,name,occupation,declared_income"]
         + (0..<count).map { "\(F.nik($0)),Pekerja \($0 + 1),\(["Nelayan", "Petani", "Ojek"][$0 % 3]),\(1_000_000 + ($0 * 7_919) % 9_000_000)" })
            .joined(separator: "\n") + "\n"
    }

    /// The file's lines and totals read a window at a time from disk, or why it is refused.
    static func read(_ text: String, name: String = "bpu.csv", period: String = "2024-05") throws -> (lines: [BPULine], totals: BPUTotals) {
        let directory = NSTemporaryDirectory() + "salur-bpu-reading-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        let reading = try BPUFile.Reading(path: directory + "/" + name, file: name, period: F.period(period), rates: F.rates)
        var lines: [BPULine] = []
        var parts = 0
        while let part = reading.nextPart() { lines += part.lines; parts += 1 }
        let totals = try reading.finish()
        #expect(reading.rowCount == text.utf8.split(separator: 0x0A).count - 1)
        if text.utf8.count > 3 * CSVWindows.windowBytes { #expect(parts >= 3) }
        return (lines, totals)
    }

    /// The whole file parsed, then computed, as before it was read in windows.
    static func whole(_ text: String, name: String = "bpu.csv", period: String = "2024-05") throws -> (lines: [BPULine], totals: BPUTotals) {
        let rows = try BPUFile.parse(bytes: Array(text.utf8), file: name)
        return try PremiumComputation.bpu(rows, period: F.period(period), rates: F.rates, file: name)
    }

    static func refusal(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "not refused" } catch { return "\(type(of: error)): \(error)" }
    }

    @Test("several windows long, plain or quoted with CRLF: the same lines and totals as the whole file")
    func sameAsWhole() throws {
        let plain = Self.large()
        #expect(plain.utf8.count > 3 * CSVWindows.windowBytes)
        let quoted = plain.split(separator: "\n").map { line -> String in
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if fields[1] != "name" { fields[1] = "\"\(fields[1]), Desa Oesao\"" }
            return fields.joined(separator: ",")
        }.joined(separator: "\r\n") + "\r\n"
        for csv in [plain, quoted] {
            let streamed = try Self.read(csv)
            let whole = try Self.whole(csv)
            #expect(streamed.lines.count == 80_000)
            #expect(streamed.lines == whole.lines)
            #expect(streamed.totals == whole.totals)
            #expect(streamed.lines.last?.row.line == 80_001)
        }
    }

    @Test("bad rows anywhere, a NIK given again windows apart, incomes out of range, an unreadable record: the whole file's refusal")
    func refusals() throws {
        let large = Self.large()
        let cases: [(csv: String, expected: String)] = [
            (large + "\(F.nik(0)),Pekerja Lagi,Nelayan,1000000\n",
             "bpu.csv:80002: nik: duplicate NIK in this file (first on line 2)"),
            (large + "\(F.nik(90_000)),,Nelayan,1.000.00\n", "bpu.csv:80002: name: must not be empty"),
            (large.replacingOccurrences(of: ",1000000\n", with: ",999999\n"), "bpu.csv:2: declared_income: "),
            (large.replacingOccurrences(of: ",Ojek,", with: ",Ojek,,"), "checking stopped after the first 100"),
            (large.replacingOccurrences(of: ",Ojek,", with: ",Ojek,,") + "\(F.nik(90_001)),\"Pekerja,Nelayan,1000000\n", "1 problem found"),
        ]
        for (csv, expected) in cases {
            let streamed = Self.refusal { try Self.read(csv) }
            #expect(streamed == Self.refusal { try Self.whole(csv) })
            #expect(streamed.contains(expected), "\(streamed.prefix(300))")
        }
        // More incomes out of range than are reported: the first 100, as the whole file.
        let high = Self.large(3_000).replacingOccurrences(of: ",Petani,", with: ",Petani,9")
        let many = Self.refusal { try Self.read(high) }
        #expect(many == Self.refusal { try Self.whole(high) })
        #expect(many.contains("bpu.csv:3: declared_income: ") && many.contains("checking stopped after the first 100"), "\(many.prefix(300))")
        // A period without a BPU rule: the run refused as a whole.
        let early = Self.refusal { try Self.read(large, period: "2015-01") }
        #expect(early == Self.refusal { try Self.whole(large, period: "2015-01") })
        #expect(early.hasPrefix("PremiumRunRefusal"), "\(early.prefix(200))")
    }

    static let budgetID = "KUKAR-2024-DISTRANSNAKER"

    /// Imports `csv` from a file on disk, read a window at a time, as `salurctl bpu import` does.
    static func importFile(_ s: PremiumTestStore, _ csv: String, name: String = "bpu.csv", period: String = "2024-05",
                           replace: Bool = false) async throws -> PremiumImportResult {
        let directory = NSTemporaryDirectory() + "salur-bpu-stream-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try csv.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        let reading = try BPUFile.Reading(path: directory + "/" + name, file: name, period: F.period(period), rates: F.rates)
        return try await s.store.importBPU(budgetID: budgetID, period: F.period(period), file: reading,
                                           source: F.source(name, csv), replace: replace, actor: "maker")
    }

    /// Everything an import may change: the budget's runs and use, the audit log.
    static func state(_ s: PremiumTestStore) async throws -> [String] {
        let runs = try await s.store.premiumRuns(kind: .bpu, owner: budgetID).map { "\($0)" }
        let audit = try await s.store.auditTail(limit: 1_000).map { "\($0.action) \($0.subject) \($0.details)" }
        return runs + ["\(try await s.store.budget(id: budgetID).use)"] + audit
    }

    @Test("stored as it is read: the run equals the whole file stored; a bad last line, a NIK given again or an overdraw changes nothing",
          arguments: PremiumBackend.available)
    func stored(_ backend: PremiumBackend) async throws {
        let s = try await backend.open(); defer { s.close() }
        let csv = Self.large()
        let whole = try Self.whole(csv)
        // Room for two and a half runs of the file.
        _ = try await s.store.addBudget(try BudgetEnvelope(id: Self.budgetID, agency: "Distransnaker", year: 2024,
                                                           amount: Rupiah(whole.totals.total.value * 5 / 2), bpjsAccount: "0700000555666",
                                                           bpjsBankCode: "009"), actor: "maker")
        let imported = try await Self.importFile(s, csv)
        #expect(imported.outcome == .imported)
        #expect(imported.run.lines == 80_000)
        #expect(imported.run.grandTotal == whole.totals.total)
        #expect(try await s.store.budget(id: Self.budgetID).use.committed == whole.totals.total)
        let audit = try #require(try await s.store.auditTail(limit: 10).last)
        #expect(audit.action == "bpu.import")
        #expect(audit.details.contains("\"total\":\"\(whole.totals.total.value)\""), "\(audit.details)")

        // The same lines stored through the whole-file path, for another period: the same run.
        let viaWhole = try await s.store.importBPU(budgetID: Self.budgetID, period: F.period("2024-06"), lines: whole.lines,
                                                   totals: whole.totals, source: F.source("bpu.csv", csv), replace: false, actor: "maker")
        #expect(viaWhole.run.lines == imported.run.lines && viaWhole.run.grandTotal == imported.run.grandTotal)

        let before = try await Self.state(s)
        let again = try await Self.importFile(s, csv)
        #expect(again.outcome == .unchanged)
        #expect(try await Self.state(s) == before)

        let badLast = csv + "\(F.nik(90_000)),Pekerja X,Nelayan,0\n"
        let twice = csv + "\(F.nik(7)),Pekerja Lagi,Nelayan,1000000\n"
        for (file, expected) in [(badLast, "bpu.csv:80002: declared_income: declared income is zero: must be above zero"),
                                 (twice, "bpu.csv:80002: nik: duplicate NIK in this file (first on line 9)")] {
            for (period, replace) in [("2024-05", true), ("2024-07", false)] {
                do {
                    _ = try await Self.importFile(s, file, period: period, replace: replace)
                    Issue.record("expected the file to be refused")
                } catch let failure as ImportFailure {
                    #expect(failure.issues.map(\.description) == [expected])
                }
                #expect(try await Self.state(s) == before)
            }
        }
        // A valid file for an imported period without --replace: the store's refusal, after reading.
        await #expect(throws: PremiumRunError.self) { _ = try await Self.importFile(s, badLast.replacingOccurrences(of: ",0\n", with: ",1000000\n")) }
        // An overdraw is found once every line is stored, and rolls them back.
        do {
            _ = try await Self.importFile(s, csv, period: "2024-08")
            Issue.record("expected an overdraw")
        } catch let error as PremiumRunError {
            #expect("\(error)".contains("would overdraw budget KUKAR-2024-DISTRANSNAKER"), "\(error)")
        }
        #expect(try await Self.state(s) == before)
    }
}
