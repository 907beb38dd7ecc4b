import Foundation
import Testing
import SalurCore
@testable import SalurStatements

/// camt.053 and CSV statements read a chunk at a time — from memory in chunks of any size, and from
/// a file — must give the statements, entries and first problem of `parse(bytes:file:)`.
@Suite("camt.053 and CSV statements read a chunk at a time")
struct StreamedReadingTests {
    /// Chunk sizes that cut tags, UTF-8 characters, `<!DOCTYPE`, quoted fields and line ends.
    static let chunkSizes = [1, 2, 3, 4, 5, 7, 9, 13, 64, 333, 4096]

    // MARK: camt.053

    static func describe(_ outcome: () throws -> [Statement]) -> String {
        do {
            return "\(try outcome())"
        } catch let error as StatementParseError {
            return "refused: \(error.file):\(error.line): \(error.field): \(error.reason)"
        } catch {
            return "failed: \(error)"
        }
    }

    /// `Camt053Parser.read(path:…)` of `text` written to a file, its entries put back in their statements.
    static func camtFromFile(_ text: String, chunkSize: Int) throws -> String {
        let path = NSTemporaryDirectory() + "salur-camt-\(UUID().uuidString).xml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return describe {
            var entries: [[StatementEntry]] = []
            var statements = try Camt053Parser.read(path: path, file: "c.xml", chunkSize: chunkSize) { index, entry in
                while entries.count <= index { entries.append([]) }
                entries[index].append(entry)
            }
            for index in statements.indices where index < entries.count { statements[index].entries = entries[index] }
            return statements
        }
    }

    /// The outcome of `parse(bytes:file:)`, after checking every chunked reading gives the same.
    @discardableResult
    static func sameCamt(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let whole = describe { try Camt053Parser.parse(bytes: Array(text.utf8), file: "c.xml") }
        for size in chunkSizes {
            let chunked = describe { try Camt053Parser.parse(bytes: Array(text.utf8), file: "c.xml", chunkSize: size) }
            #expect(chunked == whole, "chunks of \(size)", sourceLocation: sourceLocation)
        }
        for size in [1, 7, 4096, 1 << 20] {
            #expect(try camtFromFile(text, chunkSize: size) == whole, "file, chunks of \(size)", sourceLocation: sourceLocation)
        }
        return whole
    }

    /// A statement of `count` entries (`entry(i)` gives the i-th `Ntry` element's text, 1-based).
    static func camtStatement(id: String, entries count: Int, closing: String? = nil,
                              entry: (Int) -> String = { _ in camtEntry() }) -> String {
        let body = (1...max(1, count)).prefix(count).map(entry).joined(separator: "\n")
        return """
            <Stmt>
              <Id>\(id)</Id>
              <Acct><Id><Othr><Id>0112233445</Id></Othr></Id></Acct>
              <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="IDR">100000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-01-30</Dt></Dt></Bal>
              <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="IDR">\(closing ?? "\(100000 - 100 * count).00")</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-01-31</Dt></Dt></Bal>
            \(body)
            </Stmt>
            """
    }

    static func camtEntry(amount: String = "100.00", mark: String = "DBIT", name: String = "Ñoño Pérez 🇮🇩 Kupang") -> String {
        """
            <Ntry>
              <Amt Ccy="IDR">\(amount)</Amt>
              <CdtDbtInd>\(mark)</CdtDbtInd>
              <Sts><Cd>BOOK</Cd></Sts>
              <ValDt><Dt>2026-01-31</Dt></ValDt>
              <AcctSvcrRef>BNI\(amount)</AcctSvcrRef>
              <NtryDtls><TxDtls><Refs><EndToEndId>SALUR-1</EndToEndId></Refs>
                <RltdPties><Cdtr><Nm>\(name)</Nm></Cdtr></RltdPties>
                <RmtInf><Ustrd>Bantuan sosial — periode 2026-01 &amp; «tunai»</Ustrd></RmtInf></TxDtls></NtryDtls>
            </Ntry>
        """
    }

    static func camtDocument(_ statements: [String]) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
          <BkToCstmrStmt>
            <GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-02-01T06:00:00</CreDtTm></GrpHdr>
        \(statements.joined(separator: "\n"))
          </BkToCstmrStmt>
        </Document>

        """
    }

    @Test func camtFixturesGiveTheSameStatements() throws {
        for text in [Camt053Fixtures.twoStatements, Camt053Fixtures.oneEntry()] + Camt053Parser.namespaces.map({ Camt053Fixtures.oneEntry(namespace: $0) }) {
            let whole = try Self.sameCamt(text)
            #expect(!whole.hasPrefix("refused"), "\(whole)")
        }
    }

    @Test func severalStatementsAndCharactersCutByChunks() throws {
        let text = Self.camtDocument([Self.camtStatement(id: "S1", entries: 3), Self.camtStatement(id: "S2", entries: 0),
                                      Self.camtStatement(id: "S3", entries: 5)])
        let whole = try Self.sameCamt(text)
        let statements = try Camt053Parser.parse(text, file: "c.xml")
        #expect(statements.map(\.statementId) == ["S1", "S2", "S3"])
        #expect(statements.map(\.entries.count) == [3, 0, 5])
        #expect(statements[2].entries[4].counterpartyName == "Ñoño Pérez 🇮🇩 Kupang")
        #expect(statements[2].entries[4].description == "Bantuan sosial — periode 2026-01 & «tunai»")
        #expect(statements[2].entries[4].line == line(of: "<Ntry>", in: text, occurrence: 8))
        #expect(!whole.hasPrefix("refused"))
    }

    /// The first problem in statement order: a statement's own (balances) before its entries', an
    /// earlier statement's entry before a later statement's own.
    @Test func aBadEntryInTheMiddle() throws {
        let bad = { (i: Int) in i == 3 ? Self.camtEntry(mark: "XXXX") : i == 4 ? Self.camtEntry(amount: "1.005") : Self.camtEntry() }
        let middle = Self.camtDocument([Self.camtStatement(id: "S1", entries: 5, entry: bad)])
        #expect(try Self.sameCamt(middle) == "refused: c.xml:\(line(of: "XXXX", in: middle)): Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/CdtDbtInd: "
            + "CdtDbtInd must be CRDT or DBIT, found \"XXXX\"")

        let ownFirst = Self.camtDocument([Self.camtStatement(id: "S1", entries: 5, entry: bad)
            .replacingOccurrences(of: "<Cd>CLBD</Cd>", with: "<Cd>XXXX</Cd>")])
        let ownError = try Self.sameCamt(ownFirst)
        #expect(ownError.contains("Document/BkToCstmrStmt/Stmt[1]/Bal: no closing balance"), "\(ownError)")

        let earlierEntryFirst = Self.camtDocument([
            Self.camtStatement(id: "S1", entries: 5, entry: bad),
            Self.camtStatement(id: "S2", entries: 1).replacingOccurrences(of: "<Acct>", with: "<Acct2>").replacingOccurrences(of: "</Acct>", with: "</Acct2>"),
        ])
        #expect(try Self.sameCamt(earlierEntryFirst).contains("Stmt[1]/Ntry[3]/CdtDbtInd"))

        let laterStatement = Self.camtDocument([
            Self.camtStatement(id: "S1", entries: 2),
            Self.camtStatement(id: "S2", entries: 2).replacingOccurrences(of: "<Acct>", with: "<Acct2>").replacingOccurrences(of: "</Acct>", with: "</Acct2>"),
            Self.camtStatement(id: "S3", entries: 5, entry: bad),
        ])
        #expect(try Self.sameCamt(laterStatement).contains("Document/BkToCstmrStmt/Stmt[2]/Acct: missing mandatory element Acct"))
    }

    /// A malformed document, or a DOCTYPE anywhere, comes before any statement's problem.
    @Test func malformedXMLAfterABadEntry() throws {
        let text = Self.camtDocument([Self.camtStatement(id: "S1", entries: 3, entry: { $0 == 1 ? Self.camtEntry(mark: "XXXX") : Self.camtEntry() }),
                                      Self.camtStatement(id: "S2", entries: 3).replacingOccurrences(of: "</Sts>", with: "</Stz>")])
        let whole = try Self.sameCamt(text)
        #expect(whole.hasPrefix("refused: c.xml:\(line(of: "</Stz>", in: text)): "), "\(whole)")
        #expect(whole.contains("malformed XML"))
    }

    @Test func doctypeAnywhereIsRefused() throws {
        let plain = Self.camtDocument([Self.camtStatement(id: "S1", entries: 4)])
        let reason = "a DOCTYPE or ENTITY declaration is not allowed in a camt.053 document"
        let atTheStart = plain.replacingOccurrences(of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                                                    with: "<?xml version=\"1.0\"?>\n<!DOCTYPE Document [<!ENTITY a \"aaaa\">]>")
        #expect(try Self.sameCamt(atTheStart) == "refused: c.xml:2: Document: \(reason)")
        // In a comment near the end, after an entry, and after a malformed element: still refused, on its line.
        let inAComment = plain.replacingOccurrences(of: "</BkToCstmrStmt>", with: "</BkToCstmrStmt>\n<!-- <!DOCTYPE x> -->")
        #expect(try Self.sameCamt(inAComment) == "refused: c.xml:\(line(of: "<!DOCTYPE", in: inAComment)): Document: \(reason)")
        let afterMalformed = inAComment.replacingOccurrences(of: "<Id>S1</Id>", with: "<Id>S1</Idd>")
        #expect(try Self.sameCamt(afterMalformed) == "refused: c.xml:\(line(of: "<!DOCTYPE", in: afterMalformed)): Document: \(reason)")
        // An ENTITY alone is refused too; a DOCTYPE after it is the line named.
        let entityThenDoctype = plain.replacingOccurrences(of: "<GrpHdr>", with: "<!-- <!ENTITY x \"y\"> --><GrpHdr>")
            .replacingOccurrences(of: "</Document>", with: "</Document>\n<!-- <!DOCTYPE y> -->")
        #expect(try Self.sameCamt(entityThenDoctype) == "refused: c.xml:\(line(of: "<!DOCTYPE", in: entityThenDoctype)): Document: \(reason)")
        let entityOnly = plain.replacingOccurrences(of: "<GrpHdr>", with: "<!-- <!ENTITY x \"y\"> --><GrpHdr>")
        #expect(try Self.sameCamt(entityOnly) == "refused: c.xml:\(line(of: "<!ENTITY", in: entityOnly)): Document: \(reason)")
    }

    @Test func notUTF8IsRefused() throws {
        let plain = Self.camtDocument([Self.camtStatement(id: "S1", entries: 1)])
        var utf16: [UInt8] = [0xFF, 0xFE]
        for unit in plain.utf16 { utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let whole = Self.describe { try Camt053Parser.parse(bytes: utf16, file: "c.xml") }
        #expect(whole.contains("c.xml:1: Document: the document is not UTF-8"))
        for size in Self.chunkSizes {
            #expect(Self.describe { try Camt053Parser.parse(bytes: utf16, file: "c.xml", chunkSize: size) } == whole)
        }
    }

    @Test func cutOffDocuments() throws {
        let text = Self.camtDocument([Self.camtStatement(id: "S1", entries: 3), Self.camtStatement(id: "S2", entries: 3)])
        let utf8 = Array(text.utf8)
        // Cut inside an entry, inside a tag, inside a multi-byte character, after the last statement.
        let name = Array("Ñoño".utf8)
        let inCharacter = (0..<(utf8.count - name.count)).first { utf8[$0..<($0 + name.count)].elementsEqual(name) }! + 1
        let inTag = Array(text.utf8).count - Array("ocument>\n".utf8).count
        let inEntry = Array(text.utf8).count / 2
        for cut in [inCharacter, inTag, inEntry, utf8.count - 30, 10, 0] {
            let bytes = Array(utf8[..<cut])
            let whole = Self.describe { try Camt053Parser.parse(bytes: bytes, file: "c.xml") }
            #expect(whole.hasPrefix("refused"), "cut at \(cut): \(whole)")
            for size in Self.chunkSizes {
                #expect(Self.describe { try Camt053Parser.parse(bytes: bytes, file: "c.xml", chunkSize: size) } == whole, "cut at \(cut), chunks of \(size)")
            }
            let file = try Self.camtFromFile(String(decoding: bytes, as: UTF8.self), chunkSize: 5)
            if String(decoding: bytes, as: UTF8.self).utf8.elementsEqual(bytes) { #expect(file == whole, "cut at \(cut), file") }
        }
    }

    @Test func documentLevelProblems() throws {
        for text in [
            Camt053Fixtures.oneEntry(namespace: "urn:iso:std:iso:20022:tech:xsd:camt.052.001.02"),
            "<?xml version=\"1.0\"?>\n<Other/>\n",
            "<?xml version=\"1.0\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><GrpHdr/></Document>\n",
            "<?xml version=\"1.0\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n<BkToCstmrStmt><GrpHdr/></BkToCstmrStmt></Document>\n",
            "", "   \n", "<?xml version=\"1.0\"?>\n",
        ] {
            #expect(try Self.sameCamt(text).hasPrefix("refused"))
        }
    }

    // MARK: CSV

    static func describe(_ outcome: () throws -> Statement) -> String {
        do {
            return "\(try outcome())"
        } catch let failure as ImportFailure {
            return "refused (more: \(failure.more)): " + failure.issues.map(\.description).joined(separator: "\n")
        } catch {
            return "failed: \(error)"
        }
    }

    /// The outcome of `parse(bytes:file:)`, after checking every chunked reading gives the same.
    @discardableResult
    static func sameCSV(_ text: String, _ mapping: CSVStatementMapping, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try sameCSV(Array(text.utf8), mapping, sourceLocation: sourceLocation)
    }

    @discardableResult
    static func sameCSV(_ bytes: [UInt8], _ mapping: CSVStatementMapping, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let parser = try CSVStatementParser(mapping: mapping)
        let whole = describe { try parser.parse(bytes: bytes, file: "s.csv") }
        for size in chunkSizes {
            let chunked = describe { try parser.parse(bytes: bytes, file: "s.csv", chunkSize: size) }
            #expect(chunked == whole, "chunks of \(size)", sourceLocation: sourceLocation)
        }
        let path = NSTemporaryDirectory() + "salur-csv-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        for size in [1, 6, 4096, 1 << 20] {
            let fromFile = describe {
                var entries: [StatementEntry] = []
                var statement = try parser.read(path: path, file: "s.csv", chunkSize: size) { entries.append($0) }
                statement.entries = entries
                return statement
            }
            #expect(fromFile == whole, "file, chunks of \(size)", sourceLocation: sourceLocation)
        }
        return whole
    }

    @Test func csvFixturesGiveTheSameStatement() throws {
        #expect(!(try Self.sameCSV(CSVStatementParserTests.mandiri, CSVStatementParserTests.mandiriMapping)).hasPrefix("refused"))
        #expect(!(try Self.sameCSV(CSVStatementParserTests.split, CSVStatementParserTests.splitMapping)).hasPrefix("refused"))
        let bcaMapping = CSVStatementMapping(
            date: "Tanggal Transaksi", dateFormat: "dd/MM/yyyy",
            amounts: .marked(amount: "Jumlah", direction: "Jumlah", debitMarker: "DB", creditMarker: "CR"),
            bankReference: "Cabang", description: "Keterangan", accountNo: .value("0123456789"),
            openingBalance: .value(Rupiah(250_000_000)), closingBalance: .value(Rupiah(253_500_000)),
            decimalSeparator: ".", thousandsSeparator: ",", skipLeadingLines: 4, skipTrailingLines: 3)
        let bca = try Self.sameCSV(CSVStatementParserTests.bca, bcaMapping)
        #expect(!bca.hasPrefix("refused"), "\(bca)")
        // Blank lines among the totals, CRLF line ends, a byte-order mark, no line feed at the end.
        let awkward = "\u{FEFF}" + CSVStatementParserTests.bca.replacingOccurrences(of: "\nMutasi Debet", with: "\n\n\nMutasi Debet")
            .replacingOccurrences(of: "\n", with: "\r\n")
        let awkwardOutcome = try Self.sameCSV(awkward, bcaMapping)
        #expect(!awkwardOutcome.hasPrefix("refused"), "\(awkwardOutcome)")
        let read = try CSVStatementParser(mapping: bcaMapping).parse(bytes: Array(awkward.utf8), file: "s.csv")
        let plain = try CSVStatementParser(mapping: bcaMapping).parse(bytes: Array(CSVStatementParserTests.bca.utf8), file: "s.csv")
        #expect(read.entries.map(\.line) == [6, 7])
        #expect(read.entries.map(\.amount) == plain.entries.map(\.amount) && read.entries.map(\.direction) == plain.entries.map(\.direction))
        var leadingOnly = bcaMapping
        leadingOnly.skipTrailingLines = 0
        #expect(try Self.sameCSV(CSVStatementParserTests.bca, leadingOnly).hasPrefix("refused"))
        var trailingOnly = bcaMapping
        trailingOnly.skipLeadingLines = 0
        #expect(try Self.sameCSV(CSVStatementParserTests.bca, trailingOnly).hasPrefix("refused"))
        var tooMany = bcaMapping
        tooMany.skipTrailingLines = 20
        #expect(try Self.sameCSV(CSVStatementParserTests.bca, tooMany).hasPrefix("refused"))
    }

    static let quotedMapping = CSVStatementMapping(
        date: "date", dateFormat: "yyyy-MM-dd", amounts: .signed(amount: "amount"), bankReference: "ref",
        description: "description", accountNo: .value("0011999999"), openingBalance: .value(Rupiah(1_000_000)),
        closingBalance: .value(Rupiah(1_000_000 - 250 * 40)))

    /// Rows with quoted fields holding separators, doubled quotes, line breaks and multi-byte characters.
    static func quotedRows(_ count: Int, row: (Int) -> String = { i in
        "2026-01-\(String(format: "%02d", 1 + i % 28)),-250.00,R\(i),\"Bantuan \"\"tunai\"\", Ñoño 🇮🇩\nbaris \(i)\""
    }) -> String {
        "date,amount,ref,description\n" + (1...count).map(row).joined(separator: "\n") + "\n"
    }

    @Test func quotedFieldsCutByChunks() throws {
        let text = Self.quotedRows(40)
        let whole = try Self.sameCSV(text, Self.quotedMapping)
        let statement = try CSVStatementParser(mapping: Self.quotedMapping).parse(bytes: Array(text.utf8), file: "s.csv")
        #expect(statement.entries.count == 40)
        #expect(statement.entries[39].description == "Bantuan \"tunai\", Ñoño 🇮🇩\nbaris 40")
        #expect(statement.entries[39].line == 80)
        #expect(!whole.hasPrefix("refused"))
    }

    @Test func everyBadRowAndTheSyntaxErrorFirst() throws {
        // Bad rows in the middle: every one reported, in line order.
        let bad = Self.quotedRows(40) { i in
            i == 7 ? "2026-02-30,-250.00,R7,x" : i == 20 ? "2026-01-02,abc,R20,\"y\"" : i == 21 ? "2026-01-02,-1" :
                "2026-01-03,-250.00,R\(i),\"z\n\""
        }
        let refused = try Self.sameCSV(bad, Self.quotedMapping)
        #expect(refused.hasPrefix("refused (more: false)"))
        #expect(refused.components(separatedBy: "\n").count == 3, "\(refused)")
        // An unclosed quote after bad rows: the file is refused with that one problem, as the whole reading does.
        let unclosed = bad + "2026-01-04,-1.00,R99,\"never closed\n2026-01-05,-1.00,R100,x\n"
        let syntax = try Self.sameCSV(unclosed, Self.quotedMapping)
        #expect(syntax.hasPrefix("refused (more: false): s.csv:"), "\(syntax)")
        #expect(syntax.components(separatedBy: "\n").count == 1, "\(syntax)")
        let strayQuote = bad.replacingOccurrences(of: "R30,", with: "R\"30,")
        #expect(try Self.sameCSV(strayQuote, Self.quotedMapping).components(separatedBy: "\n").count == 1)
        // More bad rows than are reported: capped the same way.
        let many = Self.quotedRows(300) { i in "2026-01-\(i % 40),-250.00,R\(i),x" }
        let capped = try Self.sameCSV(many, Self.quotedMapping)
        #expect(capped.hasPrefix("refused (more: true)"), "\(capped.prefix(200))")
    }

    @Test func headerAndEmptyFiles() throws {
        for text in ["", "\n\n", "date,amount,ref\n2026-01-01,-1,R\n", "date,amount,ref,description\n", "\u{FEFF}",
                     "date,\"amount,ref,description\n", "date,amount,ref,description,date\n2026-01-01,-1,R,x,y\n"] {
            #expect(try Self.sameCSV(text, Self.quotedMapping).hasPrefix("refused"), "\(text)")
        }
        let notUTF8: [UInt8] = Array("date,amount,ref,description\n2026-01-01,-10000.00,R1,".utf8) + [0xC3, 0x28] + [0x0A]
        #expect(try Self.sameCSV(notUTF8, Self.quotedMapping).hasPrefix("refused"))
    }
}
