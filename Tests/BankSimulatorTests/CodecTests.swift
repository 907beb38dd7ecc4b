import BankSimulator
import SalurCore
import Testing

@Suite("JSON, signatures, timestamps, CSV")
struct CodecTests {
    @Test("minify removes whitespace between tokens only")
    func minify() {
        let pretty = "{\n  \"a\" : \"x y\\\" z\",\r\n\t\"b\" : [ 1 , true ]\n}"
        #expect(String(decoding: JSONMinifier.minify(Array(pretty.utf8)), as: UTF8.self) == #"{"a":"x y\" z","b":[1,true]}"#)
        #expect(JSONMinifier.minify([]) == [])
    }

    @Test("the parser keeps number text and key order and refuses what a strict bank refuses")
    func parser() throws {
        let value = try JSONParser.parse(#"{"b":300000.00,"a":[1,-2.5e3,null],"s":"\u00e9\ud83d\ude00\n"}"#)
        #expect(value["b"] == .number("300000.00"))
        #expect(value["a"] == [1, .number("-2.5e3"), .null])
        #expect(value["s"] == "é😀\n")
        #expect(value.serializedString == #"{"b":300000.00,"a":[1,-2.5e3,null],"s":"é😀\n"}"#)
        for bad in [#"{"a":1,}"#, #"{"a":1,"a":2}"#, #"[01]"#, "{\"a\":\"\u{01}\"}", #"{"a":1} x"#, #""\ud800""#, ""] {
            #expect(throws: JSONParser.Failure.self, "\(bad)") { try JSONParser.parse(bad) }
        }
    }

    @Test("base64 matches RFC 4648's vectors")
    func base64() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base64.decode("Zm9v!") == nil)
        #expect(Base64.decode("Z") == nil)
    }

    @Test("the HMAC string-to-sign follows SNAP's formula")
    func stringToSign() {
        let text = SignatureCheck.stringToSign(
            method: "POST", path: "/v1.0/transfer-intrabank", accessToken: "tok",
            body: Array("{ \"a\" : 1 }".utf8), timestamp: "2026-11-23T10:15:30+07:00")
        // sha256("{\"a\":1}")
        #expect(text == "POST:/v1.0/transfer-intrabank:tok:015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862:2026-11-23T10:15:30+07:00")
        let signature = SignatureCheck.serviceSignature(stringToSign: text, clientSecret: "secret")
        #expect(SignatureCheck.isValidServiceSignature(signature, stringToSign: text, clientSecret: "secret"))
        #expect(!SignatureCheck.isValidServiceSignature(signature, stringToSign: text, clientSecret: "other"))
    }

    @Test("timestamps are written in WIB and read at any offset")
    func timestamps() throws {
        #expect(SNAPTimestamp(epochSeconds: 0).text == "1970-01-01T07:00:00+07:00")
        #expect(SNAPTimestamp(epochSeconds: 1_795_403_730).text == "2026-11-23T10:15:30+07:00")
        let parsed = try #require(SNAPTimestamp(parsing: "2026-11-23T10:15:30+07:00"))
        #expect(parsed.epochSeconds == 1_795_403_730)
        #expect(SNAPTimestamp(parsing: "2026-11-23T03:15:30Z")?.epochSeconds == 1_795_403_730)
        #expect(SNAPTimestamp(parsing: "2026-11-23T03:15:30.123Z")?.epochSeconds == 1_795_403_730)
        // 23:59:59 WIB is still the 23rd; a second later it is the 24th, while UTC is at 17:00.
        #expect(SNAPTimestamp(epochSeconds: 1_795_453_199).day == "2026-11-23")
        #expect(SNAPTimestamp(epochSeconds: 1_795_453_200).day == "2026-11-24")
        for bad in ["2026-11-23 10:15:30+07:00", "2026-02-30T10:15:30+07:00", "2026-11-23T24:00:00+07:00", "2026-11-23T10:15:30", "yesterday"] {
            #expect(SNAPTimestamp(parsing: bad) == nil, "\(bad)")
        }
        #expect(SNAPTimestamp(parsing: "2024-02-29T00:00:00+07:00") != nil)
    }

    @Test("the accounts CSV: quotes, CRLF, and every bad row named by line")
    func accountsCSV() throws {
        let accounts = try AccountsCSV.parse("account_no,name,status\r\n123456,\"SITI, AMINAH\",active\r\n654321,BUDI,Inactive\r\n")
        #expect(accounts == [
            BankAccount(accountNo: "123456", name: "SITI, AMINAH", status: .active),
            BankAccount(accountNo: "654321", name: "BUDI", status: .inactive),
        ])
        let cases: [(String, Int)] = [
            ("acct,name,status\n", 1),
            ("account_no,name,status\n12345,A,active\n", 2),
            ("account_no,name,status\n123456,A,closed\n", 2),
            ("account_no,name,status\n123456,A,active\n123456,B,active\n", 3),
            ("account_no,name,status\n123456,A\n", 2),
            ("", 1),
        ]
        for (text, line) in cases {
            #expect {
                _ = try AccountsCSV.parse(text, file: "a.csv")
            } throws: { error in
                guard case .badAccountsRow(let file, let at, _) = error as? BankSimulatorError else { return false }
                return file == "a.csv" && at == line
            }
        }
    }
}
