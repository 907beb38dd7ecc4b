import BankSimulator
import SalurCore
import Testing

@Suite("Fault injection")
struct FaultInjectionTests {
    /// What a fault at 100 % must do to one intrabank transfer.
    struct Expectation: Sendable, CustomTestStringConvertible {
        let fault: SimulatedFault
        /// `nil`: the connection is closed without an answer.
        let status: Int?
        let responseCode: String?
        let booked: LedgerEntry.Status?

        var testDescription: String { fault.rawValue }
    }

    static let expectations: [Expectation] = [
        Expectation(fault: .badSignature, status: 401, responseCode: "4011700", booked: nil),
        Expectation(fault: .throttle, status: 429, responseCode: "4291700", booked: nil),
        Expectation(fault: .failBefore, status: 500, responseCode: "5001700", booked: nil),
        Expectation(fault: .dropBefore, status: nil, responseCode: nil, booked: nil),
        Expectation(fault: .pending, status: 202, responseCode: "2021700", booked: .pending),
        Expectation(fault: .timeoutAfter, status: 504, responseCode: "5041700", booked: .settled),
        Expectation(fault: .dropAfter, status: nil, responseCode: nil, booked: .settled),
        Expectation(fault: .garbage, status: 200, responseCode: nil, booked: .settled),
        Expectation(fault: .wrongContentType, status: 200, responseCode: nil, booked: .settled),
        Expectation(fault: .hugeBody, status: 200, responseCode: nil, booked: .settled),
    ]

    @Test("every fault is covered") func coverage() {
        #expect(Set(Self.expectations.map(\.fault)) == Set(SimulatedFault.allCases))
    }

    @Test("each fault at 100 % does what it says", arguments: expectations)
    func faultAtFullRate(_ expected: Expectation) async throws {
        try await withBank({
            $0.faults = .only(expected.fault)
            $0.retryAfterSeconds = 7
            $0.settleAfterMilliseconds = 60_000
        }) { simulator, client in
            let response = try client.transfer(reference: "FLT-\(expected.fault.rawValue)")
            if let status = expected.status {
                let response = try #require(response)
                #expect(response.status == status)
                if let code = expected.responseCode { #expect(response.responseCode == code) }
                switch expected.fault {
                case .throttle:
                    #expect(response.header("Retry-After") == "7")
                case .garbage:
                    #expect(response.header("Content-Type") == "application/json")
                    #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(response.body) }
                case .wrongContentType:
                    #expect(response.header("Content-Type")?.hasPrefix("text/html") == true)
                case .hugeBody:
                    #expect(response.body.count == 10 * 1024 * 1024)
                default:
                    break
                }
            } else {
                #expect(response == nil, "the connection should close without an answer")
                #expect(client.connection.isClosedByPeer)
            }
            let entries = await simulator.ledger()
            #expect(entries.map(\.status) == (expected.booked.map { [$0] } ?? []))
            #expect(await simulator.stats().faults[expected.fault] == 1)
            #expect(await simulator.stats().requests[.transferIntrabank] == 1)
        }
    }

    @Test("faults apply to transfers only: token, status and inquiries answer normally")
    func faultsSpareOtherServices() async throws {
        var everything = FaultRates()
        for fault in SimulatedFault.allCases { everything[fault] = 100 }
        try await withBank({ $0.faults = everything }) { _, client in
            #expect(try client.status(reference: "ANY")?.responseCode == "2003600")
            let balance = try client.post("/v1.0/balance-inquiry", body: #"{"partnerReferenceNo":"B1","accountNo":"1234567890"}"#)
            #expect(balance?.responseCode == "2001100")
            let account = try client.post("/v1.0/account-inquiry-internal", body: #"{"partnerReferenceNo":"A1","beneficiaryAccountNo":"9876543210"}"#)
            #expect(account?.responseCode == "2001500")
            #expect(try client.tokenRequest()?.responseCode == "2007300")
        }
    }

    @Test("the same seed gives the same fault choices, and reset replays them")
    func seededFaults() async throws {
        func run(_ client: inout SNAPTestClient, prefix: String) throws -> [String] {
            try (1...24).map { index in
                try client.transfer(reference: "\(prefix)-\(index)")?.responseCode ?? "dropped"
            }
        }
        let rates = FaultRates(failBefore: 20, throttle: 20, pending: 30)
        var first: [String] = []
        try await withBank({ $0.faults = rates; $0.seed = 2026 }) { simulator, client in
            first = try run(&client, prefix: "A")
            #expect(Set(first).count >= 3, "24 transfers at these rates should mix outcomes: \(first)")
            await simulator.reset()
            #expect(try run(&client, prefix: "B") == first)
        }
        try await withBank({ $0.faults = rates; $0.seed = 2026 }) { _, client in
            let replay = try run(&client, prefix: "C")
            #expect(replay == first)
        }
    }

    @Test("a fault rate above 100 is refused")
    func rateValidated() {
        #expect(throws: BankSimulatorError.self) { try FaultRates(garbage: 101).validate() }
        #expect(throws: BankSimulatorError.self) { try FaultRates(pending: -1).validate() }
    }
}
