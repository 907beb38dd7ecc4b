import BankSimulator
import SalurCore
import Testing

@Suite("Transfers (services 17 and 18)")
struct TransferTests {
    @Test("a correctly signed transfer is booked once and shows in /admin/ledger")
    func bookedOnce() async throws {
        try await withBank { simulator, client in
            let response = try #require(try client.transfer(reference: "BNT-2026-11-0001", externalID: "1001"))
            #expect(response.status == 200)
            let json = try response.json
            #expect(json["responseCode"] == "2001700")
            #expect(json["partnerReferenceNo"] == "BNT-2026-11-0001")
            #expect(json["amount"] == ["value": "300000.00", "currency": "IDR"])
            #expect(json["beneficiaryAccountNo"] == "9876543210")
            #expect(json["sourceAccountNo"] == "1234567890")
            let referenceNo = try #require(json["referenceNo"]?.stringValue)

            let ledger = try client.admin("GET", "/admin/ledger")
            let entries = try #require(ledger["entries"]?.arrayValue)
            #expect(entries.count == 1)
            let entry = try #require(entries.first)
            #expect(entry["seq"] == 1)
            #expect(entry["service"] == "17")
            #expect(entry["partnerReferenceNo"] == "BNT-2026-11-0001")
            #expect(entry["externalId"] == "1001")
            #expect(entry["referenceNo"] == .string(referenceNo))
            #expect(entry["amount"] == 300_000)
            #expect(entry["status"] == "settled")
            #expect(entry["beneficiaryBankCode"] == .null)
            #expect(entry["bookedAt"]?.stringValue.flatMap(SNAPTimestamp.init(parsing:)) != nil)
            #expect(ledger["balance"] == .number(String(1_000_000_000_000 - 300_000)))

            let entriesInProcess = await simulator.ledger()
            #expect(entriesInProcess.map(\.amount) == [Rupiah(300_000)])
            #expect(entriesInProcess.map(\.status) == [.settled])
        }
    }

    @Test("a pretty-printed body signed over its minified form is accepted")
    func prettyPrintedBody() async throws {
        let pretty = """
            {
              "partnerReferenceNo" : "PRETTY-1",
              "amount" : {
                "value" : "125000.00",
                "currency" : "IDR"
              },
              "beneficiaryAccountNo" : "9876543210",
              "sourceAccountNo" : "1234567890",
              "transactionDate" : "2026-11-23T10:15:30+07:00",
              "remark" : "Bansos  NT \\"November\\"  2026"
            }
            """
        try await withBank { simulator, client in
            let response = try #require(try client.post("/v1.0/transfer-intrabank", body: pretty))
            #expect(response.responseCode == "2001700")
            #expect(await simulator.ledger().map(\.amount) == [Rupiah(125_000)])
        }
    }

    @Test("a signature over the body with its string contents altered is refused")
    func whitespaceInsideStringsIsSigned() async throws {
        let body = SNAPTestClient.transferBody(reference: "WS-1")
        let altered = body.replacingFirst("BANSOS-NT 2026-11", with: "BANSOS-NT2026-11")
        try await withBank { simulator, client in
            let response = try #require(try client.post("/v1.0/transfer-intrabank", body: body, signedBody: altered))
            #expect(response.responseCode == "4011700")
            #expect(await simulator.ledger().isEmpty)
        }
    }

    @Test("a wrong HMAC is refused with 4011700 and nothing is booked")
    func wrongHMAC() async throws {
        try await withBank { simulator, client in
            let response = try #require(try client.post(
                "/v1.0/transfer-intrabank", body: SNAPTestClient.transferBody(reference: "BAD-SIG"), secret: "not-the-secret"))
            #expect(response.status == 401)
            #expect(response.responseCode == "4011700")
            #expect(await simulator.ledger().isEmpty)
        }
    }

    @Test("a repeated X-EXTERNAL-ID is refused with 4091700 and not booked")
    func repeatedExternalID() async throws {
        try await withBank { simulator, client in
            let first = try #require(try client.transfer(reference: "EXT-1", externalID: "777"))
            #expect(first.responseCode == "2001700")
            let second = try #require(try client.transfer(reference: "EXT-2", externalID: "777"))
            #expect(second.status == 409)
            #expect(second.responseCode == "4091700")
            #expect(await simulator.ledger().map(\.partnerReferenceNo) == ["EXT-1"])
        }
    }

    @Test("a repeated partnerReferenceNo is booked again when dedupe is off (the default)")
    func duplicateReferenceBooksTwice() async throws {
        try await withBank { simulator, client in
            let first = try client.transfer(reference: "DUP-1")
            let second = try client.transfer(reference: "DUP-1")
            #expect(first?.responseCode == "2001700")
            #expect(second?.responseCode == "2001700")
            let entries = await simulator.ledger()
            #expect(entries.map(\.partnerReferenceNo) == ["DUP-1", "DUP-1"])
            #expect(Set(entries.map(\.referenceNo)).count == 2)
            #expect(await simulator.balance() == Rupiah(1_000_000_000_000 - 600_000))
        }
    }

    @Test("a repeated partnerReferenceNo is refused with 4091701 when dedupe is on")
    func duplicateReferenceRefusedWithDedupe() async throws {
        try await withBank({ $0.dedupePartnerReference = true }) { simulator, client in
            #expect(try client.transfer(reference: "DUP-2")?.responseCode == "2001700")
            let second = try #require(try client.transfer(reference: "DUP-2"))
            #expect(second.status == 409)
            #expect(second.responseCode == "4091701")
            #expect(await simulator.ledger().count == 1)
        }
    }

    @Test("an amount over the per-transfer limit is refused with 4031702")
    func overLimit() async throws {
        try await withBank({ $0.maxAmount = Rupiah(500_000) }) { simulator, client in
            #expect(try client.transfer(reference: "LIM-1", amount: "500000.00")?.responseCode == "2001700")
            let response = try #require(try client.transfer(reference: "LIM-2", amount: "500001.00"))
            #expect(response.status == 403)
            #expect(response.responseCode == "4031702")
            let entries = await simulator.ledger()
            #expect(entries.map(\.status) == [.settled, .failed])
            #expect(await simulator.balance() == Rupiah(1_000_000_000_000 - 500_000))
        }
    }

    @Test("a transfer beyond the balance is refused with 4031714")
    func insufficientFunds() async throws {
        try await withBank({ $0.sourceBalance = Rupiah(1_000_000) }) { simulator, client in
            #expect(try client.transfer(reference: "BAL-1", amount: "700000.00")?.responseCode == "2001700")
            let response = try #require(try client.transfer(reference: "BAL-2", amount: "300001.00"))
            #expect(response.status == 403)
            #expect(response.responseCode == "4031714")
            #expect(try client.transfer(reference: "BAL-3", amount: "300000.00")?.responseCode == "2001700")
            #expect(await simulator.balance() == .zero)
        }
    }

    @Test("beneficiaries from the accounts list: inactive 4031718, unlisted 4041711")
    func beneficiaryChecks() async throws {
        let accounts = try AccountsCSV.parse("""
            account_no,name,status
            9876543210,SITI AMINAH,active
            5550001111,"BUDI, S.PD",inactive
            """)
        try await withBank({ $0.accounts = accounts }) { simulator, client in
            #expect(try client.transfer(reference: "BEN-1", beneficiary: "9876543210")?.responseCode == "2001700")
            let inactive = try #require(try client.transfer(reference: "BEN-2", beneficiary: "5550001111"))
            #expect(inactive.status == 403)
            #expect(inactive.responseCode == "4031718")
            let unknown = try #require(try client.transfer(reference: "BEN-3", beneficiary: "1111222233"))
            #expect(unknown.status == 404)
            #expect(unknown.responseCode == "4041711")
            #expect(await simulator.ledger().map(\.status) == [.settled, .failed, .failed])
        }
    }

    @Test("an interbank transfer is answered with service 18 codes")
    func interbank() async throws {
        let accounts = try AccountsCSV.parse("account_no,name,status\n4440009999,GONE,unknown\n")
        try await withBank({ $0.accounts = accounts }) { simulator, client in
            let body = SNAPTestClient.transferBody(reference: "BPJS-2026-11", amount: "4500000.00", beneficiary: "0700123456789", bankCode: "014")
            let response = try #require(try client.post("/v1.0/transfer-interbank", body: body))
            #expect(response.status == 200)
            #expect(response.responseCode == "2001800")
            #expect(try response.json["beneficiaryBankCode"] == "014")
            let unknown = try #require(try client.post("/v1.0/transfer-interbank", body: SNAPTestClient.transferBody(
                reference: "BPJS-X", beneficiary: "4440009999", bankCode: "014")))
            #expect(unknown.responseCode == "4041811")
            let missingBank = try #require(try client.post("/v1.0/transfer-interbank", body: SNAPTestClient.transferBody(reference: "BPJS-Y")))
            #expect(missingBank.responseCode == "4001802")
            let entries = await simulator.ledger()
            #expect(entries.first?.service == .transferInterbank)
            #expect(entries.first?.beneficiaryBankCode == "014")
        }
    }

    @Test("malformed fields are 400xx01", arguments: [
        ("300000", "IDR", "9876543210"),
        ("300000.5", "IDR", "9876543210"),
        ("300000.50", "IDR", "9876543210"),
        ("3e5", "IDR", "9876543210"),
        ("0.00", "IDR", "9876543210"),
        ("300000.00", "USD", "9876543210"),
        ("300000.00", "IDR", "98765"),
        ("300000.00", "IDR", "98765432AB"),
    ])
    func badFieldFormat(amount: String, currency: String, beneficiary: String) async throws {
        try await withBank { simulator, client in
            let body = SNAPTestClient.transferBody(reference: "FMT", amount: amount, beneficiary: beneficiary, currency: currency)
            let response = try #require(try client.post("/v1.0/transfer-intrabank", body: body))
            #expect(response.status == 400)
            #expect(response.responseCode == "4001701")
            #expect(await simulator.ledger().isEmpty)
        }
    }

    @Test("a missing mandatory header is 400xx02", arguments: ["X-TIMESTAMP", "X-SIGNATURE", "X-PARTNER-ID", "X-EXTERNAL-ID", "CHANNEL-ID", "Authorization"])
    func missingHeader(header: String) async throws {
        try await withBank { simulator, client in
            let response = try #require(try client.post(
                "/v1.0/transfer-intrabank", body: SNAPTestClient.transferBody(reference: "HDR"), omit: [header]))
            #expect(response.status == 400)
            #expect(response.responseCode == "4001702")
            #expect(try response.json["responseMessage"]?.stringValue?.hasSuffix(header) == true)
            #expect(await simulator.ledger().isEmpty)
        }
    }

    @Test("a missing body field is 400xx02")
    func missingField() async throws {
        try await withBank { _, client in
            let body = #"{"partnerReferenceNo":"MF-1","amount":{"value":"1000.00","currency":"IDR"},"sourceAccountNo":"1234567890","transactionDate":"2026-11-23T10:15:30+07:00"}"#
            let response = try #require(try client.post("/v1.0/transfer-intrabank", body: body))
            #expect(response.responseCode == "4001702")
            #expect(try response.json["responseMessage"] == "Invalid Mandatory Field beneficiaryAccountNo")
        }
    }

    @Test("a non-numeric X-EXTERNAL-ID is 400xx01; a wrong partner 401xx00; invalid JSON 400xx00")
    func headerFormats() async throws {
        try await withBank { _, client in
            let body = SNAPTestClient.transferBody(reference: "H-1")
            let letters = try client.post("/v1.0/transfer-intrabank", body: body, externalID: "12AB")
            #expect(letters?.responseCode == "4001701")
            let otherPartner = try client.post("/v1.0/transfer-intrabank", body: body, partnerID: "OTHER")
            #expect(otherPartner?.responseCode == "4011700")
            let notJSON = try client.post("/v1.0/transfer-intrabank", body: #"{"partnerReferenceNo":}"#)
            #expect(notJSON?.responseCode == "4001700")
        }
    }

    @Test("a source account that is not the partner's is refused with 4031715")
    func foreignSourceAccount() async throws {
        try await withBank { _, client in
            let body = SNAPTestClient.transferBody(reference: "SRC-1", source: "1111111111")
            let response = try #require(try client.post("/v1.0/transfer-intrabank", body: body))
            #expect(response.status == 403)
            #expect(response.responseCode == "4031715")
        }
    }
}
