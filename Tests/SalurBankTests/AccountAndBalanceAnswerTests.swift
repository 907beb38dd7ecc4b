import BankSimulator
import Foundation
@testable import SalurBank
import SalurCore
import Testing

/// Service 15's refusals and service 11's balance, read as the standard writes them — over whole
/// answers, and through the real client against the bank simulator.
@Suite("Account inquiry refusals and the balance by the standard")
struct AccountAndBalanceAnswerTests {
    static func answer(_ status: Int, _ body: String) -> SNAPClient.Exchange {
        AccountStatusTests.answer(status, body)
    }

    // MARK: Service 15

    @Test("404xx11 is an unknown account")
    func unknownAccount() {
        let outcome = SNAPClassifier.account(Self.answer(404, #"{"responseCode":"4041511","responseMessage":"Invalid Card/Account/Customer"}"#))
        #expect(outcome == .unknown)
    }

    @Test("404xx02, 404xx03 and 404xx16 are set-up errors: unavailable, with the set-up problem named",
          arguments: [("4041502", "Invalid Routing", "invalid routing"), ("4041503", "Bank Not Supported By Switch", "bank not supported by the switch"),
                      ("4041516", "Partner Not Found", "partner not found")])
    func setUpErrors(_ code: String, _ message: String, _ named: String) {
        let outcome = SNAPClassifier.account(Self.answer(404, #"{"responseCode":"\#(code)","responseMessage":"\#(message)"}"#))
        guard case .unavailable(let reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason.contains("set-up error at the bank, \(named)") && reason.contains(code) && reason.contains("asked about again"), "\(reason)")
    }

    @Test("404 codes that are not about the account are not an unknown account", arguments: ["4041501", "4041508", "4041500"])
    func otherNotFound(_ code: String) {
        let outcome = SNAPClassifier.account(Self.answer(404, #"{"responseCode":"\#(code)","responseMessage":"whatever"}"#))
        guard case .unavailable = outcome else { Issue.record("\(outcome)"); return }
    }

    @Test("403xx18 is inactive and 403xx09 dormant, with the bank's words (the standard's when it gives none)")
    func inactiveAndDormant() {
        #expect(SNAPClassifier.account(Self.answer(403, #"{"responseCode":"4031518","responseMessage":"Inactive Card/Account/Customer"}"#))
                == .inactive(name: nil, status: "Inactive Card/Account/Customer"))
        #expect(SNAPClassifier.account(Self.answer(403, #"{"responseCode":"4031509","responseMessage":"Dormant Account"}"#))
                == .inactive(name: nil, status: "Dormant Account"))
        #expect(SNAPClassifier.account(Self.answer(403, #"{"responseCode":"4031509","responseMessage":""}"#))
                == .inactive(name: nil, status: "Dormant Account"))
        guard case .unavailable = SNAPClassifier.account(Self.answer(403, #"{"responseCode":"4031505","responseMessage":"Do Not Honor"}"#)) else {
            Issue.record("another 403 is no answer about the account"); return
        }
    }

    @Test("through the real client: the simulator's refusals reach the engine as these outcomes")
    func refusalsThroughTheClient() async throws {
        let sim = try await SimulatedBank.start()
        let accounts = ["0011000000000001", "0011000000000002", "0011000000000003", "0011000000000004"]
        await sim.simulator.refuseAccountInquiry(accounts[0], with: .dormant)
        await sim.simulator.refuseAccountInquiry(accounts[1], with: .inactive)
        await sim.simulator.refuseAccountInquiry(accounts[2], with: .partnerNotFound)
        await sim.simulator.refuseAccountInquiry(accounts[3], with: .invalidRouting)
        #expect(await sim.bank.inquireAccount(accounts[0]) == .inactive(name: nil, status: "Dormant Account"))
        #expect(await sim.bank.inquireAccount(accounts[1]) == .inactive(name: nil, status: "Inactive Card/Account/Customer"))
        guard case .unavailable(let partner) = await sim.bank.inquireAccount(accounts[2]),
              case .unavailable(let routing) = await sim.bank.inquireAccount(accounts[3]) else {
            Issue.record("set-up errors must be unavailable"); try await sim.close(); return
        }
        #expect(partner.contains("partner not found") && partner.contains("4041516"), "\(partner)")
        #expect(routing.contains("invalid routing") && routing.contains("4041502"), "\(routing)")
        await sim.simulator.refuseAccountInquiry(accounts[0], with: nil)
        #expect(await sim.bank.inquireAccount(accounts[0]) == .active(name: "NASABAH 0001"))
        try await sim.close()
    }

    // MARK: Service 11

    static func balance(_ infos: String) -> SNAPClient.Exchange {
        answer(200, #"{"responseCode":"2001100","responseMessage":"Successful","accountNo":"0011999999","accountInfos":[\#(infos)]}"#)
    }

    static func info(type: String? = "Cash", amount: String? = "300000.00", available: String? = "200000.00",
                     currency: String = "IDR", status: String? = "0001") -> String {
        var fields: [String] = []
        if let type { fields.append(#""balanceType":"\#(type)""#) }
        if let amount { fields.append(#""amount":{"value":"\#(amount)","currency":"\#(currency)"}"#) }
        if let available { fields.append(#""availableBalance":{"value":"\#(available)","currency":"\#(currency)"}"#) }
        if let status { fields.append(#""status":"\#(status)""#) }
        return "{" + fields.joined(separator: ",") + "}"
    }

    @Test("availableBalance is the balance, never amount (which still includes holds)")
    func availableNotAmount() {
        #expect(SNAPClassifier.balance(Self.balance(Self.info())) == .available(Rupiah(200_000)))
        guard case .unavailable(let reason) = SNAPClassifier.balance(Self.balance(Self.info(available: nil))) else {
            Issue.record("a balance without availableBalance must not be read from amount"); return
        }
        #expect(reason.contains("availableBalance"), "\(reason)")
    }

    @Test("the IDR entry only; of several, the cash one")
    func rupiahOnly() {
        let usdFirst = Self.info(type: "Cash", available: "999999999.00", currency: "USD") + "," + Self.info(available: "150000.00")
        #expect(SNAPClassifier.balance(Self.balance(usdFirst)) == .available(Rupiah(150_000)))
        guard case .unavailable(let reason) = SNAPClassifier.balance(Self.balance(Self.info(currency: "USD"))) else {
            Issue.record("a USD balance is no rupiah balance"); return
        }
        #expect(reason.contains("no IDR balance"), "\(reason)")
        // The standard's own sample: Cash and Coins, both IDR.
        let sample = Self.info(type: "Coins", available: "5000.00") + "," + Self.info(type: "Cash", available: "120000.00")
        #expect(SNAPClassifier.balance(Self.balance(sample)) == .available(Rupiah(120_000)))
    }

    @Test("a restricted, frozen, dormant or closed source account is not usable, with the reason",
          arguments: [("0006", "restricted"), ("0007", "frozen"), ("0009", "dormant"), ("0002", "closed")])
    func accountStatus(_ status: String, _ word: String) {
        let outcome = SNAPClassifier.balance(Self.balance(Self.info(status: status)))
        #expect(outcome == .notUsable(reason: "the bank reports the source account \(word) (status \(status))"))
    }

    @Test("active, new and absent statuses leave the balance usable", arguments: [String?("0001"), "0004", nil])
    func usableStatus(_ status: String?) {
        #expect(SNAPClassifier.balance(Self.balance(Self.info(status: status))) == .available(Rupiah(200_000)))
    }

    @Test("through the real client: the simulator's availableBalance, and its source account frozen")
    func balanceThroughTheClient() async throws {
        let sim = try await SimulatedBank.start { $0.sourceBalance = Rupiah(5_000_000) }
        #expect(await sim.bank.availableBalance() == .available(Rupiah(5_000_000)))
        await sim.simulator.setSourceAccountStatus("0007")
        #expect(await sim.bank.availableBalance() == .notUsable(reason: "the bank reports the source account frozen (status 0007)"))
        try await sim.close()
    }
}
