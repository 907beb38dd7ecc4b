import Testing
import SalurCore
@testable import SalurStatements

@Suite("Bank CSV statements")
struct CSVStatementParserTests {
    /// Mandiri-like export: `;`, `1.500.000,00`, a D/K column, an unmapped running balance.
    static let mandiri = """
    Tanggal;Keterangan;Nominal;D/K;No. Referensi;Rekening Tujuan;Nama Tujuan;Saldo
    30/01/2026;TRF BANSOS 2026-01 BUDI;1.500.000,00;D;FT001;1234567890;"Budi; Santoso";248.500.000,00
    31/01/2026;SETORAN KAS DAERAH;5.000.000,00;K;FT002;;;253.500.000,00
    31/01/2026;BIAYA ADM;6.500;d;FT003;;;253.493.500,00

    """

    static let mandiriMapping = CSVStatementMapping(
        date: "Tanggal", dateFormat: "dd/MM/yyyy",
        amounts: .marked(amount: "Nominal", direction: "D/K", debitMarker: "D", creditMarker: "K"),
        bankReference: "No. Referensi", description: "Keterangan", counterpartyAccount: "Rekening Tujuan",
        counterpartyName: "Nama Tujuan", accountNo: .value("1230007654321"), openingBalance: .value(Rupiah(250_000_000)),
        closingBalance: .value(Rupiah(253_493_500)), statementId: .value("MANDIRI-2026-01"),
        separator: ";", decimalSeparator: ",", thousandsSeparator: ".")

    @Test func markerColumn() throws {
        let parser = try CSVStatementParser(mapping: Self.mandiriMapping)
        let statement = try parser.parse(bytes: Array(Self.mandiri.utf8), file: "mandiri.csv")
        #expect(statement.format == .csv)
        #expect(statement.statementId == "MANDIRI-2026-01")
        #expect(statement.accountNo == "1230007654321")
        #expect(statement.openingDate == day("2026-01-30") && statement.closingDate == day("2026-01-31"))
        #expect(statement.sourceLine == 1)
        #expect(statement.entries.map(\.amount) == [Rupiah(1_500_000), Rupiah(5_000_000), Rupiah(6_500)])
        #expect(statement.entries.map(\.direction) == [.debit, .credit, .debit])
        #expect(statement.entries.map(\.line) == [2, 3, 4])
        #expect(statement.entries[0].counterpartyAccount == "1234567890")
        #expect(statement.entries[0].counterpartyName == "Budi; Santoso")
        #expect(statement.entries[1].counterpartyAccount == nil)
        #expect(statement.entries[0].bankReference == "FT001")
        #expect(statement.entries[0].customerReference == "")
        #expect(statement.entries[0].description == "TRF BANSOS 2026-01 BUDI")
        try statement.checkBalance()
    }

    /// BCA-like export: a title block, the marker inside the amount, a totals block at the end.
    static let bca = """
    Informasi Rekening - Mutasi Rekening
    No. rekening : 0123456789
    Nama : BPKAD KOTA KUPANG
    Periode : 30/01/2026 - 31/01/2026
    Tanggal Transaksi,Keterangan,Cabang,Jumlah,Saldo
    "30/01/2026","TRSF E-BANKING DB 3001/FTSCY/WS95051 BUDI","0000","1,500,000.00 DB","248,500,000.00"
    "31/01/2026","SETORAN TUNAI","0998","CR 5,000,000.00","253,500,000.00"
    Saldo Awal,"250,000,000.00"
    Mutasi Debet,"1,500,000.00"
    Saldo Akhir,"253,500,000.00"
    """

    @Test func markerInsideTheAmountAndSkippedBlocks() throws {
        let mapping = CSVStatementMapping(
            date: "Tanggal Transaksi", dateFormat: "dd/MM/yyyy",
            amounts: .marked(amount: "Jumlah", direction: "Jumlah", debitMarker: "DB", creditMarker: "CR"),
            bankReference: "Cabang", description: "Keterangan", accountNo: .value("0123456789"),
            openingBalance: .value(Rupiah(250_000_000)), closingBalance: .value(Rupiah(253_500_000)),
            decimalSeparator: ".", thousandsSeparator: ",", skipLeadingLines: 4, skipTrailingLines: 3)
        let statement = try CSVStatementParser(mapping: mapping).parse(bytes: Array(Self.bca.utf8), file: "bca.csv")
        #expect(statement.statementId == "bca.csv")
        #expect(statement.sourceLine == 5)
        #expect(statement.entries.map(\.direction) == [.debit, .credit])
        #expect(statement.entries.map(\.amount) == [Rupiah(1_500_000), Rupiah(5_000_000)])
        #expect(statement.entries.map(\.line) == [6, 7])
        try statement.checkBalance()
    }

    /// Separate debit and credit columns; account and balances in columns, filled on some rows.
    static let split = """
    Rekening,Tanggal Valuta,Tanggal Buku,Uraian,Debet,Kredit,Referensi,Ref Nasabah,Saldo Awal,Saldo Akhir
    0112233445,2026-02-01,2026-02-01,BANSOS NT,250000,,BNI77001,SALUR-0000001,1000000,
    0112233445,2026-02-02,2026-02-03,BANSOS NT,250000,0,BNI77002,SALUR-0000002,,
    0112233445,2026-02-02,,BUNGA,-,1000,BNI77003,,,501000
    """

    static let splitMapping = CSVStatementMapping(
        date: "Tanggal Valuta", dateFormat: "yyyy-MM-dd", bookingDate: "Tanggal Buku",
        amounts: .split(debit: "Debet", credit: "Kredit"), bankReference: "Referensi", customerReference: "Ref Nasabah",
        description: "Uraian", accountNo: .column("Rekening"), openingBalance: .column("Saldo Awal"),
        closingBalance: .column("Saldo Akhir"), decimalSeparator: nil)

    @Test func splitColumnsAndStatementColumns() throws {
        let statement = try CSVStatementParser(mapping: Self.splitMapping).parse(bytes: Array(Self.split.utf8), file: "bni.csv")
        #expect(statement.accountNo == "0112233445")
        #expect(statement.openingBalance == Rupiah(1_000_000))
        #expect(statement.closingBalance == Rupiah(501_000))
        #expect(statement.entries.map(\.direction) == [.debit, .debit, .credit])
        #expect(statement.entries.map(\.customerReference) == ["SALUR-0000001", "SALUR-0000002", ""])
        #expect(statement.entries.map(\.bookingDate) == [day("2026-02-01"), day("2026-02-03"), nil])
        #expect(statement.openingDate == day("2026-02-01") && statement.closingDate == day("2026-02-03"))
        try statement.checkBalance()
    }

    @Test func signedAmounts() throws {
        let text = "date,text,amount,ref\n2026-03-01,out,-1.000,R1\n2026-03-02,in,+2.500,R2\n"
        let mapping = CSVStatementMapping(
            date: "DATE", dateFormat: "yyyy-MM-dd", amounts: .signed(amount: "Amount"), bankReference: "ref",
            description: "text", accountNo: .value("1"), openingBalance: .value(Rupiah(-500)), closingBalance: .value(Rupiah(1_000)),
            openingDate: .value(day("2026-02-28")), closingDate: .value(day("2026-03-31")),
            decimalSeparator: ",", thousandsSeparator: ".")
        let statement = try CSVStatementParser(mapping: mapping).parse(bytes: Array(text.utf8), file: "s.csv")
        #expect(statement.entries.map(\.direction) == [.debit, .credit])
        #expect(statement.entries.map(\.amount) == [Rupiah(1_000), Rupiah(2_500)])
        #expect(statement.openingDate == day("2026-02-28") && statement.closingDate == day("2026-03-31"))
        try statement.checkBalance()
    }

    @Test func everyBadRowIsReported() throws {
        let text = """
        Tanggal;Keterangan;Nominal;D/K;No. Referensi;Rekening Tujuan;Nama Tujuan;Saldo
        30/01/2026;OK;1.500.000,00;D;FT001;;;0
        31/02/2026;BAD DATE;1,00;D;FT002;;;0
        31/01/2026;BAD MARK;1,00;X;FT003;;;0
        31/01/2026;FRACTION;1.500,505;K;FT004;;;0
        31/01/2026;SWAPPED;1,500.00;K;FT005;;;0
        31/01/2026;SHORT;1,00;K
        31/01/2026;HUGE;99999999999999999999,00;K;FT006;;;0
        31/01/2026;NEGATIVE;-5;K;FT007;;;0
        ;EMPTY;;K;FT008;;;0
        """
        let parser = try CSVStatementParser(mapping: Self.mandiriMapping)
        let failure = try #require(throws: ImportFailure.self) { try parser.parse(bytes: Array(text.utf8), file: "bad.csv") }
        let found = failure.issues.map { "\($0.line) \($0.field)" }
        #expect(found == ["3 Tanggal", "4 D/K", "5 Nominal", "6 Nominal", "7 row", "8 Nominal", "9 Nominal", "10 Tanggal", "10 Nominal"])
        let reasons = Dictionary(failure.issues.map { ("\($0.line) \($0.field)", $0.reason) }, uniquingKeysWith: { a, _ in a })
        #expect(reasons["3 Tanggal"] == "\"31/02/2026\" is not a date in the format dd/MM/yyyy")
        #expect(reasons["4 D/K"] == "must be D (debit) or K (credit), found \"X\"")
        #expect(reasons["5 Nominal"]?.contains("\"1.500,505\" has 3 digits after the decimal") == true)
        #expect(reasons["6 Nominal"]?.contains("is not a number") == true)
        #expect(reasons["7 row"]?.contains("wrong field count") == true)
        #expect(reasons["8 Nominal"]?.contains("too large") == true)
        #expect(reasons["9 Nominal"]?.contains("has a sign") == true)
        #expect(failure.description.contains("bad.csv:5: Nominal: amount \"1.500,505\" has 3 digits after the decimal"))
        #expect(failure.description.hasSuffix("9 problems found; nothing was changed."))
    }

    @Test func statementColumnsMustAgree() throws {
        let text = Self.split.replacing("0112233445,2026-02-02,,BUNGA", with: "0999999999,2026-02-02,,BUNGA")
            .replacing("2026-02-03,BANSOS NT,250000,0", with: "2026-02-03,BANSOS NT,250000,5")
        let failure = try #require(throws: ImportFailure.self) {
            try CSVStatementParser(mapping: Self.splitMapping).parse(bytes: Array(text.utf8), file: "b.csv")
        }
        #expect(failure.issues.map(\.line) == [3, 4])
        #expect(failure.issues[0].field == "Debet" && failure.issues[0].reason.contains("both Debet and Kredit"))
        #expect(failure.issues[1].field == "Rekening" && failure.issues[1].reason.contains("differs from the value on line 2"))
    }

    @Test func missingStatementValues() throws {
        let text = "Rekening,Tanggal Valuta,Tanggal Buku,Uraian,Debet,Kredit,Referensi,Ref Nasabah,Saldo Awal,Saldo Akhir\n"
        let failure = try #require(throws: ImportFailure.self) {
            try CSVStatementParser(mapping: Self.splitMapping).parse(bytes: Array(text.utf8), file: "e.csv")
        }
        #expect(failure.issues.map(\.field) == ["Rekening", "Saldo Awal", "Saldo Akhir"])
        #expect(failure.issues.allSatisfy { $0.line == 1 && $0.reason.hasPrefix("no row gives") })
    }

    @Test func headerProblemsComeFromCSVTable() throws {
        let text = "Tanggal;Keterangan;D/K;No. Referensi\n30/01/2026;X;D;R\n"
        let failure = try #require(throws: ImportFailure.self) {
            try CSVStatementParser(mapping: Self.mandiriMapping).parse(bytes: Array(text.utf8), file: "h.csv")
        }
        #expect(failure.issues.map(\.field) == ["nominal"])
        #expect(failure.issues.first?.reason == "required column is missing")
    }

    @Test func unusableMappings() {
        var mapping = Self.mandiriMapping
        mapping.dateFormat = "dd/MMM/yyyy"
        mapping.separator = "#"
        mapping.thousandsSeparator = ","
        mapping.amounts = .marked(amount: "Nominal", direction: "D/K", debitMarker: "D", creditMarker: "d")
        mapping.bankReference = " "
        #expect(throws: CSVStatementMappingError.self) { try CSVStatementParser(mapping: mapping) }
        #expect(mapping.problems.count == 5)
        #expect(Self.mandiriMapping.problems.isEmpty)
    }

    @Test(arguments: [
        ("1.500.000,00", ",", ".", 150_000_000), ("1500000", ",", ".", 150_000_000), ("1,500,000.00", ".", ",", 150_000_000),
        ("1 500 000", ",", " ", 150_000_000), ("0,0", ",", nil, 0), ("-250.000", ",", ".", -25_000_000), ("12,", ",", nil, 1_200),
        ("1.500,50", ",", ".", 150_050), ("1,5", ",", nil, 150), ("-0,07", ",", nil, -7), ("12,345.67", ".", ",", 1_234_567),
    ] as [(String, Character?, Character?, Int64)])
    /// Amounts in sen.
    func amounts(text: String, decimal: Character?, thousands: Character?, expected: Int64) throws {
        #expect(try CSVAmount.parse(text, decimal: decimal, thousands: thousands, signed: true).get() == expected)
    }

    @Test(arguments: [
        ("1.500.00", ",", "."), ("1.000", ".", nil), ("1,555", ",", nil), ("12.34.567", ",", "."), ("", ",", nil),
        ("1e5", ",", nil), ("--1", ",", nil), (",00", ",", nil), ("١٢٣", ",", nil),
    ] as [(String, Character?, Character?)])
    func badAmounts(text: String, decimal: Character?, thousands: Character?) {
        #expect(throws: AmountError.self) { try CSVAmount.parse(text, decimal: decimal, thousands: thousands, signed: true).get() }
    }
}
