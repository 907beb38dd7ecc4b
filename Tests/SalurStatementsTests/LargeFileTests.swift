import Testing
import SalurCore
@testable import SalurStatements

/// A month of bansos payouts for a regency is tens of thousands of entries: reading and writing
/// must stay linear.
@Suite("Large files")
struct LargeFileTests {
    static let entryCount = 20_000

    static func bigStatement(format: StatementFormat) -> Statement {
        var entries: [StatementEntry] = []
        entries.reserveCapacity(entryCount)
        for index in 0..<entryCount {
            entries.append(StatementEntry(
                valueDate: day("2026-01-31"), bookingDate: day("2026-01-31"), direction: .debit, amount: Rupiah(300_000),
                bankReference: "FT\(index)", customerReference: "SALUR-\(index)",
                counterpartyName: format == .camt053 ? "Penerima \(index)" : nil,
                description: "TRF BANSOS NT 2026-01 KE REKENING PENERIMA NOMOR \(index) KELURAHAN OESAPA KECAMATAN KELAPA LIMA"))
        }
        return Statement(accountNo: "1230007654321", statementId: "BIG", openingBalance: Rupiah(6_000_000_000),
                         closingBalance: Rupiah(0), openingDate: day("2026-01-30"), closingDate: day("2026-01-31"),
                         entries: entries, format: format, sourceFile: "big")
    }

    @Test(arguments: [StatementFormat.mt940, .camt053])
    func twentyThousandEntries(_ format: StatementFormat) throws {
        let statement = Self.bigStatement(format: format)
        let clock = ContinuousClock()
        let started = clock.now
        let parsed: [Statement]
        switch format {
        case .mt940: parsed = try MT940Parser.parse(MT940Writer.write([statement]), file: "big")
        default: parsed = try Camt053Parser.parse(Camt053Writer.write([statement]), file: "big")
        }
        let elapsed = clock.now - started
        #expect(parsed.first?.entries.count == Self.entryCount)
        #expect(difference(parsed.map(\.content), [statement.content]) == nil)
        try parsed.first?.checkBalance()
        #expect(elapsed < .seconds(30), "\(format): \(elapsed)")
    }

    /// A document handed to the reader in one chunk larger than libxml2 takes at once (10 MB) is
    /// still given to it a slice at a time.
    @Test func oneChunkOverTenMegabytes() throws {
        let statement = Self.bigStatement(format: .camt053)
        let bytes = Array(Camt053Writer.write([statement]).utf8)
        try #require(bytes.count > 10_000_000)
        let parsed = try Camt053Parser.parse(bytes: bytes, file: "big", chunkSize: bytes.count)
        #expect(difference(parsed.map(\.content), [statement.content]) == nil)
    }
}
