/// Hand-written camt.053 documents.
enum Camt053Fixtures {
    /// Two statements (.001.02, `Othr/Id` and `IBAN`), a pending entry, a reversal, awkward text.
    static let twoStatements = """
    <?xml version="1.0" encoding="UTF-8"?>
    <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
      <BkToCstmrStmt>
        <GrpHdr>
          <MsgId>BNI-20260131-01</MsgId>
          <CreDtTm>2026-02-01T06:00:00+07:00</CreDtTm>
        </GrpHdr>
        <Stmt>
          <Id>STMT-0131-A</Id>
          <ElctrncSeqNb>31</ElctrncSeqNb>
          <CreDtTm>2026-02-01T06:00:00+07:00</CreDtTm>
          <Acct>
            <Id><Othr><Id>0112233445</Id></Othr></Id>
            <Ccy>IDR</Ccy>
          </Acct>
          <Bal>
            <Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp>
            <Amt Ccy="IDR">1000000.00</Amt>
            <CdtDbtInd>CRDT</CdtDbtInd>
            <Dt><Dt>2026-01-30</Dt></Dt>
          </Bal>
          <Bal>
            <Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp>
            <Amt Ccy="IDR">750000</Amt>
            <CdtDbtInd>CRDT</CdtDbtInd>
            <Dt><Dt>2026-01-31</Dt></Dt>
          </Bal>
          <Bal>
            <Tp><CdOrPrtry><Cd>CLAV</Cd></CdOrPrtry></Tp>
            <Amt Ccy="IDR">700000.00</Amt>
            <CdtDbtInd>CRDT</CdtDbtInd>
            <Dt><DtTm>2026-01-31T23:59:59+07:00</DtTm></Dt>
          </Bal>
          <Ntry>
            <Amt Ccy="IDR">300000.00</Amt>
            <CdtDbtInd>DBIT</CdtDbtInd>
            <Sts>BOOK</Sts>
            <BookgDt><Dt>2026-01-31</Dt></BookgDt>
            <ValDt><Dt>2026-01-31</Dt></ValDt>
            <AcctSvcrRef>BNI77001</AcctSvcrRef>
            <BkTxCd><Prtry><Cd>NTRF</Cd></Prtry></BkTxCd>
            <NtryDtls>
              <TxDtls>
                <Refs><EndToEndId>SALUR-0000001</EndToEndId></Refs>
                <RltdPties>
                  <Cdtr><Nm>Yohanes Ndun &amp; Maria &lt;Kupang&gt; &apos;Oesapa&apos; &quot;RT 03&quot;</Nm></Cdtr>
                  <CdtrAcct><Id><Othr><Id>1234567890</Id></Othr></Id></CdtrAcct>
                </RltdPties>
                <RmtInf>
                  <Ustrd>Bantuan sosial non-tunai</Ustrd>
                  <Ustrd>periode 2026-01</Ustrd>
                </RmtInf>
              </TxDtls>
            </NtryDtls>
          </Ntry>
          <Ntry>
            <Amt Ccy="IDR">50000.00</Amt>
            <CdtDbtInd>CRDT</CdtDbtInd>
            <RvslInd>true</RvslInd>
            <Sts>BOOK</Sts>
            <ValDt><Dt>2026-01-31</Dt></ValDt>
            <AcctSvcrRef>BNI77002</AcctSvcrRef>
            <BkTxCd><Prtry><Cd>NTRF</Cd></Prtry></BkTxCd>
            <AddtlNtryInf>RETUR: rekening tidak aktif</AddtlNtryInf>
          </Ntry>
          <Ntry>
            <Amt Ccy="IDR">999000.00</Amt>
            <CdtDbtInd>CRDT</CdtDbtInd>
            <Sts>PDNG</Sts>
            <ValDt><Dt>2026-02-01</Dt></ValDt>
            <BkTxCd><Prtry><Cd>NTRF</Cd></Prtry></BkTxCd>
          </Ntry>
        </Stmt>
        <Stmt>
          <Id>STMT-0131-B</Id>
          <CreDtTm>2026-02-01T06:00:00+07:00</CreDtTm>
          <Acct><Id><IBAN>ID89BNIN0000000009988776</IBAN></Id></Acct>
          <Bal>
            <Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp>
            <Amt Ccy="IDR">5000.00</Amt>
            <CdtDbtInd>DBIT</CdtDbtInd>
            <Dt><Dt>2026-01-30</Dt></Dt>
          </Bal>
          <Bal>
            <Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp>
            <Amt Ccy="IDR">995000.00</Amt>
            <CdtDbtInd>CRDT</CdtDbtInd>
            <Dt><Dt>2026-01-31</Dt></Dt>
          </Bal>
          <Ntry>
            <Amt Ccy="IDR">1000000.00</Amt>
            <CdtDbtInd>CRDT</CdtDbtInd>
            <Sts><Cd>BOOK</Cd></Sts>
            <ValDt><Dt>2026-01-31</Dt></ValDt>
            <AcctSvcrRef>BNI77003</AcctSvcrRef>
            <BkTxCd><Prtry><Cd>NTRF</Cd></Prtry></BkTxCd>
            <NtryDtls>
              <TxDtls>
                <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
                <RltdPties>
                  <Dbtr><Pty><Nm>BPKAD Kota Kupang</Nm></Pty></Dbtr>
                  <DbtrAcct><Id><Othr><Id>0001112223</Id></Othr></Id></DbtrAcct>
                </RltdPties>
                <RmtInf><Ustrd>Pengisian rekening penampung</Ustrd></RmtInf>
              </TxDtls>
            </NtryDtls>
          </Ntry>
        </Stmt>
      </BkToCstmrStmt>
    </Document>
    """

    /// A minimal valid document with one entry whose element `replaced` is swapped for `with`.
    static func oneEntry(replacing replaced: String = "", with replacement: String = "",
                         namespace: String = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08") -> String {
        let document = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Document xmlns="\(namespace)">
          <BkToCstmrStmt>
            <GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-02-01T06:00:00</CreDtTm></GrpHdr>
            <Stmt>
              <Id>S1</Id>
              <CreDtTm>2026-02-01T06:00:00</CreDtTm>
              <Acct><Id><Othr><Id>0112233445</Id></Othr></Id></Acct>
              <Bal>
                <Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp>
                <Amt Ccy="IDR">1000.00</Amt>
                <CdtDbtInd>CRDT</CdtDbtInd>
                <Dt><Dt>2026-01-30</Dt></Dt>
              </Bal>
              <Bal>
                <Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp>
                <Amt Ccy="IDR">900.00</Amt>
                <CdtDbtInd>CRDT</CdtDbtInd>
                <Dt><Dt>2026-01-31</Dt></Dt>
              </Bal>
              <Ntry>
                <Amt Ccy="IDR">100.00</Amt>
                <CdtDbtInd>DBIT</CdtDbtInd>
                <Sts><Cd>BOOK</Cd></Sts>
                <ValDt><Dt>2026-01-31</Dt></ValDt>
              </Ntry>
            </Stmt>
          </BkToCstmrStmt>
        </Document>
        """
        guard !replaced.isEmpty else { return document }
        guard let range = document.firstRange(of: replaced) else { fatalError("fixture has no \(replaced)") }
        var changed = document
        changed.replaceSubrange(range, with: replacement)
        return changed
    }
}
