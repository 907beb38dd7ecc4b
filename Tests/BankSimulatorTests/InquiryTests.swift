import BankSimulator
import SalurCore
import Testing

@Suite("Balance and account inquiry (services 11 and 15)")
struct InquiryTests {
    static func balanceInquiry(_ client: inout SNAPTestClient, account: String = SNAPTestClient.sourceAccount) throws -> TestHTTPResponse? {
        try client.post("/v1.0/balance-inquiry", body: #"{"partnerReferenceNo":"BAL-Q","accountNo":"\#(account)"}"#)
    }

    @Test("balance inquiry reflects bookings; pending ones leave the available balance only")
    func balanceReflectsBookings() async throws {
        try await withBank({
            $0.sourceBalance = Rupiah(2_000_000)
            $0.settleAfterMilliseconds = 60_000
        }) { simulator, client in
            func balances(_ client: inout SNAPTestClient) throws -> (ledger: JSONValue?, available: JSONValue?) {
                let json = try #require(try Self.balanceInquiry(&client)).json
                #expect(json["responseCode"] == "2001100")
                #expect(json["accountNo"] == "1234567890")
                let info = try #require(json["accountInfos"]?.arrayValue?.first)
                #expect(info["balanceType"] == "Cash")
                return (info["amount"]?["value"], info["availableBalance"]?["value"])
            }
            var now = try balances(&client)
            #expect(now.ledger == "2000000.00")
            #expect(now.available == "2000000.00")

            #expect(try client.transfer(reference: "B-1", amount: "250000.00")?.responseCode == "2001700")
            now = try balances(&client)
            #expect(now.ledger == "1750000.00")
            #expect(now.available == "1750000.00")

            try await simulator.setFaults(.only(.pending))
            #expect(try client.transfer(reference: "B-2", amount: "50000.00")?.responseCode == "2021700")
            now = try balances(&client)
            #expect(now.ledger == "1750000.00")
            #expect(now.available == "1700000.00")
            #expect(await simulator.balance() == Rupiah(1_700_000))
        }
    }

    @Test("balance inquiry for another account is 4041111")
    func otherAccount() async throws {
        try await withBank { _, client in
            let response = try #require(try Self.balanceInquiry(&client, account: "5555555555"))
            #expect(response.status == 404)
            #expect(response.responseCode == "4041111")
        }
    }

    @Test("account inquiry reports name and status from the accounts list, 4041511 when unknown")
    func accountInquiry() async throws {
        let accounts = [
            BankAccount(accountNo: "9876543210", name: "SITI AMINAH", status: .active),
            BankAccount(accountNo: "5550001111", name: "BUDI SANTOSO", status: .inactive),
        ]
        try await withBank({ $0.accounts = accounts }) { _, client in
            func inquire(_ client: inout SNAPTestClient, _ account: String) throws -> TestHTTPResponse {
                try #require(try client.post(
                    "/v1.0/account-inquiry-internal",
                    body: #"{"partnerReferenceNo":"AI-1","beneficiaryAccountNo":"\#(account)"}"#))
            }
            let active = try inquire(&client, "9876543210").json
            #expect(active["responseCode"] == "2001500")
            #expect(active["beneficiaryAccountName"] == "SITI AMINAH")
            #expect(active["beneficiaryAccountStatus"] == "active")
            let inactive = try inquire(&client, "5550001111").json
            #expect(inactive["beneficiaryAccountStatus"] == "inactive")
            let unknown = try inquire(&client, "1212121212")
            #expect(unknown.status == 404)
            #expect(unknown.responseCode == "4041511")
        }
    }

    @Test("without an accounts list every well-formed number is an active NASABAH")
    func defaultAccounts() async throws {
        try await withBank { _, client in
            let json = try #require(try client.post(
                "/v1.0/account-inquiry-internal", body: #"{"partnerReferenceNo":"AI-2","beneficiaryAccountNo":"00112233445566"}"#)).json
            #expect(json["beneficiaryAccountName"] == "NASABAH 5566")
            #expect(json["beneficiaryAccountStatus"] == "active")
            let short = try client.post("/v1.0/account-inquiry-internal", body: #"{"beneficiaryAccountNo":"12345"}"#)
            #expect(short?.responseCode == "4001501")
        }
    }
}
