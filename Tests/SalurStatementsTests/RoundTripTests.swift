import Testing
import SalurCore
@testable import SalurStatements

@Suite("Writers round-trip through the parsers")
struct RoundTripTests {
    /// Descriptions that exercise escaping and wrapping.
    static let awkward: [String] = [
        "Penyaluran bansos Kec. Maulafa & Oebobo <tahap 2> 'PKH' \"BPNT\" — RT 03/RW 01",
        "Bantuan sosial non-tunai untuk Ibu Siti Nurhaliza binti Abdullah, Desa Tuapukan, Kecamatan Kupang Timur, Kabupaten Kupang, Nusa Tenggara Timur",
        String(repeating: "PANJANGTANPASPASI", count: 12),
        "pembayaran :20:bukan-tag :61:juga-bukan -} {1:bukan-blok} - akhir",
        String(repeating: "ab ", count: 40) + ":86:x" + String(repeating: " -", count: 30) + " end",
        "Rp 1.500.000,00 diterima oleh ÉLODIE Ñandú 日本 🇮🇩 dengan benar",
        "a  b   c    d " + String(repeating: "z", count: 64) + "  e",
    ]

    static func statement(descriptions: [String], format: StatementFormat) -> Statement {
        var entries: [StatementEntry] = []
        var balance: Int64 = 10_000_000
        for (index, description) in descriptions.enumerated() {
            let credit = index % 3 == 1
            let amount: Int64 = 1_000 * Int64(index + 1)
            balance += credit ? amount : -amount
            entries.append(StatementEntry(
                valueDate: day("2026-01-2\(index % 10)"), bookingDate: index % 2 == 0 ? day("2026-01-2\(index % 10)") : nil,
                direction: credit ? .credit : .debit, amount: Rupiah(amount), isReversal: index == 4,
                bankReference: index == 2 ? "" : "FT2601\(index)//X&<'\"", customerReference: index == 3 ? "" : "SALUR-\(index) 'ok'",
                counterpartyAccount: format == .mt940 ? nil : "12345\(index)",
                counterpartyName: format == .mt940 ? nil : "Maria O'Brien & \"Anak\" <Kupang> \(index)",
                description: description))
        }
        return Statement(accountNo: "1230007654321", statementId: "STMT&<'\"2026", sequence: format == .mt940 ? "00031/001" : "31",
                         openingBalance: Rupiah(10_000_000), closingBalance: Rupiah(balance),
                         closingAvailableBalance: Rupiah(balance - 5), openingDate: day("2026-01-19"),
                         closingDate: day("2026-01-31"), entries: entries, format: format, sourceFile: "rt")
    }

    @Test func mt940AwkwardText() throws {
        let original = Self.statement(descriptions: Self.awkward, format: .mt940)
        try original.checkBalance()
        let text = MT940Writer.write([original])
        let parsed = try MT940Parser.parse(text, file: "rt")
        #expect(difference(parsed.map(\.content), [original.content]) == nil)
        // Reading what it wrote gives the same lines too.
        #expect(try MT940Parser.parse(MT940Writer.write(parsed), file: "rt") == parsed)
        // Every `:86:` line, tag included, stays within 65 characters.
        for line in text.split(separator: "\r\n") where !line.hasPrefix(":61:") && !line.hasPrefix(":20:") {
            #expect(line.unicodeScalars.count <= 65, "\(line)")
        }
    }

    @Test func mt940WrittenLayout() throws {
        let statement = Statement(
            accountNo: "1230007654321", statementId: "S1", sequence: "00001/001", openingBalance: Rupiah(-1_000),
            closingBalance: Rupiah(1_500_000), closingAvailableBalance: nil, openingDate: day("2026-01-30"), closingDate: day("2026-01-31"),
            entries: [StatementEntry(valueDate: day("2026-01-31"), bookingDate: day("2026-02-01"), direction: .credit,
                                     amount: Rupiah(1_501_000), bankReference: "FT1", customerReference: "BANSOS-1",
                                     description: "SETORAN")],
            format: .mt940)
        #expect(MT940Writer.write([statement]) == [
            ":20:S1", ":25:1230007654321", ":28C:00001/001", ":60F:D260130IDR1000,00",
            ":61:2601310201C1501000,00NTRFBANSOS-1//FT1", ":86:SETORAN", ":62F:C260131IDR1500000,00", "-", "",
        ].joined(separator: "\r\n"))
    }

    @Test(arguments: [MT940Fixtures.standard, MT940Fixtures.bri, MT940Fixtures.twoStatements, MT940Fixtures.reversal])
    func mt940Fixtures(_ fixture: String) throws {
        let parsed = try MT940Parser.parse(fixture, file: "f")
        let again = try MT940Parser.parse(MT940Writer.write(parsed), file: "f")
        #expect(again.map(\.content) == parsed.map(\.content))
    }

    @Test func camtAwkwardText() throws {
        var original = Self.statement(descriptions: Self.awkward, format: .camt053)
        original.entries[1].status = .pending
        original.statementId = "id\rwith carriage return"
        let text = Camt053Writer.write([original, original], messageId: "M&1")
        let parsed = try Camt053Parser.parse(text, file: "rt")
        #expect(difference(parsed.map(\.content), [original.content, original.content]) == nil)
        #expect(try Camt053Parser.parse(Camt053Writer.write(parsed), file: "rt") == parsed)
        #expect(text.contains("Maria O&apos;Brien &amp; &quot;Anak&quot; &lt;Kupang&gt;"))
        #expect(!text.contains("\r"))
    }

    @Test func camtFixture() throws {
        let parsed = try Camt053Parser.parse(Camt053Fixtures.twoStatements, file: "f")
        var expected = parsed.map(\.content)
        // The writer writes Ustrd only; an AddtlNtryInf-only description comes back from Ustrd.
        let again = try Camt053Parser.parse(Camt053Writer.write(parsed), file: "f")
        #expect(again.map(\.content) == expected)
        expected[0].entries[0].description = ""
        #expect(again.map(\.content) != expected)
    }

    @Test func textsAreOneLine() throws {
        let text = "tab\tinside and\nnewline and \r\n carriage return"
        let expected = "tab inside and newline and    carriage return"
        let mt940 = Self.statement(descriptions: [text], format: .mt940)
        #expect(try MT940Parser.parse(MT940Writer.write([mt940]), file: "t").first?.entries.first?.description == expected)
        let camt = Self.statement(descriptions: [text], format: .camt053)
        #expect(try Camt053Parser.parse(Camt053Writer.write([camt]), file: "t").first?.entries.first?.description == expected)
    }

    @Test func mt940StructureAtACutCostsOneSpace() throws {
        // Cut at 61 characters, the next line would start with `:20:`, which reads as a tag; with
        // no space to break at, the writer cuts one character early and the join adds a space.
        let description = String(repeating: "x", count: 61) + ":20:" + String(repeating: "y", count: 70)
        let statement = Self.statement(descriptions: [description], format: .mt940)
        let parsed = try MT940Parser.parse(MT940Writer.write([statement]), file: "t")
        #expect(parsed.first?.entries.first?.description == String(repeating: "x", count: 60) + " x:20:" + String(repeating: "y", count: 70))
        #expect(parsed.first?.entries.count == 1)
    }

    @Test func camtControlCharactersBecomeReplacement() throws {
        var statement = Self.statement(descriptions: ["bell\u{07}here"], format: .camt053)
        statement.entries[0].counterpartyName = "nul\u{00}name"
        let parsed = try Camt053Parser.parse(Camt053Writer.write([statement]), file: "c")
        #expect(parsed[0].entries[0].description == "bell\u{FFFD}here")
        #expect(parsed[0].entries[0].counterpartyName == "nul\u{FFFD}name")
    }

    @Test func mt940ToCamtAndBack() throws {
        // A statement read from MT940 survives a trip through camt.053, but for MT940's
        // non-numeric sequence, which camt's ElctrncSeqNb cannot hold.
        let fromMT940 = try MT940Parser.parse(MT940Fixtures.standard, file: "f")
        let viaCamt = try Camt053Parser.parse(Camt053Writer.write(fromMT940), file: "f")
        var expected = fromMT940.map(\.content)
        for index in expected.indices { expected[index].format = .camt053; expected[index].sequence = nil }
        #expect(viaCamt.map(\.content) == expected)
    }

    // MARK: Property: random statements

    /// Characters chosen to hurt: markup, quotes, colons and dashes that could read as MT940
    /// structure, Indonesian and non-Latin text, spaces that could be trimmed.
    static let alphabet: [String] = ["a", "B", "z", "0", "9", " ", " ", " ", ":", "-", "}", "{", "/", "&", "<", ">", "'", "\"",
                                     "é", "ñ", "日", "🇮🇩", "\t", ",", ".", "2", "1", "F", "N", "S", "+", "?", "\\"]

    static func randomText(_ generator: inout SplitMix64, maxLength: Int, alphabet: [String] = alphabet) -> String {
        let length = Int.random(in: 0...maxLength, using: &generator)
        var text = ""
        for _ in 0..<length { text += alphabet.randomElement(using: &generator)! }
        return text
    }

    /// Text as a parser would produce it: one line, no surrounding spaces.
    static func parserShaped(_ text: String) -> String {
        var scalars = Substring(text.replacing("\t", with: " ")).unicodeScalars
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(Substring(scalars))
    }

    static func randomStatement(_ generator: inout SplitMix64, format: StatementFormat) -> Statement {
        let referenceAlphabet = ["A", "Z", "0", "7", "-", ".", " ", "_"]
        var entries: [StatementEntry] = []
        let start = day("2026-01-01")
        let count = Int.random(in: 0...6, using: &generator)
        for _ in 0..<count {
            let valueDay = Int.random(in: 1...28, using: &generator)
            let booking = Bool.random(using: &generator) ? CalendarDate(year: 2026, month: 1, day: min(28, valueDay + Int.random(in: 0...3, using: &generator))) : nil
            let name = parserShaped(randomText(&generator, maxLength: 30))
            let account = parserShaped(randomText(&generator, maxLength: 12, alphabet: referenceAlphabet))
            var customer = parserShaped(randomText(&generator, maxLength: 16, alphabet: referenceAlphabet))
            if format == .camt053, customer == "NOTPROVIDED" { customer = "" }
            entries.append(StatementEntry(
                valueDate: CalendarDate(year: 2026, month: 1, day: valueDay) ?? start, bookingDate: booking,
                direction: Bool.random(using: &generator) ? .debit : .credit,
                amount: Rupiah(Int64.random(in: 0...Int64(1) << 40, using: &generator)),
                isReversal: Int.random(in: 0..<5, using: &generator) == 0,
                status: format == .camt053 && Bool.random(using: &generator) ? .pending : .booked,
                bankReference: parserShaped(randomText(&generator, maxLength: 16, alphabet: referenceAlphabet)),
                customerReference: customer,
                counterpartyAccount: format == .camt053 && !account.isEmpty ? account : nil,
                counterpartyName: format == .camt053 && !name.isEmpty ? name : nil,
                description: parserShaped(randomText(&generator, maxLength: 400))))
        }
        let available: Rupiah? = Bool.random(using: &generator) ? Rupiah(Int64.random(in: -1_000_000...1_000_000, using: &generator)) : nil
        return Statement(
            accountNo: "00" + String(Int.random(in: 1000...999_999_999, using: &generator)),
            statementId: "S" + parserShaped(randomText(&generator, maxLength: 20, alphabet: referenceAlphabet)),
            sequence: Bool.random(using: &generator) ? String(Int.random(in: 1...99_999, using: &generator)) : nil,
            openingBalance: Rupiah(Int64.random(in: -(Int64(1) << 50)...(Int64(1) << 50), using: &generator)),
            closingBalance: Rupiah(Int64.random(in: -(Int64(1) << 50)...(Int64(1) << 50), using: &generator)),
            closingAvailableBalance: available, openingDate: day("2025-12-31"), closingDate: day("2026-01-31"),
            entries: entries, format: format, sourceFile: "p")
    }

    @Test(arguments: [StatementFormat.mt940, .camt053])
    func randomStatementsRoundTrip(_ format: StatementFormat) throws {
        var generator = SplitMix64(seed: format == .mt940 ? 0x5A1_0940 : 0x5A1_0053)
        for iteration in 0..<400 {
            let statements = (0..<Int.random(in: 1...3, using: &generator)).map { _ in Self.randomStatement(&generator, format: format) }
            let parsed: [Statement]
            switch format {
            case .mt940: parsed = try MT940Parser.parse(MT940Writer.write(statements), file: "p")
            default: parsed = try Camt053Parser.parse(Camt053Writer.write(statements), file: "p")
            }
            #expect(difference(parsed.map(\.content), statements.map(\.content)) == nil, "\(format) iteration \(iteration)")
            if parsed.map(\.content) != statements.map(\.content) { break }
        }
    }
}
