import BankSimulator
import Foundation
import SalurBank
import SalurCore
import Synchronization
import Testing

/// What each credit-transfer service sends, as the bank receives it: only the fields the service
/// defines, the mandatory ones of RTGS and SKN among them.
@Suite("SNAP transfer services send their own fields", .timeLimit(.minutes(5)))
struct SNAPServiceFieldsTests {
    /// Passes every request to libcurl and keeps its URL and JSON body.
    final class Recording: HTTPTransport {
        let inner: CurlClient
        let sent = Mutex<[(url: String, body: [UInt8])]>([])
        init(_ inner: CurlClient) { self.inner = inner }
        func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
            sent.withLock { $0.append((request.url, request.body)) }
            return try await inner.send(request)
        }
    }

    @Test("17 carries the remark; 18 the bank code and name but no remark; 22 and 23 the beneficiary's residence and type")
    func fieldsPerService() async throws {
        let keys = try SNAPKeys.generate()
        var config = BankSimulatorConfig(clientKey: "salur-test", clientPublicKeyPEM: keys.publicPEM, clientSecret: "test-secret")
        config.sourceAccountNo = "0011999999"
        config.settleAfterMilliseconds = 0
        let simulator = try await BankSimulator.start(config)
        let curl = try CurlClient()
        let transport = Recording(curl)
        let client = SNAPClient(endpoint: .init(baseURL: simulator.baseURL, sourceAccount: "0011999999"),
                                credentials: try SNAPRequestURLTests.credentials(keys), transport: transport)
        let services: [TransferInstruction.Service] = [.intrabank, .interbank(bankCode: "009"), .rtgs(bankCode: "009"), .skn(bankCode: "009")]
        var outcomes: [TransferOutcome] = []
        for (index, service) in services.enumerated() {
            outcomes.append(await client.transfer(TransferInstruction(
                service: service, partnerReferenceNo: "SLR-TEST-\(index)", externalID: "2026112300000\(index)01",
                beneficiaryAccount: "0700000111222", beneficiaryName: "BPJS KETENAGAKERJAAN", amount: Rupiah(161_000_000),
                remark: "IURAN 2024-05", beneficiaryType: .corporate)))
        }
        curl.shutdown()
        try await simulator.shutdown()

        let transfers = transport.sent.withLock { $0 }.filter { !$0.url.hasSuffix("/access-token/b2b") }
        #expect(transfers.map { String($0.url.split(separator: "/").last ?? "") }
                == ["transfer-intrabank", "transfer-interbank", "transfer-rtgs", "transfer-skn"])
        let bodies = transfers.map { (try? JSONSerialization.jsonObject(with: Data($0.body))) as? [String: Any] ?? [:] }
        #expect(bodies[0]["remark"] as? String == "IURAN 2024-05" && bodies[0]["beneficiaryBankCode"] == nil)
        #expect(bodies[1]["remark"] == nil && bodies[1]["beneficiaryBankCode"] as? String == "009"
                && bodies[1]["beneficiaryAccountName"] as? String == "BPJS KETENAGAKERJAAN")
        for body in bodies[2...] {
            #expect(body["beneficiaryCustomerResidence"] as? String == "1" && body["beneficiaryCustomerType"] as? String == "2")
            #expect(body["beneficiaryBankCode"] as? String == "009" && body["sourceAccountNo"] as? String == "0011999999")
            #expect(body["beneficiaryAccountName"] as? String == "BPJS KETENAGAKERJAAN")
        }
        guard case .settled = outcomes[0], case .settled = outcomes[1], case .settled = outcomes[2] else {
            Issue.record("17, 18 and 22 are booked at once: \(outcomes)"); return
        }
        guard case .inDoubt(let code, _) = outcomes[3] else { Issue.record("SKN answers pending: \(outcomes[3])"); return }
        #expect(code == "2002300")
    }
}
