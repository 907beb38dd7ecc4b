import Foundation
import SalurCore
import SalurReports
import SalurStatements
import SalurStore
import Testing

/// `StatementFile(mt940At:)` reads an MT940 file a chunk at a time; it must give the records, and
/// refuse with the errors, of `StatementFile(bytes:)` reading the same file whole.
@Suite("Statement file read in chunks")
struct StatementFileReadingTests {
    /// Both readings of `text` written to a file: the records (as text) or the error (as text).
    static func both(_ text: String, sourceAccount: String? = ReconcileFixture.source) throws -> (whole: String, chunked: String) {
        let path = NSTemporaryDirectory() + "salur-chunked-\(UUID().uuidString).sta"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let digest = try #require(try SourceFile.digest(path: path))
        func outcome(_ read: () throws -> StatementFile) -> String {
            do {
                let file = try read()
                return "\(file.entryCount) entries, sha256 \(file.sha256), \(file.format): "
                    + file.records(sourceFile: "bank.sta").map { String(describing: $0) }.joined(separator: "\n")
            } catch {
                return "refused: \(error)"
            }
        }
        let whole = outcome {
            try StatementFile(bytes: Array(text.utf8), file: "bank.sta", format: nil, csvMapping: nil, sourceAccount: sourceAccount)
        }
        let chunked = outcome {
            try StatementFile(mt940At: path, sha256: digest.source.sha256, lineFeeds: digest.lineEnds > 0, file: "bank.sta",
                              sourceAccount: sourceAccount)
        }
        return (whole, chunked)
    }

    @Test func sameRecords() throws {
        for text in [StatementFixtures.mandiri, StatementFixtures.bri, StatementFixtures.mandiri + StatementFixtures.bri] {
            let (whole, chunked) = try Self.both(text)
            #expect(whole == chunked)
            #expect(!whole.hasPrefix("refused"), "\(whole)")
        }
    }

    @Test func largeFileSameRecords() throws {
        let entries = (1...30_000).map { i in
            (mark: i % 50 == 0 ? "C" : "D", amount: Int64(100_000 + i), reference: "SLR\(i)//BANK\(i)", info: "TRF KE \(7_000_000_000 + i)")
        }
        let (whole, chunked) = try Self.both(StatementFixtures.statement(opening: 100_000_000_000, entries: entries))
        #expect(whole == chunked)
        #expect(whole.hasPrefix("30000 entries"), "\(whole.prefix(200))")
    }

    /// The same refusal, and the same first one when a file has several problems: a parse error
    /// anywhere comes before a balance that does not add up in an earlier statement, which comes
    /// before a statement for another account.
    @Test func sameRefusals() throws {
        let unbalanced = StatementFixtures.statement(id: "S1", entries: [("D", 300_000, "SLR1", "TRF")], closing: 9_000_000)
        let otherAccount = StatementFixtures.statement(id: "S2", sequence: "00002/001", entries: [("D", 300_000, "SLR2", "TRF")],
                                                       account: "0099888777")
        let broken = StatementFixtures.statement(id: "S3", sequence: "00003/001", entries: [("D", 300_000, "SLR3", "TRF")])
            .replacingOccurrences(of: ":61:261123D", with: ":61:261123X")
        for text in [unbalanced, otherAccount, broken, otherAccount + unbalanced, unbalanced + otherAccount + broken,
                     unbalanced + otherAccount] {
            let (whole, chunked) = try Self.both(text)
            #expect(whole == chunked)
            #expect(whole.hasPrefix("refused"), "\(whole)")
        }
        #expect(try Self.both(unbalanced + otherAccount + broken).whole.contains("debit/credit mark"))
        #expect(try Self.both(otherAccount + unbalanced).whole.contains("not the treasury's source account"))
        #expect(try Self.both(unbalanced + otherAccount).whole.contains("balances do not add up"))
    }
}
