import BankSimulator
import SalurCore
import Testing

/// `--strict`: requests are checked against the standard's field tables and refused with its codes —
/// 400xx02 for a mandatory field missing, 400xx01 for one of the wrong type, length or format — and
/// nothing is booked for a refused transfer.
@Suite("Strict simulator: the standard's field tables")
struct StrictTests {
    static func strict(_ config: inout BankSimulatorConfig) { config.strict = true }

    @Test("a conforming request of each kind is answered as without --strict")
    func conforming() async throws {
        try await withBank(Self.strict) { simulator, client in
            let transfer = try client.transfer(reference: "S-OK-1")
            #expect(transfer?.responseCode == "2001700")
            let status = try client.status(reference: "S-OK-1")
            #expect(status?.responseCode == "2003600")
            let balance = try InquiryTests.balanceInquiry(&client)
            #expect(balance?.responseCode == "2001100")
            let account = try client.post("/v1.0/account-inquiry-internal",
                                          body: #"{"partnerReferenceNo":"ACC-1","beneficiaryAccountNo":"9876543210"}"#)
            #expect(account?.responseCode == "2001500")
            // The test client's transfer body is the standard's; a field outside it is accepted and noted.
            #expect(await simulator.fieldsOutsideTheStandard().isEmpty)
            let extra = SNAPTestClient.transferBody(reference: "S-OK-2").replacingFirst(#""remark""#, with: #""note":"x","remark""#)
            let accepted = try client.post("/v1.0/transfer-intrabank", body: extra)
            #expect(accepted?.responseCode == "2001700")
            #expect(await simulator.fieldsOutsideTheStandard() == [.transferIntrabank: ["note"]])
            #expect(await simulator.ledger().count == 2)
        }
    }

    @Test("a missing mandatory field is 400xx02 naming it, an empty one too; nothing is booked",
          arguments: [("sourceAccountNo", "4001702"), ("transactionDate", "4001702"), ("partnerReferenceNo", "4001702")])
    func missingMandatory(_ field: String, _ code: String) async throws {
        try await withBank(Self.strict) { simulator, client in
            let body = SNAPTestClient.transferBody(reference: "S-MISS-1")
            let without = try JSONParser.parse(Array(body.utf8))
            guard case .object(let members) = without else { Issue.record("not an object"); return }
            let stripped = JSONValue.object(members.filter { $0.key != field }).serializedString
            let response = try #require(try client.post("/v1.0/transfer-intrabank", body: stripped))
            #expect(response.responseCode == code)
            #expect((try response.json)["responseMessage"]?.stringValue == "Invalid Mandatory Field \(field)")
            let emptied = JSONValue.object(members.map { $0.key == field ? JSONMember(field, .string("")) : $0 }).serializedString
            #expect(try client.post("/v1.0/transfer-intrabank", body: emptied)?.responseCode == code)
            #expect(await simulator.ledger().isEmpty)
        }
    }

    @Test("too long, wrongly typed or malformed fields are 400xx01 naming the field")
    func invalidFormat() async throws {
        try await withBank(Self.strict) { simulator, client in
            let remark = String(repeating: "R", count: 51)
            let long = SNAPTestClient.transferBody(reference: "S-LONG-1").replacingFirst("BANSOS-NT 2026-11", with: remark)
            var response = try #require(try client.post("/v1.0/transfer-intrabank", body: long))
            #expect(response.responseCode == "4001701")
            #expect((try response.json)["responseMessage"]?.stringValue == "Invalid Field Format remark")
            let source = SNAPTestClient.transferBody(reference: "S-SRC-1", source: String(repeating: "1", count: 20))
            response = try #require(try client.post("/v1.0/transfer-intrabank", body: source))
            #expect((try response.json)["responseMessage"]?.stringValue == "Invalid Field Format sourceAccountNo")
            let amount = SNAPTestClient.transferBody(reference: "S-AMT-1", amount: "300000")
            response = try #require(try client.post("/v1.0/transfer-intrabank", body: amount))
            #expect((try response.json)["responseMessage"]?.stringValue == "Invalid Field Format amount.value")
            let date = SNAPTestClient.transferBody(reference: "S-DATE-1").replacingFirst("2026-11-23T10:15:30+07:00", with: "23/11/2026")
            response = try #require(try client.post("/v1.0/transfer-intrabank", body: date))
            #expect((try response.json)["responseMessage"]?.stringValue == "Invalid Field Format transactionDate")
            let status = try #require(try client.post("/v1.0/transfer/status", body: #"{"originalPartnerReferenceNo":"X","serviceCode":17}"#))
            #expect(status.responseCode == "4003601")
            #expect((try status.json)["responseMessage"]?.stringValue == "Invalid Field Format serviceCode")
            let balance = try #require(try client.post("/v1.0/balance-inquiry", body: #"{"accountNo":"12345678901234567"}"#))
            #expect(balance.responseCode == "4001101", "accountNo is at most 16 characters")
            #expect(await simulator.ledger().isEmpty)
        }
    }

    @Test("RTGS and SKN need beneficiaryCustomerResidence and beneficiaryCustomerType, from their value lists")
    func clearingFields() async throws {
        try await withBank(Self.strict) { _, client in
            let base = SNAPTestClient.transferBody(reference: "S-RTGS-1", amount: "150000000.00", bankCode: "014")
            var response = try #require(try client.post("/v1.0/transfer-rtgs", body: base))
            #expect(response.responseCode == "4002202")
            #expect((try response.json)["responseMessage"]?.stringValue == "Invalid Mandatory Field beneficiaryCustomerResidence")
            let typed = base.replacingFirst(#""sourceAccountNo""#, with: #""beneficiaryCustomerResidence":"1","beneficiaryCustomerType":"4","sourceAccountNo""#)
            response = try #require(try client.post("/v1.0/transfer-skn", body: typed))
            #expect((try response.json)["responseMessage"]?.stringValue == "Invalid Field Format beneficiaryCustomerType")
        }
    }

    @Test("a CHANNEL-ID longer than 5 characters is 400xx01; without --strict it is accepted")
    func channelID() async throws {
        try await withBank(Self.strict) { _, client in
            let response = try #require(try client.post("/v1.0/balance-inquiry", body: #"{"accountNo":"1234567890"}"#, channelID: "952210"))
            #expect(response.responseCode == "4001101")
            #expect((try response.json)["responseMessage"]?.stringValue == "Invalid Field Format CHANNEL-ID")
        }
        try await withBank { _, client in
            let response = try #require(try client.post("/v1.0/balance-inquiry", body: #"{"accountNo":"1234567890"}"#, channelID: "952210"))
            #expect(response.responseCode == "2001100")
        }
    }
}
