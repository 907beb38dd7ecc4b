import Foundation
import SalurCore
import SalurReports
import SalurStatements
import SalurStore
import Testing

/// A treasury account at month end, on both stores: amounts in sen, the bank's own items (jasa
/// giro, its tax, fees) recognised instead of raised, and other banks' quirks read or refused.
@Suite("Bank items, sen and statement quirks", .timeLimit(.minutes(5)))
struct BankItemTests {
    static let paid: [ReconcileFixture.Seed] = [
        .init(id: 1, account: "0012000001", bankReference: "20261130000001", settledAt: "2026-11-30T03:00:00.000Z"),
        .init(id: 2, account: "0012000002", bankReference: "20261130000002", settledAt: "2026-11-30T03:00:00.000Z"),
    ]

    /// `12345,67` from sen.
    static func text(_ sen: Int64) -> String { "\(sen / 100),\(sen % 100 < 10 ? "0" : "")\(sen % 100)" }

    /// An MT940 statement for 2026-11-30 with entries in sen: (mark, sen, type, reference, `:86:`).
    static func mt940Statement(id: String = "RKUD202611", opening: Int64 = 100_000_000_050,
                               _ entries: [(mark: String, sen: Int64, type: String, reference: String, info: String)],
                               closing: Int64? = nil, previousDay: String = "261129", day: String = "261130") -> [String] {
        var balance = opening
        var lines = [":20:\(id)", ":25:0011999999", ":28C:\(id.suffix(2))/1", ":60F:C\(previousDay)IDR\(text(opening))"]
        for entry in entries {
            balance += entry.mark == "C" ? entry.sen : -entry.sen
            lines.append(":61:\(day)\(entry.mark)\(text(entry.sen))\(entry.type)\(entry.reference)")
            if !entry.info.isEmpty { lines.append(":86:\(entry.info)") }
        }
        lines += [":62F:C\(day)IDR\(text(closing ?? balance))", "-"]
        return lines
    }

    /// Interest, its tax, the admin fee and a transfer fee carrying a transfer's reference, each by
    /// the bank's own code; one transfer paid; one debit nobody explains.
    static let byCode = mt940(mt940Statement([
        ("C", 1_234_567, "NINT", "NONREF//JG202611", "BUNGA"),
        ("D", 246_913, "NTAX", "NONREF//PJG202611", "PJK"),
        ("D", 1_250_000, "NCHG", "NONREF", "ADM"),
        ("D", 650_000, "NCOM", "NONREF", "FEE SLR000000000001"),
        ("D", 30_000_000, "NTRF", "SLR000000000001//20261130000001", "TRF BANSOS"),
        ("D", 4_200_000, "NTRF", "NONREF", "TARIK TUNAI"),
    ]))

    /// The same items written with `NTRF` and only their descriptions to go by.
    static let byDescription = mt940(mt940Statement([
        ("C", 1_234_567, "NTRF", "NONREF", "JASA GIRO NOV 2026"),
        ("D", 246_913, "NTRF", "NONREF", "PAJAK JASA GIRO NOV 2026"),
        ("D", 1_250_000, "NMSC", "NONREF", "biaya adm rekening"),
        ("D", 650_000, "NTRF", "NONREF", "BIAYA TRANSFER SKN SLR000000000001"),
        ("D", 30_000_000, "NTRF", "SLR000000000001//20261130000001", "TRF BANSOS"),
        ("D", 4_200_000, "NTRF", "NONREF", "TARIK TUNAI"),
    ]))

    static let rules = [
        BankItemRule(text: "JASA GIRO", kind: .interest), BankItemRule(text: "PAJAK JASA GIRO", kind: .interestTax),
        BankItemRule(text: "BIAYA ADM", kind: .accountFee), BankItemRule(text: "BIAYA TRANSFER", kind: .transferFee),
    ]

    static let expectedTotals: [String: BankItemTotal] = [
        "interest": .init(count: 1, amountSen: 1_234_567), "interest_tax": .init(count: 1, amountSen: 246_913),
        "account_fee": .init(count: 1, amountSen: 1_250_000), "transfer_fee": .init(count: 1, amountSen: 650_000),
    ]

    func bankItems(_ f: StoreFixture) async throws -> [String] {
        try await f.strings("SELECT coalesce(bank_item, '-') FROM statement_entry ORDER BY id")
    }

    /// Both ways of recognising: each kind once, one exception only (the unexplained debit), the
    /// transfer fee with a transfer's reference not taken for a second payment.
    func expectRecognised(_ f: StoreFixture, _ run: ReconciliationRun, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(try await bankItems(f) == ["interest", "interest_tax", "account_fee", "transfer_fee", "-", "-"],
                sourceLocation: sourceLocation)
        #expect(try await f.openExceptions().map(\.kind) == ["unknown_debit"], sourceLocation: sourceLocation)
        #expect(run.matchedByReference == 1 && run.bankItems == ["2026-11": Self.expectedTotals], sourceLocation: sourceLocation)
        let status = try await f.store.reconciliationStatus(period: Period("2026-11"), utcOffsetHours: 7)
        #expect(status.bankItems == Self.expectedTotals, sourceLocation: sourceLocation)
        #expect(try await f.store.reconciliationStatus(period: Period("2026-10"), utcOffsetHours: 7).bankItems["interest"]?.count == 0,
                sourceLocation: sourceLocation)
        let check = try #require(try await f.store.statementChecks(period: Period("2026-11")).first, sourceLocation: sourceLocation)
        #expect(check.bankItems == Self.expectedTotals && check.unmatchedDebits == 1 && check.balanced, sourceLocation: sourceLocation)
        #expect(check.exact.unmatchedAmount == Sen(4_200_000) && check.exact.openingBalance == Sen(100_000_000_050),
                sourceLocation: sourceLocation)
    }

    @Test("each bank item kind by the statement's own code (NINT, NTAX, NCHG, NCOM) opens no exception and is totalled per kind",
          arguments: ReconBackend.available)
    func byStatementCode(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed(Self.paid)
        let run = try await f.reconcile(Self.byCode, today: "2026-12-01")
        try await expectRecognised(f, run)
    }

    @Test("each bank item kind by a [reconciliation.bank_items] rule; the longest text wins (PAJAK JASA GIRO is tax)",
          arguments: ReconBackend.available)
    func byDescriptionRule(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed(Self.paid)
        let run = try await f.reconcile(Self.byDescription, today: "2026-12-01", bankItems: Self.rules)
        try await expectRecognised(f, run)
    }

    @Test("camt.053 BkTxCd: INTR interest, TAXE tax, CHRG an account fee, a PMNT charge a transfer fee; the wrong direction is no item")
    func camtBankTransactionCodes() async throws {
        let f = try await ReconBackend.sqlite.open(); defer { f.close() }
        func entry(_ amount: String, _ direction: String, _ domain: String, _ family: String, _ sub: String) -> String {
            "<Ntry><Amt Ccy=\"IDR\">\(amount)</Amt><CdtDbtInd>\(direction)</CdtDbtInd><Sts>BOOK</Sts><ValDt><Dt>2026-11-30</Dt></ValDt>"
                + "<BkTxCd><Domn><Cd>\(domain)</Cd><Fmly><Cd>\(family)</Cd><SubFmlyCd>\(sub)</SubFmlyCd></Fmly></Domn></BkTxCd></Ntry>"
        }
        let text = """
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>C1</Id>
            <Acct><Id><Othr><Id>0011999999</Id></Othr></Id></Acct>
            <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="IDR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-01</Dt></Dt></Bal>
            <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="IDR">97.85</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-30</Dt></Dt></Bal>
            \(entry("12.34", "CRDT", "ACMT", "MDOP", "INTR"))
            \(entry("2.46", "DBIT", "ACMT", "MDOP", "TAXE"))
            \(entry("5.00", "DBIT", "ACMT", "MDOP", "CHRG"))
            \(entry("6.50", "DBIT", "PMNT", "ICDT", "CHRG"))
            \(entry("0.53", "DBIT", "ACMT", "MDOP", "INTR"))
            </Stmt></BkToCstmrStmt></Document>
            """
        try await f.reconcile(text, file: "c.xml", today: "2026-12-01")
        #expect(try await bankItems(f) == ["interest", "interest_tax", "account_fee", "transfer_fee", "-"])
        #expect(try await f.openExceptions().map(\.kind) == ["unknown_debit"]) // interest debited: not jasa giro
        #expect(try await f.strings("SELECT transaction_code FROM statement_entry WHERE id = 1") == ["ACMT/MDOP/INTR"])
    }

    @Test("a rule added re-classifies the stored entry at the next run (its exception clears), a rule removed undoes it; both audited",
          arguments: ReconBackend.available)
    func ruleChangeReclassifies(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        let text = mt940(Self.mt940Statement([("D", 1_250_000, "NTRF", "NONREF", "BIAYA ADM REKENING")]))
        let first = try await f.reconcile(text, today: "2026-12-01")
        #expect(first.bankItemsReclassified == 0 && first.bankItems.isEmpty)
        #expect(try await f.openExceptions().map(\.kind) == ["unknown_debit"])

        let rules = [BankItemRule(text: "biaya adm", kind: .accountFee)]
        let added = try await f.rematch(today: "2026-12-01", bankItems: rules)
        #expect(added.bankItemsReclassified == 1 && added.exceptionsCleared == 1)
        #expect(added.bankItems == ["2026-11": ["account_fee": .init(count: 1, amountSen: 1_250_000)]])
        #expect(try await bankItems(f) == ["account_fee"])
        #expect(try await f.openExceptions().isEmpty)
        let audit = try await f.strings("SELECT action, details FROM audit_log WHERE action = 'reconcile.bank_items' ORDER BY seq")
        #expect(audit.count == 1 && audit[0].contains("\"none->account_fee\":\"1\"") && audit[0].contains("\"reclassified\":\"1\""),
                "\(audit)")

        let unchanged = try await f.rematch(today: "2026-12-01", bankItems: rules)
        #expect(unchanged.bankItemsReclassified == 0 && !unchanged.changedAnything)

        let removed = try await f.rematch(today: "2026-12-01")
        #expect(removed.bankItemsReclassified == 1 && removed.exceptionsOpened == 1)
        #expect(try await bankItems(f) == ["-"])
        #expect(try await f.count("SELECT count(*) FROM audit_log WHERE action = 'reconcile.bank_items'") == 2)
    }

    @Test("a whole-rupiah transfer matches a debit of exactly that ,00; a debit that differs by sen is amount_differs",
          arguments: ReconBackend.available)
    func wholeRupiahAgainstSen(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed(Self.paid)
        let text = mt940(Self.mt940Statement([
            ("D", 30_000_000, "NTRF", "SLR000000000001//20261130000001", ""),
            ("D", 30_000_050, "NTRF", "SLR000000000002//20261130000002", ""),
        ]))
        let run = try await f.reconcile(text, today: "2026-12-01")
        #expect(run.matchedByReference == 2)
        let open = try await f.openExceptions()
        #expect(open.map(\.kind) == ["amount_differs"] && open.first?.partnerReferenceNo == "SLR000000000002")
        #expect(open.first?.evidence.contains("debit of Rp 300.000,50") == true, "\(open)")
        #expect(open.first?.evidence.contains("the bank debited +0.50 rupiah more") == true, "\(open)")
        let rows = try await f.store.reconciledTransfers(from: nil, to: nil, batchID: nil)
        #expect(rows.map { $0.entry?.amountSen } == [Sen(30_000_000), Sen(30_000_050)])
    }

    @Test("a debit that differs by sen is not taken for a transfer by amount, account and day either")
    func weakMatchNeedsTheSen() async throws {
        let f = try await ReconBackend.sqlite.open(); defer { f.close() }
        try await f.seed(Self.paid)
        let text = mt940(Self.mt940Statement([
            ("D", 30_000_000, "NTRF", "NONREF", "TRF KE 0012000001"),
            ("D", 30_000_001, "NTRF", "NONREF", "TRF KE 0012000002"),
        ]))
        let run = try await f.reconcile(text, today: "2026-12-01")
        #expect(run.matchedWeakly == 1)
        #expect(try await f.openExceptions().map(\.kind) == ["unknown_debit"])
    }

    static func camtWithoutOpening(id: String, closing: String, entries: String) -> String {
        """
        <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>\(id)</Id>
        <FrToDt><FrDtTm>2026-12-01T00:00:00</FrDtTm><ToDtTm>2026-12-31T23:59:59</ToDtTm></FrToDt>
        <Acct><Id><Othr><Id>0011999999</Id></Othr></Id></Acct>
        <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="IDR">\(closing)</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-31</Dt></Dt></Bal>
        \(entries)</Stmt></BkToCstmrStmt></Document>
        """
    }

    @Test("camt.053 without an opening balance: taken from the stored previous statement, said in the audit and the export",
          arguments: ReconBackend.available)
    func derivedOpening(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.reconcile(mt940(Self.mt940Statement([("C", 1_234_567, "NINT", "NONREF", "")])), file: "nov.sta", today: "2026-12-01")
        // November closes at 1,000,012,346.17 (opening 1,000,000,000.50 + 12,345.67).
        let december = Self.camtWithoutOpening(id: "DEC", closing: "1000012345.67", entries: """
            <Ntry><Amt Ccy="IDR">0.50</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><ValDt><Dt>2026-12-31</Dt></ValDt>
            <BkTxCd><Prtry><Cd>NCHG</Cd></Prtry></BkTxCd></Ntry>
            """)
        let run = try await f.reconcile(december, file: "dec.xml", today: "2027-01-02")
        #expect(run.statementsStored == 1)
        let details = try await f.strings("SELECT details FROM audit_log WHERE action = 'reconcile.statement' AND subject = 'dec.xml'")
        #expect(details.first?.contains("\"opening_derived_from\":\"the closing balance Rp 1.000.012.346,17 of statement RKUD202611 (2026-11-30, nov.sta)\"") == true,
                "\(details)")
        let checks = try await f.store.statementChecks(period: Period("2026-12"))
        #expect(checks.count == 1 && checks[0].balanced && checks[0].exact.gapFromPrevious == .zero)
        #expect(checks[0].openingDerivedFrom?.contains("RKUD202611") == true)
        let table = StatementCheckExport.table(checks)
        let row = try #require(table.rows.first)
        #expect(row[table.columns.firstIndex(of: "opening_balance")!] == .amount(Sen(100_001_234_617)))
        #expect(row[table.columns.firstIndex(of: "account_fee_amount")!].csv == "0.50")
        #expect(row[table.columns.firstIndex(of: "opening_derived_from")!].csv.contains("nov.sta"))
    }

    @Test("camt.053 without an opening balance and no earlier statement stored is refused with its line and what to ask the bank for",
          arguments: ReconBackend.available)
    func openingRefused(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        let text = Self.camtWithoutOpening(id: "DEC", closing: "10.00", entries: "")
        await #expect {
            try await f.reconcile(text, file: "dec.xml")
        } throws: { error in
            let text = "\(error)"
            return error is StatementRefusal && text.hasPrefix("dec.xml:1: statement DEC of account 0011999999 has no opening balance")
                && text.contains("ask the bank for this statement with its opening balance (OPBD)") && text.contains("nothing was stored")
        }
        #expect(try await f.count("SELECT count(*) FROM statement") == 0)
    }

    @Test("several statements in one file: a gap is shown as gap_from_previous, to the sen; a camt.053 statement without an opening takes the previous one's closing in the same file",
          arguments: ReconBackend.available)
    func gapInOneFile(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        let first = Self.mt940Statement(id: "S01", opening: 1_000_000, [("C", 1_050, "NINT", "NONREF", "")])
        let second = Self.mt940Statement(id: "S02", opening: 1_001_000, [("D", 500_000, "NCHG", "NONREF", "")],
                                         previousDay: "261130", day: "261201")
        let run = try await f.reconcile(mt940(first + second), file: "two.sta", today: "2026-12-02")
        #expect(run.statementsStored == 2)
        let checks = try await f.store.statementChecks(period: nil)
        #expect(checks.map(\.exact.gapFromPrevious) == [nil, Sen(-50)])
        let table = StatementCheckExport.table(checks)
        let gap = table.columns.firstIndex(of: "gap_from_previous")!
        #expect(table.rows.map { $0[gap].csv } == ["", "-0.50"])

        let camt = """
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
            <Stmt><Id>A1</Id><Acct><Id><Othr><Id>0011999999</Id></Othr></Id></Acct>
            <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="IDR">5.25</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2027-01-01</Dt></Dt></Bal>
            <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="IDR">5.25</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2027-01-01</Dt></Dt></Bal>
            </Stmt>
            <Stmt><Id>A2</Id><Acct><Id><Othr><Id>0011999999</Id></Othr></Id></Acct>
            <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="IDR">7.75</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2027-01-02</Dt></Dt></Bal>
            <Ntry><Amt Ccy="IDR">2.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><ValDt><Dt>2027-01-02</Dt></ValDt></Ntry>
            </Stmt></BkToCstmrStmt></Document>
            """
        let more = try await f.reconcile(camt, file: "jan.xml", today: "2027-01-03")
        #expect(more.statementsStored == 2)
        let january = try await f.store.statementChecks(period: Period("2027-01"))
        #expect(january.map(\.exact.openingBalance) == [Sen(525), Sen(525)])
        #expect(january.last?.openingDerivedFrom == "the closing balance Rp 5,25 of statement A1 (2027-01-01, jan.xml)")
    }
}
