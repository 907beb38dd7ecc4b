import Testing
import SalurCore
@testable import SalurStatements

/// Statements as a treasury's bank writes them at month end: interest and the tax on it to the sen,
/// the bank's own transaction codes, and the quirks of other banks' files.
@Suite("Statements in sen, codes and quirks")
struct SenStatementTests {
    /// A month-end MT940 of an RKUD: jasa giro credited, its tax and the admin fee debited, in sen.
    static let monthEnd = """
        :20:RKUD202611
        :25:0011999999
        :28C:00030/001
        :60F:C261031IDR1000000000,50
        :61:2611301130C1234567,89NINTNONREF//JG202611
        :86:JASA GIRO NOV 2026
        :61:2611301130D246913,58NTAXNONREF//PJG202611
        :86:PAJAK JASA GIRO NOV 2026
        :61:2611301130D12500NCHGNONREF
        :86:BIAYA ADM REKENING
        :62F:C261130IDR1000975154,81
        -
        """

    @Test("MT940 amounts and balances with sen are read exactly; without decimals they are whole rupiah")
    func mt940Sen() throws {
        let statement = try #require(try MT940Parser.parse(Self.monthEnd, file: "rkud.sta").first)
        #expect(statement.openingBalanceSen == Sen(100_000_000_050))
        #expect(statement.closingBalanceSen == Sen(100_097_515_481))
        #expect(statement.entries.map(\.amountSen) == [Sen(123_456_789), Sen(24_691_358), Sen(1_250_000)])
        #expect(statement.entries.map(\.transactionCode) == ["NINT", "NTAX", "NCHG"])
        try statement.checkBalance()
        #expect(statement.entries[2].amount == Rupiah(12_500))
    }

    @Test("the balance check holds to the sen: one sen off is refused, saying +0.01")
    func balanceToTheSen() throws {
        let text = Self.monthEnd.replacingOccurrences(of: "IDR1000975154,81", with: "IDR1000975154,82")
        let statement = try #require(try MT940Parser.parse(text, file: "rkud.sta").first)
        do throws(StatementBalanceError) {
            try statement.checkBalance()
            Issue.record("one sen off must be refused")
        } catch {
            #expect(error.difference == Sen(1))
            #expect(error.description.contains("off by +0.01 rupiah"), "\(error)")
            #expect(error.description.contains("closing balance is Rp 1.000.975.154,82"), "\(error)")
        }
    }

    @Test("MT940 with more than two decimals is refused with its line")
    func mt940ThreeDecimals() {
        let text = Self.monthEnd.replacingOccurrences(of: "C1234567,89NINT", with: "C1234567,891NINT")
        let error = parseError { () throws(StatementParseError) in try MT940Parser.parse(text, file: "rkud.sta") }
        #expect(error?.line == 5 && error?.field == ":61:")
        #expect(error?.reason.contains("has 3 decimals") == true, "\(String(describing: error))")
    }

    @Test("an MT942 interim report is refused as interim, naming the line and what to ask the bank for")
    func mt942Refused() {
        let text = """
            :20:INTRADAY1
            :25:0011999999
            :28C:00001/001
            :34F:IDR0,
            :13D:2611301200+0700
            :61:2611301130D300000,00NTRFSLR000000000001
            :90D:1IDR300000,00
            :90C:0IDR0,00
            -
            """
        let error = parseError { () throws(StatementParseError) in try MT940Parser.parse(text, file: "intraday.sta") }
        #expect(error?.line == 4 && error?.field == ":34F:")
        #expect(error?.reason.contains("MT942 interim transaction report") == true)
        #expect(error?.reason.contains("ask the bank for the MT940 statement") == true)
    }

    static func camt(opening: String?, amounts: [(String, String, String)], closing: String, from: String? = nil) -> String {
        var entries = ""
        for (amount, direction, code) in amounts {
            entries += """
                  <Ntry><Amt Ccy="IDR">\(amount)</Amt><CdtDbtInd>\(direction)</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
                    <ValDt><Dt>2026-11-30</Dt></ValDt>\(code)</Ntry>

                """
        }
        let openingBalance = opening.map {
            "<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"IDR\">\($0)</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-01</Dt></Dt></Bal>"
        } ?? ""
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
              <Stmt>
                <Id>CAMT202611</Id>
                \(from.map { "<FrToDt><FrDtTm>\($0)T00:00:00</FrDtTm><ToDtTm>2026-11-30T23:59:59</ToDtTm></FrToDt>" } ?? "")
                <Acct><Id><Othr><Id>0011999999</Id></Othr></Id></Acct>
                \(openingBalance)
                <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="IDR">\(closing)</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-30</Dt></Dt></Bal>
            \(entries)  </Stmt>
            </BkToCstmrStmt></Document>
            """
    }

    @Test("camt.053 with two decimals, one or none is read in sen, with its BkTxCd; three decimals are refused with the line")
    func camtSen() throws {
        let text = Self.camt(opening: "1000.5", amounts: [
            ("12.34", "CRDT", "<BkTxCd><Domn><Cd>ACMT</Cd><Fmly><Cd>MDOP</Cd><SubFmlyCd>INTR</SubFmlyCd></Fmly></Domn></BkTxCd>"),
            ("2", "DBIT", "<BkTxCd><Prtry><Cd>NTAX</Cd></Prtry></BkTxCd>"),
        ], closing: "1010.84")
        let statement = try #require(try Camt053Parser.parse(text, file: "c.xml").first)
        #expect(statement.openingBalanceSen == Sen(100_050) && statement.closingBalanceSen == Sen(101_084))
        #expect(statement.entries.map(\.amountSen) == [Sen(1_234), Sen(200)])
        #expect(statement.entries.map(\.transactionCode) == ["ACMT/MDOP/INTR", "NTAX"])
        try statement.checkBalance()

        let three = text.replacingOccurrences(of: ">12.34<", with: ">12.345<")
        let error = parseError { () throws(StatementParseError) in try Camt053Parser.parse(three, file: "c.xml") }
        #expect(error?.field == "Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt")
        #expect(error?.line == line(of: "12.345", in: three))
        #expect(error?.reason.contains("has 3 decimals") == true)
    }

    @Test("camt.053 without OPBD/PRCD is read without an opening balance, opening on FrToDt or its first entry")
    func camtWithoutOpening() throws {
        let text = Self.camt(opening: nil, amounts: [("10.00", "CRDT", "")], closing: "110.00", from: "2026-11-01")
        let statement = try #require(try Camt053Parser.parse(text, file: "c.xml").first)
        #expect(!statement.hasOpeningBalance)
        #expect(statement.openingDate == day("2026-11-01"))
        let noRange = try #require(try Camt053Parser.parse(Self.camt(opening: nil, amounts: [("10.00", "CRDT", "")], closing: "110.00"),
                                                           file: "c.xml").first)
        #expect(noRange.openingDate == day("2026-11-30"))
    }

    @Test("bank CSV amounts with sen are read as the mapping says")
    func csvSen() throws {
        let text = """
            Tanggal;Keterangan;Nominal;D/K;No Ref
            30/11/2026;JASA GIRO;1.234.567,89;K;JG1
            30/11/2026;PAJAK JASA GIRO;246.913,58;D;PJG1
            """
        let mapping = CSVStatementMapping(
            date: "Tanggal", dateFormat: "dd/MM/yyyy",
            amounts: .marked(amount: "Nominal", direction: "D/K", debitMarker: "D", creditMarker: "K"),
            bankReference: "No Ref", description: "Keterangan", accountNo: .value("0011999999"),
            openingBalance: .value(Rupiah(1_000)), closingBalance: .value(Rupiah(988_876)), separator: ";",
            decimalSeparator: ",", thousandsSeparator: ".")
        let statement = try CSVStatementParser(mapping: mapping).parse(bytes: Array(text.utf8), file: "m.csv")
        #expect(statement.entries.map(\.amountSen) == [Sen(123_456_789), Sen(24_691_358)])
        #expect(statement.openingBalanceSen == Sen(100_000))
        #expect(throws: StatementBalanceError.self) { try statement.checkBalance() } // 1,000 + 1,234,567.89 − 246,913.58 ≠ 988,876
    }

    @Test("writers keep the sen and the transaction code")
    func writersKeepSen() throws {
        let statement = try #require(try MT940Parser.parse(Self.monthEnd, file: "rkud.sta").first)
        let mt940 = try #require(try MT940Parser.parse(MT940Writer.write([statement]), file: "w.sta").first)
        #expect(difference([mt940.content], [statement.content]) == nil)
        let camt = try #require(try Camt053Parser.parse(Camt053Writer.write([statement]), file: "w.xml").first)
        #expect(camt.entries.map(\.amountSen) == statement.entries.map(\.amountSen))
        #expect(camt.entries.map(\.transactionCode) == ["NINT", "NTAX", "NCHG"])
        #expect(camt.closingBalanceSen == statement.closingBalanceSen)
    }
}
