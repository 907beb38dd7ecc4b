import BankSimulator
import Foundation
import SalurBank
import SalurCore
import Testing

/// The real SNAP client over libcurl against the in-repo bank simulator on an ephemeral loopback port.
struct SimulatedBank {
    let simulator: BankSimulator
    let client: CurlClient
    let bank: SNAPClient
    let credentials: SNAPCredentials

    static func start(externalIDs: any ExternalIDSource = RandomExternalIDs(),
                      _ adjust: (inout BankSimulatorConfig) -> Void = { _ in }) async throws -> SimulatedBank {
        let keys = try SNAPKeys.generate()
        let secret = "test-secret-\(UUID().uuidString)"
        var config = BankSimulatorConfig(clientKey: "salur-test", clientPublicKeyPEM: keys.publicPEM, clientSecret: secret)
        config.sourceAccountNo = "0011999999"
        config.seed = 42
        adjust(&config)
        let simulator = try await BankSimulator.start(config)
        var options = CurlClient.Options()
        options.requestTimeoutMs = 5_000
        let client = try CurlClient(options: options)
        let credentials = try SNAPCredentials(partnerID: "KUPANG", clientKey: "salur-test", channelID: "95221",
                                              clientSecret: Array(secret.utf8), privateKeyPEM: keys.privatePEM)
        let bank = SNAPClient(endpoint: SNAPClient.Endpoint(baseURL: simulator.baseURL, sourceAccount: "0011999999"),
                              credentials: credentials, transport: client, externalIDs: externalIDs)
        return SimulatedBank(simulator: simulator, client: client, bank: bank, credentials: credentials)
    }

    /// Another client of the same partner over the same transport (another engine, for the bank).
    func anotherClient(externalIDs: any ExternalIDSource) -> SNAPClient {
        SNAPClient(endpoint: SNAPClient.Endpoint(baseURL: simulator.baseURL, sourceAccount: "0011999999"),
                   credentials: credentials, transport: client, externalIDs: externalIDs)
    }

    func close() async throws {
        client.shutdown()
        try await simulator.shutdown()
    }

    static func instruction(_ reference: String, externalID: String, amount: Int64 = 300_000,
                            account: String = "0011223344551234", date: Date? = nil) -> TransferInstruction {
        TransferInstruction(service: .intrabank, partnerReferenceNo: reference, externalID: externalID, beneficiaryAccount: account,
                            beneficiaryName: "MARIA NDOEN", amount: Rupiah(amount), remark: "BANSOS-NT", transactionDate: date)
    }
}

@Suite("The SNAP client against the bank simulator: echoes, duplicates and tokens")
struct SNAPClientSimulatorTests {
    @Test("the simulator echoes amount and account, and the client believes a matching success")
    func echoedSuccess() async throws {
        let sim = try await SimulatedBank.start()
        let outcome = await sim.bank.transfer(SimulatedBank.instruction("SLR-ECHO-1", externalID: "1001"))
        guard case .settled(let reference, let code) = outcome else { Issue.record("\(outcome)"); return }
        #expect(code == "2001700" && reference != nil)
        let status = await sim.bank.inquire(StatusQuery(partnerReferenceNo: "SLR-ECHO-1", externalID: "1001", interbank: false,
                                                        amount: Rupiah(300_000), beneficiaryAccount: "0011223344551234"))
        #expect(status == .settled(bankReference: reference))
        try await sim.close()
    }

    @Test("a reference repeated with other content is answered 404xx18 and left in doubt")
    func inconsistentRequest() async throws {
        let sim = try await SimulatedBank.start { $0.refuseInconsistentReference = true }
        let first = await sim.bank.transfer(SimulatedBank.instruction("SLR-INC-1", externalID: "2001"))
        guard case .settled = first else { Issue.record("\(first)"); try await sim.close(); return }
        let second = await sim.bank.transfer(SimulatedBank.instruction("SLR-INC-1", externalID: "2002", amount: 250_000))
        guard case .inDoubt(let code, _) = second else { Issue.record("\(second)"); try await sim.close(); return }
        #expect(code == "4041718")
        #expect(await sim.simulator.ledger().count == 1)
        try await sim.close()
    }

    @Test("a repeated reference at a bank that dedupes is answered 409xx01 and left in doubt")
    func duplicateReference() async throws {
        let sim = try await SimulatedBank.start { $0.dedupePartnerReference = true }
        _ = await sim.bank.transfer(SimulatedBank.instruction("SLR-DUP-1", externalID: "3001"))
        let second = await sim.bank.transfer(SimulatedBank.instruction("SLR-DUP-1", externalID: "3002"))
        guard case .inDoubt(let code, _) = second else { Issue.record("\(second)"); try await sim.close(); return }
        #expect(code == "4091701")
        try await sim.close()
    }

    @Test("a status answer about another booking under our reference is not believed")
    func otherBooking() async throws {
        let sim = try await SimulatedBank.start()
        _ = await sim.bank.transfer(SimulatedBank.instruction("SLR-OTH-1", externalID: "4001"))
        await sim.simulator.bookElsewhere(partnerReferenceNo: "SLR-OTH-1", amount: Rupiah(250_000), beneficiaryAccountNo: "0099887766554321")
        let status = await sim.bank.inquire(StatusQuery(partnerReferenceNo: "SLR-OTH-1", externalID: "4001", interbank: false,
                                                        amount: Rupiah(300_000), beneficiaryAccount: "0011223344551234"))
        guard case .unknown(let reason, false) = status else { Issue.record("\(status)"); try await sim.close(); return }
        #expect(reason.contains("Rp 250.000") && reason.contains("************4321") && reason.contains("another payment under this reference"))
        try await sim.close()
    }

    @Test("every 401 about the token drops the cached token: the next request fetches a new one",
          arguments: TokenRefusal.allCases)
    func tokenDropped(refusal: TokenRefusal) async throws {
        let sim = try await SimulatedBank.start()
        let first = await sim.bank.transfer(SimulatedBank.instruction("SLR-TOK-1", externalID: "5001"))
        guard case .settled = first else { Issue.record("\(first)"); try await sim.close(); return }
        #expect(await sim.simulator.stats().requests[.accessToken] == 1)

        await sim.simulator.expireTokens(answering: refusal)
        let refused = await sim.bank.transfer(SimulatedBank.instruction("SLR-TOK-2", externalID: "5002"))
        guard case .notProcessed(let code, _, let retryAfter, _, _) = refused else { Issue.record("\(refused)"); try await sim.close(); return }
        #expect(code?.hasPrefix("401") == true && retryAfter == 0)

        let again = await sim.bank.transfer(SimulatedBank.instruction("SLR-TOK-2", externalID: "5003"))
        guard case .settled = again else { Issue.record("\(refusal): \(again)"); try await sim.close(); return }
        #expect(await sim.simulator.stats().requests[.accessToken] == 2)
        try await sim.close()
    }

    @Test("transactionDate is the transfer's own date on every attempt, not the time of sending")
    func transactionDateFixed() async throws {
        let sim = try await SimulatedBank.start { $0.faults = FaultRates(throttle: 100) }
        let created = Date(timeIntervalSince1970: 1_768_438_923)   // 2026-01-15T01:02:03Z
        for externalID in ["6001", "6002"] {
            _ = await sim.bank.transfer(SimulatedBank.instruction("SLR-DATE-1", externalID: externalID, date: created))
        }
        #expect(await sim.simulator.transactionDates(of: "SLR-DATE-1") == ["2026-01-15T08:02:03+07:00", "2026-01-15T08:02:03+07:00"])
        try await sim.close()
    }
}
