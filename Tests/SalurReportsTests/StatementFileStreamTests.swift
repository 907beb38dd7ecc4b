import Foundation
import SalurCore
import SalurReports
import SalurStatements
import SalurStore
import Testing

/// `StatementFile(camt053At:)` and `StatementFile(csvAt:)` read a regular file a chunk at a time;
/// they must give the records (lines, balances, content hash) of `StatementFile(bytes:)` reading
/// the same file whole, and refuse with the same first problem.
@Suite("camt.053 and CSV statement files read in chunks")
struct StatementFileStreamTests {
    static let csvMapping = CSVStatementMapping(
        date: "Tanggal", dateFormat: "dd/MM/yyyy",
        amounts: .marked(amount: "Nominal", direction: "D/K", debitMarker: "D", creditMarker: "K"),
        bankReference: "No Ref", description: "Keterangan", accountNo: .column("Rekening"),
        openingBalance: .value(Rupiah(10_000_000)), closingBalance: .value(Rupiah(9_400_000)),
        separator: ";", decimalSeparator: ",", thousandsSeparator: ".")

    /// Both readings of `text` written to a file, the chunked one at several chunk sizes: the
    /// records (as text) or the error (as text) of the whole reading, after checking the chunked
    /// ones give the same.
    @discardableResult
    static func same(_ text: String, format: StatementFormat, mapping: CSVStatementMapping? = nil,
                     sourceAccount: String? = ReconcileFixture.source, chunkSizes: [Int] = [1, 3, 7, 64, 4096, 1 << 20],
                     sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let path = NSTemporaryDirectory() + "salur-stream-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let digest = try #require(try SourceFile.digest(path: path))
        func outcome(_ read: () throws -> StatementFile) -> String {
            do {
                let file = try read()
                let head = "\(file.entryCount) entries, sha256 \(file.sha256), \(file.format), openings needed \(file.openingsNeeded), "
                    + "\(file.derivationNotes): "
                // Records are made once every opening balance is known: here, the statements.
                guard file.openingsNeeded.isEmpty else { return head + "\(file.statements)" }
                return head + file.records(sourceFile: "bank").map { String(describing: $0) }.joined(separator: "\n")
            } catch {
                return "refused: \(error)"
            }
        }
        let whole = outcome {
            try StatementFile(bytes: Array(text.utf8), file: "bank", format: format == .csv ? .csv : nil, csvMapping: mapping,
                              sourceAccount: sourceAccount)
        }
        for chunkSize in chunkSizes {
            let chunked = outcome {
                switch format {
                case .csv:
                    try StatementFile(csvAt: path, sha256: digest.source.sha256, file: "bank", csvMapping: mapping!,
                                      sourceAccount: sourceAccount, chunkSize: chunkSize)
                default:
                    try StatementFile(camt053At: path, sha256: digest.source.sha256, file: "bank", sourceAccount: sourceAccount,
                                      chunkSize: chunkSize)
                }
            }
            #expect(chunked == whole, "chunks of \(chunkSize)", sourceLocation: sourceLocation)
        }
        return whole
    }

    @Test func camtSameRecords() throws {
        let whole = try Self.same(StatementFixtures.camt, format: .camt053)
        #expect(whole.hasPrefix("3 entries"), "\(whole)")
    }

    /// Several statements, the second without an opening balance (taken from the first), the
    /// third without one and of another account (left to the stored statements).
    @Test func camtSeveralStatementsAndDerivedOpenings() throws {
        let day = CalendarDate("2026-11-23")!
        func statement(_ id: String, account: String = "0011999999", opening: Int64, entries: Int, hasOpening: Bool) -> Statement {
            let list = (0..<entries).map { i in
                StatementEntry(valueDate: day, direction: .debit, amount: Rupiah(1_000 + Int64(i)), bankReference: "B\(id)\(i)",
                               customerReference: "SLR\(id)\(i)", description: "TRF Ñoño 🇮🇩 \(i)")
            }
            let debits = list.reduce(Int64(0)) { $0 + $1.amount.value }
            var result = Statement(accountNo: account, statementId: id, openingBalance: Rupiah(opening),
                                   closingBalance: Rupiah(opening - debits), openingDate: day, closingDate: day, entries: list,
                                   format: .camt053)
            result.hasOpeningBalance = hasOpening
            return result
        }
        let first = statement("S1", opening: 5_000_000, entries: 40, hasOpening: true)
        let second = statement("S2", opening: first.closingBalance.value, entries: 25, hasOpening: false)
        let other = statement("S3", account: "0099888777", opening: 0, entries: 0, hasOpening: false)
        let text = Camt053Writer.write([first, second, other])
        let whole = try Self.same(text, format: .camt053, sourceAccount: nil)
        #expect(whole.hasPrefix("65 entries"), "\(whole.prefix(300))")
        #expect(whole.contains("openings needed [2]"), "\(whole.prefix(300))")
        #expect(try Self.same(text, format: .camt053).contains("not the treasury's source account"))
    }

    /// The first problem: a statement that does not add up before a later statement's bad entry;
    /// a bad entry before a later statement's balance; a malformed document before both.
    @Test func camtSameRefusals() throws {
        let unbalanced = StatementFixtures.camt.replacingOccurrences(of: "9400000.00", with: "9400001.00")
        let badEntry = StatementFixtures.camt.replacingOccurrences(of: "<AcctSvcrRef>20261123000002</AcctSvcrRef>",
                                                                   with: "<AcctSvcrRef>20261123000002</AcctSvcrRef><RvslInd>maybe</RvslInd>")
        let cut = String(StatementFixtures.camt.prefix(StatementFixtures.camt.count * 2 / 3))
        let doctype = StatementFixtures.camt.replacingOccurrences(of: "</Document>", with: "</Document>\n<!-- <!DOCTYPE d> -->")
        for text in [unbalanced, badEntry, cut, doctype] {
            let whole = try Self.same(text, format: .camt053)
            #expect(whole.hasPrefix("refused"), "\(whole)")
        }
        #expect(try Self.same(unbalanced, format: .camt053).contains("balances do not add up"))
        #expect(try Self.same(badEntry, format: .camt053).contains("Ntry[2]/RvslInd"))
        #expect(try Self.same(cut, format: .camt053).contains("malformed XML"))
        #expect(try Self.same(doctype, format: .camt053).contains("DOCTYPE"))
    }

    @Test func camtLargeFileSameRecords() throws {
        let day = CalendarDate("2026-11-23")!
        let entries = (1...20_000).map { i in
            StatementEntry(valueDate: day, direction: i % 50 == 0 ? .credit : .debit, amount: Rupiah(100_000 + Int64(i)),
                           bankReference: "BNK\(i)", customerReference: "SLR\(i)", description: "TRF KE \(7_000_000_000 + i)")
        }
        let net = entries.reduce(Int64(0)) { $0 + ($1.direction == .credit ? $1.amount.value : -$1.amount.value) }
        let statement = Statement(accountNo: "0011999999", statementId: "BIG", openingBalance: Rupiah(100_000_000_000),
                                  closingBalance: Rupiah(100_000_000_000 + net), openingDate: day, closingDate: day, entries: entries,
                                  format: .camt053)
        let whole = try Self.same(Camt053Writer.write([statement]), format: .camt053, chunkSizes: [4093, 1 << 20])
        #expect(whole.hasPrefix("20000 entries"), "\(whole.prefix(200))")
    }

    static let csv = """
        Rekening;Tanggal;Keterangan;Nominal;D/K;No Ref
        0011999999;23/11/2026;"TRF SLR000000000001; Ñoño 🇮🇩";300.000,00;D;20261123000001
        0011999999;23/11/2026;"TRF ""SLR000000000002""
        baris dua";300.000,00;D;20261123000002

        """

    @Test func csvSameRecords() throws {
        let whole = try Self.same(Self.csv, format: .csv, mapping: Self.csvMapping)
        #expect(whole.hasPrefix("2 entries"), "\(whole)")
        var skipping = Self.csvMapping
        skipping.skipLeadingLines = 2
        skipping.skipTrailingLines = 2
        let framed = "Mutasi Rekening\nPeriode 23/11/2026\n" + Self.csv + "Saldo Awal;10.000.000,00\nSaldo Akhir;9.400.000,00\n"
        #expect(try Self.same(framed, format: .csv, mapping: skipping).hasPrefix("2 entries"))
    }

    @Test func csvSameRefusals() throws {
        let unbalanced = Self.csv.replacingOccurrences(of: "300.000,00;D;20261123000002", with: "300.001,00;D;20261123000002")
        let badRows = Self.csv + "0011999999;31/11/2026;X;1,00;D;R3\n0011999999;23/11/2026;Y;1,00;Q;R4\n0011999998;23/11/2026;Z;1,00;D;R5\n"
        let unclosed = badRows + "0011999999;23/11/2026;\"never closed;1,00;D;R6\n"
        let otherAccount = Self.csv.replacingOccurrences(of: "0011999999", with: "0099888777")
        for text in [unbalanced, badRows, unclosed, otherAccount, "", "Rekening;Tanggal\n"] {
            let whole = try Self.same(text, format: .csv, mapping: Self.csvMapping)
            #expect(whole.hasPrefix("refused"), "\(whole)")
        }
        let rows = try Self.same(badRows, format: .csv, mapping: Self.csvMapping)
        #expect(rows.contains("bank:5: Tanggal") && rows.contains("bank:6: D/K") && rows.contains("bank:7: Rekening"), "\(rows)")
        #expect(try Self.same(unclosed, format: .csv, mapping: Self.csvMapping).contains("bank:8"))
    }

    /// `salurctl reconcile FILE.xml` reads a regular camt.053 file in chunks: stored and matched as
    /// the whole reading would; a DOCTYPE at its end refused with exit 65, nothing stored.
    @Test func salurctlReadsACamtFile() async throws {
        let cli = ReconcileCLITests()
        let (fixture, config) = try cli.workspace(); defer { fixture.remove() }
        try fixture.seed([.init(id: 1, account: "0012000001", bankReference: "20261123000001"),
                          .init(id: 2, account: "0012000002", bankReference: "20261123000002")])
        let refused = StatementFixtures.camt.replacingOccurrences(of: "</Document>", with: "</Document>\n<!-- <!DOCTYPE d> -->")
        try refused.write(toFile: fixture.directory + "/refused.xml", atomically: true, encoding: .utf8)
        let no = try await cli.run(fixture, config, ["reconcile", "refused.xml"])
        #expect(no.status == 65 && no.stderr.contains("refused.xml:\(refused.split(separator: "\n").count): Document: a DOCTYPE"), "\(no)")
        try StatementFixtures.camt.write(toFile: fixture.directory + "/bank.xml", atomically: true, encoding: .utf8)
        let done = try await cli.run(fixture, config, ["reconcile", "bank.xml", "--as-of", "2026-11-24", "--json"])
        #expect(done.status == 0, "\(done)")
        let outcome = try #require((try cli.json(done.stdout) as? [[String: Any]])?.first?["run"] as? [String: Any])
        #expect(outcome["statements_stored"] as? Int == 1 && outcome["entries_stored"] as? Int == 3, "\(outcome)")
        #expect(outcome["matched_reference"] as? Int == 2, "\(outcome)")
    }
}
