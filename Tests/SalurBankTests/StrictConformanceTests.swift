import BankSimulator
import Foundation
import SalurBank
import SalurCore
import Testing

/// Salur's own client (libcurl + SNAP) against `salur-banksim --strict`, which checks every request
/// against the standard's field tables: each service Salur uses is called as the engine calls it, and
/// the bank refuses none of them (no 400xx01 invalid field format, no 400xx02 missing mandatory field).
@Suite("Conformance: the SNAP client against the strict simulator")
struct StrictConformanceTests {
    static func start() async throws -> SimulatedBank {
        try await SimulatedBank.start {
            $0.strict = true
            $0.settleAfterMilliseconds = 0
        }
    }

    /// Every answer the bank gave, by code, none of them a refusal of the request's form.
    static func expectNothingRefused(_ sim: SimulatedBank, sourceLocation: SourceLocation = #_sourceLocation) async {
        let responses = await sim.simulator.stats().responses
        let refused = responses.keys.filter { $0.hasPrefix("400") || $0.hasPrefix("401") }.sorted()
        #expect(refused.isEmpty, "the strict bank refused: \(refused) (all answers: \(responses))", sourceLocation: sourceLocation)
    }

    @Test("73 token, 11 balance, 15 and 16 account inquiries")
    func inquiries() async throws {
        let sim = try await Self.start()
        #expect(await sim.bank.availableBalance() == .available(Rupiah(1_000_000_000_000)))
        #expect(await sim.bank.inquireAccount("0011223344551234") == .active(name: "NASABAH 1234"))
        #expect(await sim.bank.inquireExternalAccount(bankCode: "014", accountNo: "0700000111222") == .active(name: "NASABAH 1222"))
        await Self.expectNothingRefused(sim)
        #expect(await sim.simulator.fieldsOutsideTheStandard().isEmpty)
        let requests = await sim.simulator.stats().requests
        #expect(requests[.accessToken] == 1 && requests[.balanceInquiry] == 1 && requests[.accountInquiryInternal] == 1
                && requests[.accountInquiryExternal] == 1, "\(requests)")
        try await sim.close()
    }

    @Test("17, 18, 22 and 23 transfers, each followed by 36 with its own serviceCode",
          arguments: [TransferInstruction.Service.intrabank, .interbank(bankCode: "014"), .rtgs(bankCode: "008"), .skn(bankCode: "009")])
    func transfers(_ service: TransferInstruction.Service) async throws {
        let sim = try await Self.start()
        let amount: Int64 = service.code == "22" ? 150_000_000 : 300_000
        let reference = "SLR-STRICT-\(service.code)"
        var instruction = SimulatedBank.instruction(reference, externalID: "20261123000000000\(service.code)1", amount: amount,
                                                    date: Date(timeIntervalSince1970: 1_795_402_800))
        instruction.service = service
        instruction.beneficiaryType = service.code == "22" ? .corporate : .individual
        let outcome = await sim.bank.transfer(instruction)
        switch outcome {
        case .settled, .inDoubt: break
        default: Issue.record("service \(service.code): \(outcome)")
        }
        let status = await sim.bank.inquire(StatusQuery(partnerReferenceNo: reference, externalID: instruction.externalID,
                                                        interbank: service.code != "17", amount: Rupiah(amount),
                                                        beneficiaryAccount: instruction.beneficiaryAccount, serviceCode: service.code))
        switch status {
        case .settled, .pending: break
        default: Issue.record("service 36 for \(service.code): \(status)")
        }
        await Self.expectNothingRefused(sim)
        let requests = await sim.simulator.stats().requests
        #expect(requests[.transferStatus] == 1, "\(requests)")
        // Only the fields each service defines are sent (18 has no remark in the standard's table).
        let outside = await sim.simulator.fieldsOutsideTheStandard()
        #expect(outside.isEmpty, "fields the standard does not define: \(outside)")
        #expect(await sim.simulator.ledger().count == 1)
        try await sim.close()
    }
}
