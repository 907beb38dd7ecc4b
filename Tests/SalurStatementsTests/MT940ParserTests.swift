import Testing
import SalurCore
@testable import SalurStatements

@Suite("MT940 parser")
struct MT940ParserTests {
    @Test func standardFile() throws {
        let statements = try MT940Parser.parse(MT940Fixtures.standard, file: "mandiri.sta")
        #expect(statements.count == 1)
        let statement = try #require(statements.first)
        #expect(statement.accountNo == "1230007654321")
        #expect(statement.statementId == "STMT20260131")
        #expect(statement.sequence == "00031/001")
        #expect(statement.currency == "IDR")
        #expect(statement.openingBalance == Rupiah(250_000_000))
        #expect(statement.closingBalance == Rupiah(253_493_500))
        #expect(statement.closingAvailableBalance == Rupiah(253_493_500))
        #expect(statement.openingDate == day("2026-01-30"))
        #expect(statement.closingDate == day("2026-01-31"))
        #expect(statement.format == .mt940)
        #expect(statement.sourceLine == 2)
        #expect(statement.sourceFile == "mandiri.sta")
        #expect(statement.entries.count == 3)

        let payment = statement.entries[0]
        #expect(payment.valueDate == day("2026-01-30"))
        #expect(payment.bookingDate == day("2026-01-30"))
        #expect(payment.direction == .debit)
        #expect(payment.amount == Rupiah(1_500_000))
        #expect(!payment.isReversal)
        #expect(payment.status == .booked)
        #expect(payment.customerReference == "BANSOS-000001")
        #expect(payment.bankReference == "FT26030A1B2C")
        #expect(payment.description == "TRF BANSOS NT 2026-01 KE 1234567890 BUDI SANTOSO KEL. OESAPA KEC. KELAPA LIMA")
        #expect(payment.counterpartyAccount == nil && payment.counterpartyName == nil)
        #expect(payment.line == 6)

        #expect(statement.entries[1].direction == .credit)
        #expect(statement.entries[1].customerReference == "")
        #expect(statement.entries[1].bankReference == "FT26031ZZZ")
        #expect(statement.entries[1].line == 9)
        #expect(statement.entries[2].amount == Rupiah(6_500))
        #expect(statement.entries[2].bankReference == "")
        #expect(statement.entries[2].description == "BIAYA ADM")
        try statement.checkBalance()
    }

    @Test func briStyle() throws {
        let statements = try MT940Parser.parse(MT940Fixtures.bri, file: "bri.txt")
        let statement = try #require(statements.first)
        #expect(statements.count == 1)
        #expect(statement.statementId == "BRI0001")
        #expect(statement.sequence == "1/1")
        #expect(statement.openingBalance == Rupiah(10_000_000))
        #expect(statement.closingBalance == Rupiah(7_600_000))
        #expect(statement.entries.map(\.amount) == [Rupiah(2_500_000), Rupiah(100_000)])
        #expect(statement.entries.map(\.bookingDate) == [nil, nil])
        #expect(statement.entries.map(\.valueDate) == [day("2026-02-01"), day("2026-02-02")])
        #expect(statement.entries.map(\.description) == ["TRF BANSOS", "BUNGA"])
        #expect(statement.entries[0].customerReference == "REF001")
        #expect(statement.entries[0].bankReference == "BRI123")
        #expect(statement.entries[1].direction == .credit)
        #expect(statement.entries.map(\.line) == [5, 7])
        try statement.checkBalance()
    }

    @Test func twoStatementsInOneFile() throws {
        let statements = try MT940Parser.parse(MT940Fixtures.twoStatements, file: "bni.sta")
        #expect(statements.count == 2)
        #expect(statements.map(\.sequence) == ["00032/001", "00032/002"])
        #expect(statements.map(\.sourceLine) == [1, 9])
        #expect(statements.map(\.openingBalance) == [Rupiah(1_000_000), Rupiah(750_000)])
        #expect(statements.map(\.closingBalance) == [Rupiah(750_000), Rupiah(500_000)])
        #expect(statements[1].entries.first?.customerReference == "SALUR-0000002")
        #expect(statements[1].entries.first?.line == 13)
        for statement in statements { try statement.checkBalance() }
    }

    @Test func reversals() throws {
        let statement = try #require(try MT940Parser.parse(MT940Fixtures.reversal, file: "rev.sta").first)
        #expect(statement.openingBalance == Rupiah(-100_000))
        #expect(statement.closingBalance == Rupiah(-100_000))
        let kinds = statement.entries.map { "\($0.direction)/\($0.isReversal)" }
        #expect(kinds == ["debit/false", "credit/true", "debit/true", "credit/false"])
        #expect(statement.entries[1].description == "RETUR REKENING TIDAK AKTIF")
        #expect(statement.entries[3].description == "")
        try statement.checkBalance()
    }

    @Test func moreLeniency() throws {
        // No :28C:, a `:86:` whose text starts on its second line, a second `:86:` for the same
        // entry, supplementary details standing in for a missing `:86:`, a 65-character line that
        // runs on without a space, statement-level :86:, unknown and ignorable tags.
        let full = String(repeating: "X", count: 65)
        let text = """
        Laporan rekening koran - tidak untuk dibaca mesin
        :20:LENIENT
        :21:NONREF
        :25:0001112223
        :13D:2601311200+0700
        :60F:C260131IDR0
        :61:2601310131D100,NTRFABC
        SUPPLEMENTARY DETAILS
        :61:2601310131D100,0NTRFABC//X//Y
        :86:
        FIRST
        :86:SECOND
        :61:2601310131C200NTRFABC
        :86:\(full)
        YZ
        :62F:C260131IDR0
        :NS:9999 whatever
        :65:C260201IDR0
        :86:INFORMASI REKENING
        """
        let statement = try #require(try MT940Parser.parse(text, file: "x").first)
        #expect(statement.sequence == nil)
        #expect(statement.entries.map(\.description) == ["SUPPLEMENTARY DETAILS", "FIRST SECOND", full + "YZ"])
        #expect(statement.entries[1].bankReference == "X//Y")
        #expect(statement.entries[1].customerReference == "ABC")
        try statement.checkBalance()
    }

    @Test func bookingDateAcrossNewYear() throws {
        let text = """
        :20:NY
        :25:1
        :60F:C251231IDR0,00
        :61:2512310102D5,00NTRFA
        :61:2601011231C5,00NTRFB
        :62F:C260102IDR0,00
        """
        let statement = try #require(try MT940Parser.parse(text, file: "ny.sta").first)
        #expect(statement.entries.map(\.bookingDate) == [day("2026-01-02"), day("2025-12-31")])
    }

    /// Each broken file, the line the error must name, its field, and words its reason must contain.
    static let malformed: [(name: String, text: String, line: Int, field: String, reason: String)] = [
        ("bad balance date", ":20:A\n:25:1\n:60F:C26013XIDR100,00\n:62F:C260131IDR100,00", 3, ":60F:", "is not a date"),
        ("bad balance mark", ":20:A\n:25:1\n:60F:X260130IDR100,00\n:62F:C260131IDR100,00", 3, ":60F:", "starts with C (credit) or D (debit)"),
        ("balance without amount", ":20:A\n:25:1\n:60F:C260130IDR\n", 3, ":60F:", "no amount"),
        ("balance amount not a number", ":20:A\n:25:1\n:60F:C260130IDR1.500.000\n", 3, ":60F:", "is not a number"),
        ("foreign currency", ":20:A\n:25:1\n:60F:C260130USD100,00\n", 3, ":60F:", "USD is not supported"),
        ("currency changes", ":20:A\n:25:1\n:60F:C260130IDR100,00\n:62F:C260131EUR100,00", 4, ":62F:", "EUR is not supported"),
        ("mark not D/C/RD/RC", ":20:A\n:25:1\n:60F:C260130IDR100,00\n:61:260130X100,00NTRFNONREF\n:62F:C260131IDR100,00", 4, ":61:", "must be D, C, RD or RC; found \"X1\""),
        ("mark RX", ":20:A\n:25:1\n:60F:C260130IDR100,00\n:61:2601300130RX100,00NTRFNONREF\n:62F:C260131IDR100,00", 4, ":61:", "found \"RX\""),
        ("three decimals", ":20:A\n:25:1\n:60F:C260130IDR100,00\n:61:260130D1500,505NTRFNONREF\n:62F:C260131IDR100,00", 4, ":61:", "\"1500,505\" has 3 decimals"),
        ("three decimals in a balance", ":20:A\n:25:1\n:60F:C260130IDR100,001\n", 3, ":60F:", "has 3 decimals"),
        ("huge amount", ":20:A\n:25:1\n:60F:C260130IDR99999999999999999999,00\n", 3, ":60F:", "too large"),
        ("huge entry", ":20:A\n:25:1\n:60F:C260130IDR0\n:61:260130C99999999999999999999,00NTRFX\n", 4, ":61:", "too large"),
        ("entry before opening balance", ":20:A\n:25:1\n:61:260130D100,00NTRFNONREF\n:60F:C260130IDR100,00", 3, ":61:", "before any opening balance"),
        ("entry outside a statement", ":61:260130D100,00NTRFNONREF\n", 1, ":61:", "outside a statement"),
        ("entry after closing", ":20:A\n:25:1\n:60F:C260130IDR100,00\n:62F:C260131IDR100,00\n:61:260131D1,00NTRFX", 5, ":61:", "after the closing balance (line 4)"),
        ("bad value date", ":20:A\n:25:1\n:60F:C260130IDR100,00\n:61:260231D1,00NTRFX\n", 4, ":61:", "value date \"260231\" is not a date"),
        ("bad booking date", ":20:A\n:25:1\n:60F:C260130IDR100,00\n:61:2601301332D1,00NTRFX\n", 4, ":61:", "booking date \"1332\""),
        ("no amount", ":20:A\n:25:1\n:60F:C260130IDR100,00\n:61:260130DNTRFX\n", 4, ":61:", "no amount"),
        ("no transaction type", ":20:A\n:25:1\n:60F:C260130IDR100,00\n:61:260130D1,00\n", 4, ":61:", "transaction type"),
        ("decimal point", ":20:A\n:25:1\n:60F:C260130IDR100,00\n:61:260130D1500.00NTRFX\n", 4, ":61:", "found \".00N\""),
        ("no closing balance", ":20:A\n:25:1\n:60F:C260130IDR100,00\n:61:260130D1,00NTRFX\n", 4, "file", "no closing balance"),
        ("next statement too early", ":20:A\n:25:1\n:60F:C260130IDR100,00\n:20:B\n", 4, ":20:", "line 1 has no closing balance"),
        ("terminator too early", ":20:A\n:25:1\n:60F:C260130IDR100,00\n-\n", 4, "-", "without a closing balance"),
        ("no account", ":20:A\n:60F:C260130IDR100,00\n:62F:C260130IDR100,00\n", 1, ":25:", "no account number"),
        ("empty account", ":20:A\n:25:  \n", 2, ":25:", "empty"),
        ("two opening balances", ":20:A\n:25:1\n:60F:C260130IDR100,00\n:60F:C260130IDR100,00\n", 4, ":60F:", "second opening balance"),
        ("closing before opening", ":20:A\n:25:1\n:62F:C260130IDR100,00\n", 3, ":62F:", "before any opening balance"),
        ("two closing balances", ":20:A\n:25:1\n:60F:C260130IDR1\n:62F:C260130IDR1\n:62F:C260130IDR1\n", 5, ":62F:", "second closing balance"),
        ("text after a balance", ":20:A\n:25:1\n:60F:C260130IDR1\n:62F:C260130IDR1\n1000000,00\n", 5, ":62F:", "unexpected text"),
        ("empty file", "", 1, "file", "no MT940 statement found"),
        ("not MT940", "hello\nworld\n", 1, "file", "no MT940 statement found"),
    ]

    @Test(arguments: malformed.indices)
    func malformedFile(_ index: Int) throws {
        let (name, text, line, field, reason) = Self.malformed[index]
        let error = try #require(parseError { () throws(StatementParseError) in try MT940Parser.parse(text, file: "bad.sta") }, "\(name)")
        #expect(error.line == line, "\(name): \(error)")
        #expect(error.field == field, "\(name): \(error)")
        #expect(error.reason.contains(reason), "\(name): \(error)")
        #expect(error.file == "bad.sta")
        let separator = field.hasSuffix(":") ? " " : ": "
        #expect(error.description == "bad.sta:\(line): \(field)\(separator)\(error.reason)")
    }

    @Test func errorLineCountsCRLFAndBlankLines() throws {
        let text = "\r\n:20:A\r\n\r\n:25:1\r\n:60F:C260130IDR100,00\r\n:61:260130D1500,505NTRFNONREF\r\n"
        let error = try #require(parseError { () throws(StatementParseError) in try MT940Parser.parse(text, file: "f") })
        #expect(error.line == 6)
        #expect(error.description.hasPrefix("f:6: :61: amount \"1500,505\" has 3 decimals"))
    }

    @Test func latin1BytesAreRead() throws {
        var bytes = Array(":20:A\n:25:1\n:60F:C260130IDR0\n:61:260130C1NTRFX\n:86:CAF".utf8)
        bytes.append(0xC9) // É in ISO-8859-1, invalid as UTF-8
        bytes += Array("\n:62F:C260130IDR1\n".utf8)
        let statement = try #require(try MT940Parser.parse(bytes: bytes, file: "f").first)
        #expect(statement.entries.first?.description == "CAFÉ")
    }

    /// The grammar's marks (`{4:`, `-}`, `//`) are ASCII and are found as such, whatever follows
    /// them: a combining mark after one does not merge with it and hide it.
    @Test func marksAreFoundWhateverFollowsThem() throws {
        // `-}` then a combining acute ends the message, as `-}{5:…}` does: the second statement is read.
        let two = MT940Fixtures.twoStatements.replacingOccurrences(of: ":62M:C260201IDR750000,00\r\n-\r\n",
                                                                   with: ":62M:C260201IDR750000,00\r\n-}\u{301}\r\n")
        #expect(two != MT940Fixtures.twoStatements)
        #expect(try MT940Parser.parse(two, file: "f").count == 2)
        // `{4:` then a combining acute opens the text block; what follows it is text in the field before.
        let opened = ":20:A\n:25:1\n{4:\u{301}\n:60F:C260130IDR0\n:62F:C260130IDR0\n"
        let error = try #require(parseError { () throws(StatementParseError) in try MT940Parser.parse(opened, file: "f") })
        #expect(error.line == 3 && error.field == ":25:")
        #expect(error.reason == "unexpected text after :25:, which is one line: \"\u{301}\"")
        // `//` then a combining acute still starts the bank reference.
        let entry = try #require(try MT940Parser.parse(":20:A\n:25:1\n:60F:C260130IDR0\n:61:260130C1NTRFX//\u{301}B\n:62F:C260130IDR1\n",
                                                       file: "f").first?.entries.first)
        #expect(entry.customerReference == "X")
        #expect(entry.bankReference == "\u{301}B")
    }
}
