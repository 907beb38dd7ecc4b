/// Hand-written statements for account 0011999999, Kota Kupang's treasury, on 2026-11-23.
enum StatementFixtures {
    /// Mandiri-style MT940: decimal comma, booking date, customer reference and `//` bank reference.
    static let mandiri = mt940([
        ":20:STMT20261123",
        ":25:0011999999",
        ":28C:00001/001",
        ":60F:C261122IDR10000000,00",
        ":61:2611231123D300000,00NTRFSLR000000000001//20261123000001",
        ":86:TRF BANSOS-NT 2026-11 KE 0012000001",
        ":61:2611231123D300000,00NTRFSLR000000000002//20261123000002",
        ":86:TRF BANSOS-NT 2026-11 KE 0012000002",
        ":61:2611231123C5000000,00NTRFNONREF//20261123900001",
        ":86:SETORAN RKUD",
        ":62F:C261123IDR14400000,00",
        "-",
    ])

    /// BRI-style MT940: no decimal comma, no booking date, NONREF with the references only in short
    /// `:86:` lines, two statements (two days) in one file.
    static let bri = mt940([
        ":20:BRI20261123",
        ":25:0011999999",
        ":28C:1",
        ":60F:C261122IDR10000000",
        ":61:261123D300000NTRFNONREF",
        ":86:TRF KE 0012000001",
        "SLR000000000001 BANSOS",
        ":61:261123D300000NTRFNONREF",
        ":86:TRF KE 0012000002",
        "REF 20261123000002",
        ":62F:C261123IDR9400000",
        "-",
        ":20:BRI20261124",
        ":25:0011999999",
        ":28C:2",
        ":60F:C261123IDR9400000",
        ":61:261124D450000NTRFNONREF",
        ":86:TRF KE 0012000003 SLR000000000003",
        ":62F:C261124IDR8950000",
        "-",
    ])

    /// camt.053: the same two payments as `mandiri`, plus a pending one (not on the balance).
    static let camt = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
          <BkToCstmrStmt>
            <GrpHdr><MsgId>CAMT20261123</MsgId><CreDtTm>2026-11-23T23:00:00</CreDtTm></GrpHdr>
            <Stmt>
              <Id>CAMT20261123</Id>
              <ElctrncSeqNb>1</ElctrncSeqNb>
              <CreDtTm>2026-11-23T23:00:00</CreDtTm>
              <Acct><Id><Othr><Id>0011999999</Id></Othr></Id><Ccy>IDR</Ccy></Acct>
              <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="IDR">10000000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-23</Dt></Dt></Bal>
              <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="IDR">9400000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-23</Dt></Dt></Bal>
              <Ntry>
                <Amt Ccy="IDR">300000.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
                <BookgDt><Dt>2026-11-23</Dt></BookgDt><ValDt><Dt>2026-11-23</Dt></ValDt>
                <AcctSvcrRef>20261123000001</AcctSvcrRef>
                <NtryDtls><TxDtls><Refs><EndToEndId>SLR000000000001</EndToEndId></Refs>
                  <RltdPties><Cdtr><Nm>Yohanes Ndun</Nm></Cdtr><CdtrAcct><Id><Othr><Id>0012000001</Id></Othr></Id></CdtrAcct></RltdPties>
                  <RmtInf><Ustrd>BANSOS-NT 2026-11</Ustrd></RmtInf></TxDtls></NtryDtls>
              </Ntry>
              <Ntry>
                <Amt Ccy="IDR">300000.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
                <ValDt><Dt>2026-11-23</Dt></ValDt>
                <AcctSvcrRef>20261123000002</AcctSvcrRef>
                <NtryDtls><TxDtls><Refs><EndToEndId>SLR000000000002</EndToEndId></Refs></TxDtls></NtryDtls>
              </Ntry>
              <Ntry>
                <Amt Ccy="IDR">450000.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>PDNG</Sts>
                <ValDt><Dt>2026-11-24</Dt></ValDt>
                <AcctSvcrRef>20261124000003</AcctSvcrRef>
              </Ntry>
            </Stmt>
          </BkToCstmrStmt>
        </Document>
        """

    /// One MT940 statement from `opening` with the given `:61:`/`:86:` pairs; the closing balance
    /// is computed unless `closing` is given.
    static func statement(id: String = "STMT20261123", sequence: String = "00001/001", day: String = "261123",
                          opening: Int64 = 10_000_000, entries: [(mark: String, amount: Int64, reference: String, info: String)],
                          closing: Int64? = nil, account: String = "0011999999") -> String {
        var balance = opening
        var lines = [":20:\(id)", ":25:\(account)", ":28C:\(sequence)", ":60F:C\(day)IDR\(opening),00"]
        for entry in entries {
            switch entry.mark {
            case "D", "RC": balance -= entry.amount
            default: balance += entry.amount
            }
            lines.append(":61:\(day)\(entry.mark)\(entry.amount),00NTRF\(entry.reference)")
            if !entry.info.isEmpty { lines.append(":86:\(entry.info)") }
        }
        let end = closing ?? balance
        lines.append(":62F:\(end < 0 ? "D" : "C")\(day)IDR\(abs(end)),00")
        lines.append("-")
        return mt940(lines)
    }
}
