import Foundation
@testable import SalurBank
import SalurCore
import Testing

/// What a bank's answer proves, checked on bodies as a bank would send them: an answer is believed
/// only when it is about what was sent (reference, service, amount, beneficiary account).
@Suite("SNAP answers are believed only when they are about what was sent")
struct SNAPClassifierTests {
    static let reference = "SLR-KPG-2026-11-000042"
    static let account = "0011223344551234"
    static let sent = TransferInstruction(service: .intrabank, partnerReferenceNo: reference, externalID: "2026112300000001",
                                          beneficiaryAccount: account, beneficiaryName: "MARIA NDOEN", amount: Rupiah(300_000),
                                          remark: "BANSOS-NT 2026-11")
    static let query = StatusQuery(partnerReferenceNo: reference, externalID: "2026112300000001", interbank: false,
                                   amount: Rupiah(300_000), beneficiaryAccount: account)

    static func exchange(status: Int, _ json: [String: Any]) -> SNAPClient.Exchange {
        let body = try! JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        return SNAPClient.Exchange(result: .success(HTTPResponse(status: status, headers: ["content-type": "application/json"],
                                                                 body: Array(body))), token: "t")
    }

    static func transferAnswer(_ overrides: [String: Any?] = [:], code: String = "2001700", status: Int = 200) -> SNAPClient.Exchange {
        var json: [String: Any] = [
            "responseCode": code, "responseMessage": "Successful", "referenceNo": "2026112300000000001",
            "partnerReferenceNo": reference, "amount": ["value": "300000.00", "currency": "IDR"],
            "beneficiaryAccountNo": account, "sourceAccountNo": "0011999999",
        ]
        for (key, value) in overrides { json[key] = value }
        return exchange(status: status, json)
    }

    static func statusAnswer(_ overrides: [String: Any?] = [:], latest: String = "00") -> SNAPClient.Exchange {
        var json: [String: Any] = [
            "responseCode": "2003600", "responseMessage": "Successful", "originalReferenceNo": "2026112300000000001",
            "originalPartnerReferenceNo": reference, "serviceCode": "17",
            "amount": ["value": "300000.00", "currency": "IDR"], "beneficiaryAccountNo": account,
            "latestTransactionStatus": latest, "transactionStatusDesc": "Success",
        ]
        for (key, value) in overrides { json[key] = value }
        return exchange(status: 200, json)
    }

    // MARK: Transfer answers

    @Test("a success echoing our reference, amount and account settles")
    func transferMatching() {
        #expect(SNAPClassifier.transfer(Self.transferAnswer(), sent: Self.sent)
                == .settled(bankReference: "2026112300000000001", code: "2001700"))
    }

    @Test("a success echoing the reference only (no amount or account returned) settles")
    func transferWithoutOptionalEchoes() {
        let answer = Self.transferAnswer(["amount": nil, "beneficiaryAccountNo": nil])
        #expect(SNAPClassifier.transfer(answer, sent: Self.sent) == .settled(bankReference: "2026112300000000001", code: "2001700"))
    }

    @Test("a success with no reference echoed is in doubt, to be settled by inquiry")
    func transferMissingEcho() {
        let outcome = SNAPClassifier.transfer(Self.transferAnswer(["partnerReferenceNo": nil]), sent: Self.sent)
        #expect(outcome == .inDoubt(code: "2001700", reason: "success without the reference echoed; asking the bank"))
    }

    @Test("a success for another reference is in doubt")
    func transferOtherReference() {
        let outcome = SNAPClassifier.transfer(Self.transferAnswer(["partnerReferenceNo": "SLR-OTHER-1"]), sent: Self.sent)
        guard case .inDoubt(let code, let reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(code == "2001700")
        #expect(reason.contains("SLR-OTHER-1") && reason.contains(Self.reference))
    }

    @Test("a success for another amount is in doubt, naming both amounts")
    func transferOtherAmount() {
        let outcome = SNAPClassifier.transfer(Self.transferAnswer(["amount": ["value": "250000.00", "currency": "IDR"]]), sent: Self.sent)
        guard case .inDoubt(_, let reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason.contains("Rp 250.000") && reason.contains("Rp 300.000") && reason.contains("amount"))
    }

    @Test("a success in another currency is in doubt")
    func transferOtherCurrency() {
        let outcome = SNAPClassifier.transfer(Self.transferAnswer(["amount": ["value": "300000.00", "currency": "USD"]]), sent: Self.sent)
        guard case .inDoubt(_, let reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason.contains("USD"))
    }

    @Test("a success to another account is in doubt, both accounts masked to their last 4 digits")
    func transferOtherAccount() {
        let outcome = SNAPClassifier.transfer(Self.transferAnswer(["beneficiaryAccountNo": "0099887766554321"]), sent: Self.sent)
        guard case .inDoubt(_, let reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason.contains("************4321") && reason.contains("************1234") && reason.contains("beneficiaryAccountNo"))
        #expect(!reason.contains("0099887766554321") && !reason.contains(Self.account))
    }

    @Test("a success for another service is in doubt")
    func transferOtherService() {
        let outcome = SNAPClassifier.transfer(Self.transferAnswer(code: "2001800"), sent: Self.sent)
        guard case .inDoubt = outcome else { Issue.record("\(outcome)"); return }
    }

    @Test("404xx18 inconsistent request and 409xx01 duplicate reference leave the transfer in doubt, never failed",
          arguments: [("4041718", 404), ("4091701", 409), ("4091700", 409)])
    func inconsistentOrDuplicate(code: String, status: Int) {
        let outcome = SNAPClassifier.transfer(Self.transferAnswer(["responseMessage": "x"], code: code, status: status), sent: Self.sent)
        guard case .inDoubt(let answered, _) = outcome else { Issue.record("\(code): \(outcome)"); return }
        #expect(answered == code)
    }

    @Test("404xx11 invalid account is still a refusal")
    func invalidAccountRejected() {
        let outcome = SNAPClassifier.transfer(Self.transferAnswer(["responseMessage": "Invalid Card/Account/Customer"], code: "4041711",
                                                                  status: 404), sent: Self.sent)
        guard case .rejected(let code, _) = outcome else { Issue.record("\(outcome)"); return }
        #expect(code == "4041711")
    }

    @Test("a 401 about the token asks for a new token at once; other 401s do not", arguments: [
        ("4011701", "Invalid Token (B2B)", true), ("4011703", "Token Not Found (B2B)", true),
        ("4011700", "Unauthorized. Access Token Expired", true), ("4011700", "Unauthorized. Signature", false),
    ])
    func tokenRefusals(code: String, message: String, tokenRelated: Bool) {
        let outcome = SNAPClassifier.transfer(Self.transferAnswer(["responseMessage": message], code: code, status: 401), sent: Self.sent)
        guard case .notProcessed(let answered, _, let retryAfter, let unavailable, let neverLeft) = outcome else {
            Issue.record("\(outcome)"); return
        }
        #expect(answered == code && !unavailable && !neverLeft)
        #expect((retryAfter == 0) == tokenRelated)
        #expect(SNAPClassifier.isTokenRefusal(code: SNAPResponseCode(code)!, message: message) == tokenRelated)
    }

    @Test("a request that never left counts for nothing; a refused connection is the bank being unavailable")
    func neverLeft() {
        let cancelled = SNAPClient.Exchange(result: .failure(.notSent(reason: "the calling task was cancelled before the request was sent")),
                                            token: "t", neverLeft: true)
        #expect(SNAPClassifier.transfer(cancelled, sent: Self.sent) == .notProcessed(
            code: nil, reason: "not sent: the calling task was cancelled before the request was sent", retryAfterSeconds: nil,
            bankUnavailable: false, neverLeft: true))
        let refused = SNAPClient.Exchange(result: .failure(.notSent(reason: "Couldn't connect to server")), token: "t")
        #expect(SNAPClassifier.transfer(refused, sent: Self.sent) == .notProcessed(
            code: nil, reason: "not sent: Couldn't connect to server", retryAfterSeconds: nil, bankUnavailable: true, neverLeft: false))
        #expect(SNAPClassifier.isNeverLeft(notSentReason: "the calling task was cancelled before the request was sent"))
        #expect(SNAPClassifier.isNeverLeft(notSentReason: "the HTTP client was shut down before the request was sent"))
        #expect(!SNAPClassifier.isNeverLeft(notSentReason: "Couldn't connect to server: Connection refused"))
    }

    // MARK: Status answers

    @Test("a status answer about what was sent is believed")
    func inquiryMatching() {
        #expect(SNAPClassifier.inquiry(Self.statusAnswer(), query: Self.query) == .settled(bankReference: "2026112300000000001"))
        #expect(SNAPClassifier.inquiry(Self.statusAnswer(latest: "06"), query: Self.query) == .failed(status: "06", reason: "Success"))
    }

    @Test("optional echoes that are absent do not stop a status answer being believed")
    func inquiryWithoutEchoes() {
        let answer = Self.statusAnswer(["originalPartnerReferenceNo": nil, "serviceCode": nil, "amount": nil, "beneficiaryAccountNo": nil])
        #expect(SNAPClassifier.inquiry(answer, query: Self.query) == .settled(bankReference: "2026112300000000001"))
    }

    @Test("a status answer about another booking is not believed, whatever its status",
          arguments: ["originalPartnerReferenceNo", "serviceCode", "amount", "beneficiaryAccountNo"], ["00", "03", "06"])
    func inquiryMismatch(field: String, latest: String) {
        let value: Any
        let named: String
        switch field {
        case "originalPartnerReferenceNo": value = "SLR-OTHER-1"; named = "originalPartnerReferenceNo SLR-OTHER-1"
        case "serviceCode": value = "18"; named = "serviceCode 18, not 17"
        case "amount": value = ["value": "250000.00", "currency": "IDR"]; named = "is for Rp 250.000 to ************1234, not Rp 300.000 to ************1234 (amount differs)"
        default: value = "0099887766554321"; named = "is for Rp 300.000 to ************4321, not Rp 300.000 to ************1234 (beneficiaryAccountNo differs)"
        }
        let outcome = SNAPClassifier.inquiry(Self.statusAnswer([field: value], latest: latest), query: Self.query)
        guard case .unknown(let reason, let unavailable) = outcome else { Issue.record("\(field) \(latest): \(outcome)"); return }
        #expect(!unavailable)
        #expect(reason.contains(named), "\(reason)")
        #expect(reason.contains("ask the bank's integration team"))
        #expect(!reason.contains("0099887766554321") && !reason.contains(Self.account))
    }

    @Test("the operator's reason names the other booking and ours")
    func inquiryReasonForOperator() {
        let answer = Self.statusAnswer(["amount": ["value": "250000.00", "currency": "IDR"], "beneficiaryAccountNo": "0099887766554321"])
        let outcome = SNAPClassifier.inquiry(answer, query: Self.query)
        #expect(outcome == .unknown(
            reason: "the bank's record of \(Self.reference) is for Rp 250.000 to ************4321, not Rp 300.000 to ************1234 "
                + "(amount, beneficiaryAccountNo differ): another payment under this reference; not settled — ask the bank's integration team",
            bankUnavailable: false))
    }

    @Test("'not found' is believed for our reference and service even though it describes no booking")
    func notFoundDescribesNoBooking() {
        let answer = Self.statusAnswer(["amount": ["value": "0.00", "currency": "IDR"], "beneficiaryAccountNo": nil], latest: "07")
        #expect(SNAPClassifier.inquiry(answer, query: Self.query) == .notFound)
        let otherService = Self.statusAnswer(["serviceCode": "18"], latest: "07")
        guard case .unknown = SNAPClassifier.inquiry(otherService, query: Self.query) else { Issue.record("believed"); return }
    }
}
