import Testing
import SalurCore
@testable import SalurStatements

@Suite("camt.053 parser")
struct Camt053ParserTests {
    @Test func twoStatements() throws {
        let text = Camt053Fixtures.twoStatements
        let statements = try Camt053Parser.parse(text, file: "bni.xml")
        #expect(statements.count == 2)
        let first = statements[0], second = statements[1]

        #expect(first.statementId == "STMT-0131-A")
        #expect(first.sequence == "31")
        #expect(first.accountNo == "0112233445")
        #expect(first.openingBalance == Rupiah(1_000_000))
        #expect(first.closingBalance == Rupiah(750_000))
        #expect(first.closingAvailableBalance == Rupiah(700_000))
        #expect(first.openingDate == day("2026-01-30"))
        #expect(first.closingDate == day("2026-01-31"))
        #expect(first.format == .camt053)
        #expect(first.sourceLine == line(of: "<Stmt>", in: text))
        #expect(first.entries.count == 3)

        let payment = first.entries[0]
        #expect(payment.direction == .debit)
        #expect(payment.amount == Rupiah(300_000))
        #expect(payment.status == .booked)
        #expect(payment.bookingDate == day("2026-01-31"))
        #expect(payment.bankReference == "BNI77001")
        #expect(payment.customerReference == "SALUR-0000001")
        #expect(payment.counterpartyName == "Yohanes Ndun & Maria <Kupang> 'Oesapa' \"RT 03\"")
        #expect(payment.counterpartyAccount == "1234567890")
        #expect(payment.description == "Bantuan sosial non-tunai periode 2026-01")
        #expect(payment.line == line(of: "<Ntry>", in: text))

        let reversal = first.entries[1]
        #expect(reversal.isReversal && reversal.direction == .credit)
        #expect(reversal.bookingDate == nil)
        #expect(reversal.description == "RETUR: rekening tidak aktif")
        #expect(reversal.counterpartyName == nil)

        let pending = first.entries[2]
        #expect(pending.status == .pending)
        #expect(pending.amount == Rupiah(999_000))
        #expect(pending.bankReference == "" && pending.customerReference == "")

        #expect(second.accountNo == "ID89BNIN0000000009988776")
        #expect(second.sequence == nil)
        #expect(second.openingBalance == Rupiah(-5_000))
        #expect(second.closingAvailableBalance == nil)
        #expect(second.entries[0].customerReference == "")
        #expect(second.entries[0].counterpartyName == "BPKAD Kota Kupang")
        #expect(second.entries[0].counterpartyAccount == "0001112223")
        #expect(second.entries[0].line == line(of: "<Ntry>", in: text, occurrence: 4))

        for statement in statements { try statement.checkBalance() }
    }

    @Test(arguments: Camt053Parser.namespaces)
    func everySupportedVersion(_ namespace: String) throws {
        let statements = try Camt053Parser.parse(Camt053Fixtures.oneEntry(namespace: namespace), file: "v.xml")
        #expect(statements.first?.entries.first?.amount == Rupiah(100))
        try statements.first?.checkBalance()
    }

    @Test func unsupportedVersion() throws {
        let text = Camt053Fixtures.oneEntry(namespace: "urn:iso:std:iso:20022:tech:xsd:camt.052.001.02")
        let error = try #require(parseError { () throws(StatementParseError) in try Camt053Parser.parse(text, file: "v.xml") })
        #expect(error.field == "Document")
        #expect(error.line == 2)
        #expect(error.reason.contains("is not camt.053"))
    }

    @Test func missingAmount() throws {
        let text = Camt053Fixtures.oneEntry(replacing: "<Amt Ccy=\"IDR\">100.00</Amt>", with: "")
        let error = try #require(parseError { () throws(StatementParseError) in try Camt053Parser.parse(text, file: "m.xml") })
        #expect(error.field == "Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt")
        #expect(error.line == line(of: "<Ntry>", in: text))
        #expect(error.reason == "missing mandatory element Amt")
        #expect(error.description == "m.xml:\(error.line): Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt: missing mandatory element Amt")
    }

    @Test func entryPathCountsStatementsAndEntries() throws {
        // The fifth entry of the second statement has a fraction of a rupiah.
        var entries = ""
        for index in 1...5 {
            entries += """
                  <Ntry>
                    <Amt Ccy="IDR">\(index == 5 ? "1500.505" : "1.00")</Amt>
                    <CdtDbtInd>CRDT</CdtDbtInd>
                    <Sts>BOOK</Sts>
                    <ValDt><Dt>2026-01-31</Dt></ValDt>
                  </Ntry>

            """
        }
        let statement = { (id: String, entries: String) in """
              <Stmt>
                <Id>\(id)</Id>
                <Acct><Id><Othr><Id>1</Id></Othr></Id></Acct>
                <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="IDR">0</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-01-31</Dt></Dt></Bal>
                <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="IDR">0</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-01-31</Dt></Dt></Bal>
            \(entries)  </Stmt>
            """
        }
        let text = """
        <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.04"><BkToCstmrStmt>
        \(statement("A", ""))
        \(statement("B", entries))
        </BkToCstmrStmt></Document>
        """
        let error = try #require(parseError { () throws(StatementParseError) in try Camt053Parser.parse(text, file: "p.xml") })
        #expect(error.field == "Document/BkToCstmrStmt/Stmt[2]/Ntry[5]/Amt")
        #expect(error.line == line(of: "1500.505", in: text))
        #expect(error.reason.contains("\"1500.505\" has 3 decimals: a rupiah amount has at most two (sen)"))
    }

    /// A change to the one-entry document, the path the error must name, the line's marker, and
    /// words of the reason.
    static let malformed: [(name: String, old: String, new: String, path: String, lineOf: String, reason: String)] = [
        ("three decimals", ">100.00<", ">100.001<", "Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt", ">100.001<", "has 3 decimals"),
        ("negative amount", ">100.00<", ">-100.00<", "Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt", ">-100.00<", "is not a number"),
        ("huge amount", ">100.00<", ">99999999999999999999.00<", "Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt", "99999999999999999999", "too large"),
        ("currency", "<Amt Ccy=\"IDR\">100.00", "<Amt Ccy=\"USD\">100.00", "Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt", "USD", "\"USD\" is not supported"),
        ("indicator", "<CdtDbtInd>DBIT</CdtDbtInd>", "<CdtDbtInd>DEBIT</CdtDbtInd>", "Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/CdtDbtInd", "DEBIT", "CRDT or DBIT"),
        ("status", "<Cd>BOOK</Cd>", "<Cd>DONE</Cd>", "Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Sts", "DONE", "BOOK or PDNG"),
        ("missing status", "<Sts><Cd>BOOK</Cd></Sts>", "", "Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Sts", "<Ntry>", "missing mandatory element Sts"),
        ("missing dates", "<ValDt><Dt>2026-01-31</Dt></ValDt>", "", "Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/ValDt", "<Ntry>", "neither ValDt nor BookgDt"),
        ("bad date", "<ValDt><Dt>2026-01-31</Dt></ValDt>", "<ValDt><Dt>2026-02-30</Dt></ValDt>", "Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/ValDt/Dt", "2026-02-30", "is not a date"),
        ("two amounts", "<Amt Ccy=\"IDR\">100.00</Amt>", "<Amt Ccy=\"IDR\">100.00</Amt><Amt Ccy=\"IDR\">5.00</Amt>", "Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt", ">5.00<", "more than once"),
        ("reversal flag", "<CdtDbtInd>DBIT</CdtDbtInd>", "<CdtDbtInd>DBIT</CdtDbtInd><RvslInd>yes</RvslInd>", "Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/RvslInd", "RvslInd", "true or false"),
        ("no closing", "<Cd>CLBD</Cd>", "<Cd>ITBD</Cd>", "Document/BkToCstmrStmt/Stmt[1]/Bal", "<Stmt>", "no closing balance"),
        ("balance indicator", "<CdtDbtInd>CRDT</CdtDbtInd>", "", "Document/BkToCstmrStmt/Stmt[1]/Bal[1]/CdtDbtInd", "<Bal>", "missing mandatory element CdtDbtInd"),
        ("missing account", "<Acct><Id><Othr><Id>0112233445</Id></Othr></Id></Acct>", "", "Document/BkToCstmrStmt/Stmt[1]/Acct", "<Stmt>", "missing mandatory element Acct"),
        ("account without id", "<Othr><Id>0112233445</Id></Othr>", "<Prxy>x</Prxy>", "Document/BkToCstmrStmt/Stmt[1]/Acct/Id/Othr/Id", "<Acct>", "neither Othr/Id nor IBAN"),
        // libxml2 notices a missing > on the next line, where the tag runs on.
        ("malformed XML", "<CdtDbtInd>DBIT</CdtDbtInd>", "<CdtDbtInd>DBIT</CdtDbtInd", "Document/BkToCstmrStmt/Stmt/Ntry/CdtDbtInd", "<Sts>", "malformed XML: a malformed tag"),
        ("mismatched tag", "<Sts><Cd>BOOK</Cd></Sts>", "<Sts><Cd>BOOK</Cd></Stx>", "Document/BkToCstmrStmt/Stmt/Ntry/Sts", "</Stx>", "end tag does not match"),
        ("bare ampersand", "<Id>S1</Id>", "<Id>S&1</Id>", "Document/BkToCstmrStmt/Stmt/Id", "S&1", "malformed XML"),
        ("doctype", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<?xml version=\"1.0\"?>\n<!DOCTYPE Document [<!ENTITY a \"aaaa\">]>", "Document", "<!DOCTYPE", "DOCTYPE"),
    ]

    @Test(arguments: malformed.indices)
    func malformedDocument(_ index: Int) throws {
        let (name, old, new, path, marker, reason) = Self.malformed[index]
        let text = Camt053Fixtures.oneEntry(replacing: old, with: new)
        let error = try #require(parseError { () throws(StatementParseError) in try Camt053Parser.parse(text, file: "bad.xml") }, "\(name)")
        #expect(error.field == path, "\(name): \(error)")
        #expect(error.line == line(of: marker, in: text), "\(name): \(error)")
        #expect(error.reason.contains(reason), "\(name): \(error)")
        #expect(error.description == "bad.xml:\(error.line): \(path): \(error.reason)")
    }

    @Test func wrongRootAndNoStatement() throws {
        let statements = Camt053Fixtures.oneEntry().replacing("<Stmt>", with: "<Stmx>").replacing("</Stmt>", with: "</Stmx>")
        let error = try #require(parseError { () throws(StatementParseError) in try Camt053Parser.parse(statements, file: "n.xml") })
        #expect(error.field == "Document/BkToCstmrStmt/Stmt")
        #expect(error.line == line(of: "<BkToCstmrStmt>", in: statements))
        #expect(error.reason == "missing mandatory element Stmt")

        let root = Camt053Fixtures.oneEntry().replacing("Document", with: "Doc")
        let rootError = try #require(parseError { () throws(StatementParseError) in try Camt053Parser.parse(root, file: "r.xml") })
        #expect(rootError.field == "Doc")
        #expect(rootError.line == 2)
        #expect(rootError.reason.contains("root element is Doc"))

        let cut = Camt053Fixtures.oneEntry().replacing("</Document>", with: "")
        let cutError = try #require(parseError { () throws(StatementParseError) in try Camt053Parser.parse(cut, file: "c.xml") })
        #expect(cutError.field == "Document")
        #expect(cutError.line == line(of: "</BkToCstmrStmt>", in: cut))
        #expect(cutError.reason.contains("cut short"))

        let open = "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n<BkToCstmrStmt>"
        let openError = try #require(parseError { () throws(StatementParseError) in try Camt053Parser.parse(open, file: "o.xml") })
        #expect(openError.field == "Document/BkToCstmrStmt")
        #expect(openError.reason.contains("cut short"))
    }

    @Test func bytesTheDeclaredEncodingLacksAreRefused() throws {
        // 0x81 has no character in windows-1252: libxml2's conversion fails, without its parser's context.
        let text = Camt053Fixtures.oneEntry().replacing("encoding=\"UTF-8\"", with: "encoding=\"windows-1252\"")
        var bytes = Array(text.utf8)
        let at = try #require(bytes.firstRange(of: Array("<Id>S1</Id>".utf8)))
        bytes.replaceSubrange(at, with: Array("<Id>S\u{1}</Id>".utf8).map { $0 == 0x01 ? 0x81 : $0 })
        for chunkSize in [7, 1 << 20] {
            let error = try #require(parseError { () throws(StatementParseError) in
                try Camt053Parser.parse(bytes: bytes, file: "w.xml", chunkSize: chunkSize)
            })
            #expect(error.reason.contains("not valid in the declared encoding"), "\(chunkSize): \(error)")
        }
    }

    @Test func spaceAfterAJoiningCharacterIsTrimmed() {
        // U+0600 joins what follows it into one Character; the trailing space is still cut.
        #expect(XMLTree.trimmed(" S1\u{600} \n") == "S1\u{600}")
        #expect(XMLTree.trimmed("\t \r\n") == "")
        #expect(XMLTree.trimmed("S1") == "S1")
    }

    @Test func utf16IsRefused() throws {
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in Camt053Fixtures.oneEntry().utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let error = try #require(parseError { () throws(StatementParseError) in try Camt053Parser.parse(bytes: bytes, file: "u.xml") })
        #expect(error.line == 1 && error.reason.contains("not UTF-8"))
    }

    @Test func emptyAndGarbage() throws {
        for text in ["", "   ", "not xml at all", "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">"] {
            let error = try #require(parseError { () throws(StatementParseError) in try Camt053Parser.parse(text, file: "g.xml") }, "\(text)")
            #expect(error.line >= 1, "\(error)")
            #expect(error.file == "g.xml")
        }
    }
}
