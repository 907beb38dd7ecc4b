import BankSimulator
import SalurCore
import Testing

/// The simulated bank words `beneficiaryAccountStatus` as configured (SNAP leaves it free text), and
/// an account can be blocked or reopened while it runs.
@Suite("Account inquiry wordings and account changes (service 15)")
struct AccountStatusWordingTests {
    static func inquire(_ client: inout SNAPTestClient, _ account: String) throws -> TestHTTPResponse {
        try #require(try client.post("/v1.0/account-inquiry-internal",
                                     body: #"{"partnerReferenceNo":"AI-W","beneficiaryAccountNo":"\#(account)"}"#))
    }

    @Test("configured wordings, or no status at all")
    func wordings() async throws {
        let accounts = [
            BankAccount(accountNo: "9876543210", name: "SITI AMINAH", status: .active),
            BankAccount(accountNo: "5550001111", name: "BUDI SANTOSO", status: .inactive),
        ]
        try await withBank({
            $0.accounts = accounts
            $0.activeStatusText = "Rekening aktif"
            $0.inactiveStatusText = "Rekening tidak aktif"
        }) { _, client in
            let active = try Self.inquire(&client, "9876543210").json
            let inactive = try Self.inquire(&client, "5550001111").json
            #expect(active["beneficiaryAccountStatus"] == "Rekening aktif")
            #expect(inactive["beneficiaryAccountStatus"] == "Rekening tidak aktif")
        }
        try await withBank({ $0.activeStatusText = nil }) { _, client in
            let json = try Self.inquire(&client, "00112233445566").json
            #expect(json["responseCode"] == "2001500")
            #expect(json["beneficiaryAccountStatus"] == nil, "the field is optional in SNAP")
        }
    }

    @Test("an account blocked while running answers its wording and refuses transfers; reopened, it is paid")
    func blockedThenReopened() async throws {
        try await withBank { simulator, client in
            let account = "00112233445566"
            await simulator.setAccount(BankAccount(accountNo: account, name: "YOHANES NDUN", status: .inactive), statusText: "Dormant")
            let blocked = try Self.inquire(&client, account).json
            #expect(blocked["beneficiaryAccountStatus"] == "Dormant")
            #expect(blocked["beneficiaryAccountName"] == "YOHANES NDUN")
            let refused = try client.transfer(reference: "W-1", amount: "300000.00", beneficiary: account)
            #expect(refused?.responseCode == "4031718")
            #expect(await simulator.ledger().map(\.status) == [.failed], "refused: no money moved")

            await simulator.setAccount(BankAccount(accountNo: account, name: "YOHANES NDUN", status: .active))
            let reopened = try Self.inquire(&client, account).json
            #expect(reopened["beneficiaryAccountStatus"] == "active")
            let paid = try client.transfer(reference: "W-2", amount: "300000.00", beneficiary: account)
            #expect(paid?.responseCode == "2001700")
            let entries = await simulator.ledger()
            #expect(entries.map(\.partnerReferenceNo) == ["W-1", "W-2"])
            #expect(entries.last?.status != .failed)
        }
    }
}
