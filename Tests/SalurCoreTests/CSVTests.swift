import Testing
import SalurCore

/// RFC 4180 reading and writing (CSVReader, CSVWriter, CSVTable).
@Suite("CSV")
struct CSVTests {
    /// Every record of `text` as (line, fields as strings).
    func records(_ text: String, file: String = "t.csv") throws -> [(line: Int, fields: [String])] {
        try records(Array(text.utf8), file: file)
    }

    func records(_ bytes: [UInt8], file: String = "t.csv") throws -> [(line: Int, fields: [String])] {
        var reader = CSVReader(bytes: bytes, file: file)
        var out: [(line: Int, fields: [String])] = []
        while let record = try reader.next() {
            out.append((record.line, record.fields.map { $0.string ?? "<not utf8>" }))
        }
        return out
    }

    @Test func plainRecords() throws {
        let r = try records("nik,name\n1,Ana\n2,Budi\n")
        #expect(r.map(\.line) == [1, 2, 3])
        #expect(r.map(\.fields) == [["nik", "name"], ["1", "Ana"], ["2", "Budi"]])
    }

    @Test func quotedFieldWithComma() throws {
        let r = try records("a,b\n\"Ndun, Yohanes\",x\n")
        #expect(r[1].fields == ["Ndun, Yohanes", "x"])
    }

    @Test func doubledQuotes() throws {
        var reader = CSVReader(bytes: Array("\"say \"\"hi\"\"\",\"\"\n".utf8), file: "t.csv")
        let record = try #require(try reader.next())
        #expect(record.fields.map(\.string) == ["say \"hi\"", ""])
        #expect(record.fields.map(\.quoted) == [true, true])
    }

    @Test func crlfLineEnds() throws {
        let r = try records("a,b\r\n1,2\r\n\"q\",4\r\n")
        #expect(r.map(\.fields) == [["a", "b"], ["1", "2"], ["q", "4"]])
        #expect(r.map(\.line) == [1, 2, 3])
    }

    @Test func lastLineWithoutNewline() throws {
        #expect(try records("a,b\n1,2").map(\.fields) == [["a", "b"], ["1", "2"]])
        #expect(try records("a,b\r\n1,2\r").map(\.fields) == [["a", "b"], ["1", "2"]])
    }

    @Test func emptyFields() throws {
        #expect(try records("a,,c\n,,\n").map(\.fields) == [["a", "", "c"], ["", "", ""]])
        #expect(try records("a,b,").map(\.fields) == [["a", "b", ""]])
    }

    @Test func embeddedNewlineKeepsLineNumbers() throws {
        let text = "nik,address\n1,\"Jl. Timor Raya\nRT 01\r\nRW 02\"\n2,Oebobo\n\n3,Alak\n"
        let r = try records(text)
        #expect(r.map(\.line) == [1, 2, 5, 7]) // record 2 spans lines 2–4; a blank line 6 is skipped
        #expect(r[1].fields == ["1", "Jl. Timor Raya\nRT 01\r\nRW 02"])
        #expect(r[2].fields == ["2", "Oebobo"])
        #expect(r[3].fields == ["3", "Alak"])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let r = try records([0xEF, 0xBB, 0xBF] + Array("nik,name\n1,Ana\n".utf8))
        #expect(r[0].fields == ["nik", "name"])
        #expect(r.map(\.line) == [1, 2])
    }

    @Test func unterminatedQuoteNamesTheStartLine() {
        #expect(throws: CSVError.unterminatedQuote(file: "t.csv", line: 2)) {
            try records("a,b\n1,\"never closed\n3,4\n")
        }
    }

    @Test func textAfterClosingQuote() {
        #expect(throws: CSVError.textAfterQuote(file: "t.csv", line: 3, field: 2)) {
            try records("a,b\n1,2\n3,\"x\"y\n")
        }
    }

    @Test func quoteInsideUnquotedField() {
        #expect(throws: CSVError.quoteInUnquotedField(file: "t.csv", line: 2, field: 1)) {
            try records("a,b\nab\"c,2\n")
        }
    }

    @Test func errorsNameFileAndLine() {
        #expect(CSVError.unterminatedQuote(file: "in.csv", line: 7).description.hasPrefix("in.csv:7: "))
    }

    @Test func invalidUTF8StaysBytes() throws {
        var reader = CSVReader(bytes: [0x61, 0x2C, 0xFF, 0xFE, 0x0A], file: "t.csv")
        let record = try #require(try reader.next())
        #expect(record.fields[0].string == "a")
        #expect(record.fields[1].string == nil)
        #expect(record.fields[1].bytes == [0xFF, 0xFE])
    }

    @Test func otherSeparator() throws {
        var reader = CSVReader(bytes: Array("a;\"b;c\"\n".utf8), file: "t.csv", separator: UInt8(ascii: ";"))
        #expect(try reader.next()?.fields.map(\.string) == ["a", "b;c"])
    }

    // MARK: Writer

    @Test func writerQuotesOnlyWhenNeeded() {
        var writer = CSVWriter()
        writer.write(["nik", "name"])
        writer.write(["1", "Ndun, \"Yo\""])
        writer.write([" lead", "two\nlines", ""])
        #expect(String(decoding: writer.output, as: UTF8.self)
            == "nik,name\r\n1,\"Ndun, \"\"Yo\"\"\"\r\n\" lead\",\"two\nlines\",\r\n")
    }

    @Test func writerExcelDialect() {
        var writer = CSVWriter(excel: true)
        writer.write(["a;b", "c"])
        #expect(writer.output == [0xEF, 0xBB, 0xBF] + Array("\"a;b\";c\r\n".utf8))
    }

    @Test("writer output reads back unchanged", arguments: [
        [["nik", "name", "note"], ["5371031502850001", "Ndun, Yohanes", "say \"hi\""],
         ["x", "line1\nline2", ""], ["", "carriage\rreturn", "crlf\r\nin field"], ["ü ñ Ä", " leading space", "trailing "]],
    ])
    func writerRoundTrip(rows: [[String]]) throws {
        var writer = CSVWriter()
        for row in rows { writer.write(row) }
        #expect(try records(writer.output).map(\.fields) == rows)

        var excel = CSVWriter(excel: true)
        for row in rows { excel.write(row) }
        var reader = CSVReader(bytes: excel.output, file: "x.csv", separator: UInt8(ascii: ";"))
        var back: [[String]] = []
        while let record = try reader.next() { back.append(record.fields.map { $0.string ?? "" }) }
        #expect(back == rows)
    }

    // MARK: Table

    @Test func tableMapsColumnsInAnyOrder() throws {
        let table = try CSVTable(bytes: Array(" Name ,NIK\nAna,1\n".utf8), file: "t.csv", required: ["nik", "name"])
        #expect(table.columns == ["name": 0, "nik": 1])
        #expect(table.rowCount == 1)
        var issues: [ImportIssue] = []
        var seen: [String?] = []
        table.forEachRow(issues: &issues) { row, _ in seen = [row["nik"], row["name"], row["absent"]] }
        #expect(seen == ["1", "Ana", nil])
        #expect(issues.isEmpty)
    }

    @Test func tableHeaderProblemsAllReported() {
        let error = #expect(throws: ImportFailure.self) {
            try CSVTable(bytes: Array("nik,nik,colour\n".utf8), file: "t.csv", required: ["nik", "name"])
        }
        #expect(error?.issues.map(\.description) == [
            "t.csv:1: nik: column appears twice",
            "t.csv:1: colour: unknown column (expected nik,name)",
            "t.csv:1: name: required column is missing",
        ])
    }

    @Test func emptyFileIsReported() {
        let error = #expect(throws: ImportFailure.self) {
            try CSVTable(bytes: [], file: "t.csv", required: ["nik"])
        }
        #expect(error?.issues.map(\.line) == [1])
        #expect(error?.issues.map(\.field) == ["header"])
    }

    @Test func tableSyntaxErrorBecomesAnIssue() {
        let error = #expect(throws: ImportFailure.self) {
            try CSVTable(bytes: Array("nik,name\n1,Ana\n2,\"Budi\n".utf8), file: "t.csv", required: ["nik", "name"])
        }
        #expect(error?.issues.map(\.description) == ["t.csv:3: row: a quoted field is never closed (missing \")"])
    }

    /// A file of several megabytes without quotes is read in parts side by side: the same rows, with
    /// the same line numbers, as reading it in one go — blank lines, CRLF and a short row included.
    @Test func largeFileReadInPartsMatchesOneGo() throws {
        var text = "a,b,c\r\n"
        for n in 0..<200_000 {
            text += n % 7_777 == 0 ? "\n" : ""
            text += n == 123_456 ? "short,row\n" : "\(n),value \(n),\(n % 13)" + (n % 2 == 0 ? "\r\n" : "\n")
        }
        let bytes = Array(text.utf8)
        #expect(bytes.count > 4 << 20)
        var expected: [(Int, [String])] = []
        var reader = CSVReader(bytes: bytes, file: "big.csv")
        _ = try reader.next()
        while let record = try reader.next() { expected.append((record.line, record.fields.map { $0.string ?? "?" })) }

        let table = try CSVTable(bytes: bytes, file: "big.csv", required: ["a", "b", "c"])
        var seen: [(Int, [String])] = []
        var issues: [ImportIssue] = []
        table.forEachRow(issues: &issues) { row, _ in seen.append((row.line, [row["a"] ?? "", row["b"] ?? "", row["c"] ?? ""])) }
        #expect(table.rowCount == expected.count)
        #expect(seen.count == expected.count - 1)
        #expect(zip(seen, expected.filter { $0.1.count == 3 }).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 })
        let short = try #require(expected.first { $0.1.count != 3 })
        #expect(issues.map(\.description) == ["big.csv:\(short.0): row: wrong field count: expected 3, found 2"])
    }
}
