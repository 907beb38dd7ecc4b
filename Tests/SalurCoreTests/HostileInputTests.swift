import SalurCore
import Testing

/// Input a hostile or careless operator might give, and files that must not attack whoever opens
/// them: formulas neutralised on the way out, control and bidi characters refused on the way in,
/// errors that escape what they echo, and bounded work on bad files.
@Suite("Hostile input")
struct HostileInputTests {
    static let formulas = ["=HYPERLINK(\"http://x\",\"klik\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]

    func text(_ writer: CSVWriter) -> String { String(decoding: writer.output, as: UTF8.self) }

    func readBack(_ bytes: [UInt8], separator: UInt8 = UInt8(ascii: ",")) throws -> [[String]] {
        var reader = CSVReader(bytes: bytes, file: "x.csv", separator: separator)
        var rows: [[String]] = []
        while let record = try reader.next() { rows.append(record.fields.map { $0.string ?? "<not utf8>" }) }
        return rows
    }

    // MARK: Formulas out

    @Test("a text cell that starts like a formula is written with a quote in front, in double quotes",
          arguments: [(false, UInt8(ascii: ",")), (true, UInt8(ascii: ";"))])
    func formulasAreNeutralised(excel: Bool, separator: UInt8) throws {
        var writer = CSVWriter(excel: excel)
        for formula in Self.formulas { writer.write([.text(formula), .number(-5000), .number(300_000)]) }
        let bytes = Array(writer.output.dropFirst(excel ? 3 : 0))
        let sep = String(UnicodeScalar(separator))
        #expect(String(decoding: bytes, as: UTF8.self) == [
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"klik\"\")\"", "\"'+1\"", "\"'-2+3\"", "\"'@SUM(A1)\"", "\"'\tx\"", "\"'\rx\"",
        ].map { $0 + sep + "-5000" + sep + "300000\r\n" }.joined())
        // Read back: every name comes out as text with the quote, every amount as it went in.
        let rows = try readBack(bytes, separator: separator)
        #expect(rows.map { $0[0] } == Self.formulas.map { "'" + $0 })
        #expect(rows.allSatisfy { $0[1] == "-5000" && $0[2] == "300000" })
    }

    @Test func plainTextNumbersAndNumeralsAreLeftAlone() {
        var writer = CSVWriter()
        writer.write([.text("Yohanes Ndun"), .text("2026-12-01"), .text(""), .text("a=b"), .text(" -x"),
                      .number(-1), .number(0), .numeral("+6281237000001"), .numeral("0011000001"), .numeral("-42")])
        #expect(text(writer) == "Yohanes Ndun,2026-12-01,,a=b,\" -x\",-1,0,+6281237000001,0011000001,-42\r\n")
    }

    @Test("a numeral that is not only a sign and digits is text, neutralised as text is",
          arguments: ["+1+cmd|' /C calc'!A0", "-", "+", "=1", "@x", "-1 ", "12a"])
    func numeralsThatAreNotNumbersAreText(value: String) {
        var writer = CSVWriter()
        writer.write([.numeral(value)])
        var expected = CSVWriter()
        expected.write([.text(value)])
        #expect(writer.output == expected.output)
        if CSVWriter.startsLikeFormula(value) { #expect(text(writer).hasPrefix("\"'")) }
    }

    @Test func headersAndStringRowsAreText() {
        var writer = CSVWriter()
        writer.write(["nik", "-5000", "=1"])
        #expect(text(writer) == "nik,\"'-5000\",\"'=1\"\r\n")
    }

    // MARK: Characters in

    @Test("control and bidi-formatting characters are refused in names and reasons", arguments: [
        "Yo\u{1B}[31mhanes", "Yo\u{0}hanes", "Yo\u{7}hanes", "Yo\nhanes", "Yo\thanes", "Yo\rhanes", "Yo\u{7F}hanes",
        "Yo\u{85}hanes", "Yo\u{9B}hanes", "Yo\u{202E}senahoY", "Yo\u{202A}x", "Yo\u{2066}x", "Yo\u{2069}x", "Yo\u{200E}x",
        "Yo\u{200F}x", "Yo\u{061C}x", "\u{1B}]0;pwned\u{7}",
    ])
    func forbiddenCharacters(value: String) {
        #expect(Validate.personName(value) != nil)
        #expect(Validate.text(value, maxLength: 200) != nil)
        #expect(Validate.freeText(value, maxLength: 200, allowEmpty: true) != nil)
        #expect(Validate.reason(value) != nil)
        #expect(Validate.forbiddenCharacter(in: value) != nil)
    }

    @Test func realNamesAndReasonsAreAccepted() {
        for value in ["Yohanes Ndun", "Maria Goreti Bunga-Lay", "Nama tidak sesuai KTP", "Ñoño Ä", "محمد", "王小明", "-", "'quoted'"] {
            #expect(Validate.personName(value) == nil, "\(value)")
            #expect(Validate.forbiddenCharacter(in: value) == nil, "\(value)")
        }
        #expect(Validate.forbiddenCharacter(in: "Yo\u{202E}") == "contains a bidi formatting character")
        #expect(Validate.forbiddenCharacter(in: "Yo\u{1B}") == "contains a control character")
        #expect(Validate.freeText("", maxLength: 5, allowEmpty: true) == nil)
        #expect(Validate.freeText("", maxLength: 5) == "must not be empty")
        #expect(Validate.reason(String(repeating: "x", count: 501)) == "longer than 500 characters")
    }

    @Test func resultsFileRefusesAControlCharacterInTheReason() {
        let file = "nik,status,account_no,reason\n5371031502850001,rejected,,\"Data\u{1B}]0;x\u{7}KTP\"\n"
            + "5371015502850002,rejected,,Nama\u{202E}KTP\n"
        #expect(throws: ImportFailure.self) { try OpeningResultFile.parse(bytes: Array(file.utf8), file: "r.csv") }
        do {
            _ = try OpeningResultFile.parse(bytes: Array(file.utf8), file: "r.csv")
        } catch {
            #expect(error.issues.map(\.description) == [
                "r.csv:2: reason: contains a control character",
                "r.csv:3: reason: contains a bidi formatting character",
            ])
        }
    }

    // MARK: Escaping what is echoed

    @Test func terminalTextEscapesControlAndBidiCharacters() {
        #expect(TerminalText.escaped("plain text, ok") == "plain text, ok")
        #expect(TerminalText.escaped("a\u{1B}[2Jb\u{7}c\u{0}d\u{7F}e\u{9B}f") == "a\\u{1B}[2Jb\\u{7}c\\u{0}d\\u{7F}e\\u{9B}f")
        #expect(TerminalText.escaped("x\u{202E}y\u{2066}z\u{061C}") == "x<U+202E>y<U+2066>z<U+061C>")
        #expect(TerminalText.escaped("one\ntwo\r\tthree") == "one\\ntwo\\r\\tthree")
        #expect(TerminalText.escaped("one\ntwo\u{1B}", keepingNewlines: true) == "one\ntwo\\u{1B}")
        #expect(TerminalText.escaped("Ñoño 王 محمد") == "Ñoño 王 محمد")
    }

    @Test func importIssuesEscapeTheFileFieldAndReason() {
        let issue = ImportIssue(file: "evil\u{1B}]0;x\u{7}.csv", line: 3, field: "name",
                                reason: "unknown \"\u{202E}abc\u{1B}[31m\"")
        #expect(issue.description == "evil\\u{1B}]0;x\\u{7}.csv:3: name: unknown \"<U+202E>abc\\u{1B}[31m\"")
        #expect(!ImportFailure([issue]).description.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E })
    }

    // MARK: Bounded work

    @Test func aFileOfManyBadRowsIsRefusedWithItsFirstHundredProblems() {
        var text = "nik,name,program,district,phone\n"
        text.reserveCapacity(200_000 * 24)
        for _ in 0..<200_000 { text += "x,,,,\n" }
        do {
            let rows = try RecipientFile.parse(bytes: Array(text.utf8), file: "bad.csv")
            Issue.record("expected a refusal, got \(rows.count) rows")
        } catch {
            #expect(error.issues.count == ImportIssue.limit)
            #expect(error.more)
            #expect(error.issues.first?.description == "bad.csv:2: nik: must be 16 digits, found 1 characters")
            #expect(error.issues.map(\.line) == error.issues.map(\.line).sorted())
            let lines = error.description.split(separator: "\n")
            #expect(lines.count == ImportIssue.limit + 1)
            #expect(lines.last == "… and more problems: checking stopped after the first 100; nothing was changed.")
        }
    }

    @Test func exactlyTheLimitIsCountedNotCut() {
        let issues = (2..<(2 + ImportIssue.limit)).map { ImportIssue(file: "f.csv", line: $0, field: "x", reason: "bad") }
        let failure = ImportFailure(issues)
        #expect(!failure.more)
        #expect(failure.description.hasSuffix("\n100 problems found; nothing was changed."))
    }

    @Test func aRowLongerThanTheCapIsRefusedNamingItsLine() {
        let bytes = Array("a,b\n1,2\n".utf8) + [UInt8](repeating: UInt8(ascii: ","), count: CSVReader.maxRecordBytes + 10) + [0x0A]
        var reader = CSVReader(bytes: bytes, file: "wide.csv")
        #expect(throws: CSVError.rowTooLong(file: "wide.csv", line: 3, limit: CSVReader.maxRecordBytes)) {
            while try reader.next() != nil {}
        }
        do {
            _ = try RecipientFile.parse(bytes: Array("nik,name,program,district,phone\n".utf8) + bytes.dropFirst(8), file: "wide.csv")
            Issue.record("expected a refusal")
        } catch {
            #expect(error.issues.map(\.description) == ["wide.csv:2: row: the row is longer than 65536 bytes; refused without reading on"])
        }
    }

    @Test func aFieldLongerThanTheCapIsRefused() {
        let long = String(repeating: "y", count: CSVReader.maxFieldBytes + 1)
        for row in [long, "\"\(long)\""] {
            var reader = CSVReader(bytes: Array("a\n\(row)\n".utf8), file: "f.csv")
            #expect(throws: CSVError.fieldTooLong(file: "f.csv", line: 2, field: 1, limit: CSVReader.maxFieldBytes)) {
                while try reader.next() != nil {}
            }
        }
        var fits = CSVReader(bytes: Array("\(String(long.dropFirst()))\n".utf8), file: "f.csv")
        #expect((try? fits.next())?.fields.first?.bytes.count == CSVReader.maxFieldBytes)
    }
}
