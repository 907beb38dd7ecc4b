import SalurCore
import Testing

/// What an operator types for money, months and remarks: read one way only, or refused with how to write it.
@Suite("Operator input: amounts, periods, remarks")
struct OperatorInputTests {
    @Test("amounts: digits, or Indonesian grouping that cannot be misread", arguments: [
        ("300000", 300_000), ("1", 1), ("1.250.000", 1_250_000), ("12.345.678.901", 12_345_678_901), ("10,042,300", 10_042_300),
        ("1000000000000000", 1_000_000_000_000_000),
    ])
    func amountsRead(_ text: String, _ value: Int64) throws {
        #expect(try Rupiah.operatorAmount(text).get() == Rupiah(value))
    }

    @Test("ambiguous or malformed amounts are refused, saying how to write them", arguments: [
        ("300.000", "is ambiguous"), ("300.00", "has a fraction of a rupiah"), ("300,000", "is ambiguous"),
        ("300000,00", "has a fraction of a rupiah"), ("1,250.000", "is not a whole number"), ("Rp 300000", "is not a whole number"),
        ("-300000", "is not a whole number"), ("+300000", "is not a whole number"), (" 300000", "is not a whole number"),
        ("0", "must be more than zero"), ("000", "has a leading zero"), ("0300000", "has a leading zero"),
        ("1.25.000", "is not grouped by thousands"), ("1.250.00", "is not grouped by thousands"), ("", "is empty"),
        ("1000000000000001", "is larger than"), ("99999999999999999999", "is larger than"), ("3e5", "is not a whole number"),
        ("３００", "is not a whole number"),
    ])
    func amountsRefused(_ text: String, _ reason: String) {
        guard case .failure(let refusal) = Rupiah.operatorAmount(text) else { return #expect(Bool(false), "\(text) was read") }
        #expect(refusal.reason.hasPrefix(reason), "\(refusal)")
        #expect(refusal.description.hasSuffix("write whole rupiah as digits only, e.g. 300000 (or grouped by thousands with two or more dots: 1.250.000)"))
    }

    @Test("periods an operator may pay for lie in 2000-01...2099-12")
    func periods() throws {
        #expect(try Period.operatorPeriod("2026-11").get() == Period("2026-11"))
        #expect(try Period.operatorPeriod("2000-01").get() == Period("2000-01"))
        #expect(try Period.operatorPeriod("2099-12").get() == Period("2099-12"))
        for text in ["1900-01", "1999-12", "2100-01", "9999-12", "2026-13", "2026-1", "26-11"] {
            guard case .failure(let refusal) = Period.operatorPeriod(text) else { Issue.record("\(text) was read"); continue }
            #expect(refusal.description.hasPrefix("\"\(text)\" "))
        }
    }

    @Test("remarks: what SNAP's remark takes (printable ASCII, at most 50), else why not")
    func remarks() {
        #expect(TransferRemark.problem("") == nil)
        #expect(TransferRemark.problem("BANSOS-NT 2026-11") == nil)
        #expect(TransferRemark.problem(String(repeating: "a", count: 50)) == nil)
        #expect(TransferRemark.problem(String(repeating: "a", count: 51)) == "51 characters; the bank accepts at most 50")
        #expect(TransferRemark.problem(String(repeating: "a", count: 300)) == "300 characters; the bank accepts at most 50")
        #expect(TransferRemark.problem("a\nb")?.hasPrefix("U+000A (line feed) is not allowed") == true)
        #expect(TransferRemark.problem("a\u{1B}[2Jb")?.hasPrefix("U+001B (ESC) is not allowed") == true)
        #expect(TransferRemark.problem("a\u{0}b")?.hasPrefix("U+0000 (NUL) is not allowed") == true)
        #expect(TransferRemark.problem("a\u{202E}b")?.hasPrefix("U+202E (bidi control) is not allowed") == true)
        #expect(TransferRemark.problem("Bantuan Rp 300.000 (Nov)") == nil)
        #expect(TransferRemark.problem("é")?.contains("is not allowed") == true)
        #expect(TransferRemark.problem(" lead") == "starts or ends with a space")
        #expect(TransferRemark.formed("BPJSTK BPU " + String(repeating: "K", count: 32) + " 2026-11").count == 50)
        #expect(TransferRemark.problem(TransferRemark.formed("BPJSTK BPU " + String(repeating: "K", count: 39) + " 2026-11")) == nil)
    }

    @Test("a payments file: every bad amount, period and remark named by line, nothing read")
    func transferFileRefusals() {
        let csv = """
            nik,amount,program,period,remark
            5371031502850001,300.000,BANSOS-NT,2026-11,ok
            5371015502850002,300.00,BANSOS-NT,2026-11,ok
            5371020101700003,300000,BANSOS-NT,1900-01,ok
            5371034507800004,300000,BANSOS-NT,2026-11,\(String(repeating: "r", count: 300))
            5371050303900005,300000,BANSOS-NT,2026-11,"two
            lines"
            5371050303900006,1.250.000,BANSOS-NT,2026-11,fine

            """
        do {
            _ = try TransferFile.parse(bytes: Array(csv.utf8), file: "pay.csv")
            Issue.record("the file was read")
        } catch {
            let lines = error.issues.map(\.description)
            #expect(lines.count == 5)
            #expect(lines[0].hasPrefix("pay.csv:2: amount: \"300.000\" is ambiguous"))
            #expect(lines[1].hasPrefix("pay.csv:3: amount: \"300.00\" has a fraction of a rupiah"))
            #expect(lines[2].hasPrefix("pay.csv:4: period: \"1900-01\" is outside 2000-01...2099-12"))
            #expect(lines[3] == "pay.csv:5: remark: 300 characters; the bank accepts at most 50")
            #expect(lines[4].hasPrefix("pay.csv:6: remark: U+000A (line feed) is not allowed"))
        }
    }
}
