import Testing
import SalurCore
@testable import SalurStore

/// The content hash identifies a statement across files and formats, and stored statements keep
/// the hash they were stored with: its bytes must never change. It is SHA-256 over each field
/// written as `<UTF-8 length>:<UTF-8>`, the statement's fields first, then each booked line's.
@Suite("Statement fingerprint")
struct StatementFingerprintTests {
    /// The definition above, written out plainly: every field's bytes in one array, hashed once.
    static func expected(_ record: StatementRecord) -> String {
        var bytes: [UInt8] = []
        func field(_ text: String) { bytes += Array("\(text.utf8.count):".utf8) + Array(text.utf8) }
        for text in [record.accountNo, record.statementId, record.sequence, record.currency, record.openingBalanceSen.plain,
                     record.openingDate.description, record.closingBalanceSen.plain, record.closingDate.description] {
            field(text)
        }
        for line in record.lines where line.isBooked {
            for text in [line.valueDate.description, line.isDebit ? "D" : "C", line.isReversal ? "R" : "", line.amountSen.plain,
                         line.bankReference, line.customerReference] {
                field(text)
            }
        }
        return AuditChain.sha256Hex(bytes)
    }

    static func record(lines count: Int) -> StatementRecord {
        let day = CalendarDate(year: 2026, month: 11, day: 1)!
        let lines = (0..<count).map { index in
            StatementLine(valueDate: day.adding(days: index % 30)!, bookingDate: nil, isDebit: index % 3 != 0,
                          amountSen: Sen(Int64(index) * 7_919 + (index % 2 == 0 ? 0 : 55)), isReversal: index % 17 == 0,
                          isBooked: index % 11 != 0,
                          // Long and short references, non-ASCII ones, empty ones, and lengths of 10 and more digits.
                          bankReference: index % 5 == 0 ? "" : String(repeating: "FT\(index)é", count: 1 + index % 4),
                          customerReference: index % 7 == 0 ? "" : "BANSOS-\(index)-Ünïcødé-🇮🇩",
                          counterpartyAccount: nil, counterpartyName: nil, description: "ignored \(index)", line: index + 1)
        }
        return StatementRecord(accountNo: "0011999999", statementId: "STMT/2026/11", sequence: "11/1", contentHash: "",
                               format: "mt940", currency: "IDR", openingBalanceSen: Sen(-12_345), closingBalanceSen: Sen(99_999_999_901),
                               openingDate: day, closingDate: day.adding(days: 29)!, sourceFile: "f.sta", sourceLine: 1,
                               fileSHA256: "", lines: lines)
    }

    /// Across many buffer fills (over 64 KiB of fields) and with none.
    @Test(arguments: [0, 1, 2, 5_000])
    func sameBytesAsTheDefinition(lines: Int) {
        let record = Self.record(lines: lines)
        #expect(StatementFingerprint.contentHash(of: record) == Self.expected(record))
    }

    /// A value computed by the field-by-field hashing this replaced, so that a change to both the code and the
    /// definition above still fails.
    @Test func knownValue() {
        var record = Self.record(lines: 0)
        record.lines = [StatementLine(valueDate: CalendarDate(year: 2026, month: 1, day: 30)!, bookingDate: nil, isDebit: true,
                                      amountSen: Sen(150_000_000), isReversal: false, isBooked: true, bankReference: "FT26030AYB2C",
                                      customerReference: "BANSOS-000001", counterpartyAccount: nil, counterpartyName: nil,
                                      description: "", line: 6)]
        #expect(StatementFingerprint.contentHash(of: record) == "a3adacc6af58b7b6b763e6440cda055a7a5ae03c3bac3a5c4cfbc2369536bfb2")
    }
}
