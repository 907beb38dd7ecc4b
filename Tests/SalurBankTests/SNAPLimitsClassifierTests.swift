import Foundation
@testable import SalurBank
import SalurCore
import Testing

/// The bank's limits and the clearing services' answers, as the classifier reads them.
@Suite("SNAP limits, RTGS and SKN answers")
struct SNAPLimitsClassifierTests {
    typealias T = SNAPClassifierTests
    static let skn = TransferInstruction(service: .skn(bankCode: "009"), partnerReferenceNo: T.reference, externalID: "2026112300000002",
                                         beneficiaryAccount: T.account, beneficiaryName: "BPJS KETENAGAKERJAAN", amount: Rupiah(300_000),
                                         remark: "IURAN", beneficiaryType: .corporate)

    @Test("403xx02 is the amount limit (held), 403xx20 and 403xx23 daily limits (wait for the next day)",
          arguments: [("4031702", false), ("4031720", true), ("4031723", true)])
    func limits(code: String, daily: Bool) {
        let outcome = SNAPClassifier.transfer(T.transferAnswer(["responseMessage": "Limit"], code: code, status: 403), sent: T.sent)
        guard case .overLimit(let answered, _, let limit, let isDaily) = outcome else { Issue.record("\(code): \(outcome)"); return }
        #expect(answered == code && isDaily == daily)
        #expect(limit.contains(daily ? "daily limit" : "amount limit per transaction of service 17"))
        #expect(!outcome.bankUnavailable)
    }

    @Test("403xx04, the frequency limit, backs off like 429 (Retry-After honoured) and books nothing")
    func frequencyLimit() {
        let body = try! JSONSerialization.data(withJSONObject: ["responseCode": "4031704", "responseMessage": "Activity Count Limit Exceeded"])
        let exchange = SNAPClient.Exchange(result: .success(HTTPResponse(status: 403, headers: ["content-type": "application/json",
                                                                                              "retry-after": "7"], body: Array(body))), token: "t")
        let outcome = SNAPClassifier.transfer(exchange, sent: T.sent)
        guard case .notProcessed(let code, _, let retryAfter, let unavailable, let neverLeft) = outcome else { Issue.record("\(outcome)"); return }
        #expect(code == "4031704" && retryAfter == 7 && unavailable && !neverLeft)
    }

    @Test("SKN's 200 with transactionStatus 03 is in doubt; with 00 it is paid; a 200 for 18 when 23 was sent is in doubt")
    func clearingAnswers() {
        let pending = SNAPClassifier.transfer(T.transferAnswer(["transactionStatus": "03"], code: "2002300"), sent: Self.skn)
        guard case .inDoubt(let code, let reason) = pending else { Issue.record("\(pending)"); return }
        #expect(code == "2002300" && reason.contains("03 (pending)"))
        #expect(SNAPClassifier.transfer(T.transferAnswer(["transactionStatus": "00"], code: "2002300"), sent: Self.skn)
                == .settled(bankReference: "2026112300000000001", code: "2002300"))
        guard case .inDoubt = SNAPClassifier.transfer(T.transferAnswer(code: "2001800"), sent: Self.skn) else {
            Issue.record("an answer for another service must not settle"); return
        }
    }

    @Test("the status inquiry is believed only for the service the transfer was sent by")
    func inquiryService() {
        let query = StatusQuery(partnerReferenceNo: T.reference, externalID: "2026112300000002", interbank: true, amount: Rupiah(300_000),
                                beneficiaryAccount: T.account, serviceCode: "23")
        #expect(SNAPClassifier.inquiry(T.statusAnswer(["serviceCode": "23"]), query: query) == .settled(bankReference: "2026112300000000001"))
        guard case .unknown = SNAPClassifier.inquiry(T.statusAnswer(["serviceCode": "18"]), query: query) else {
            Issue.record("an answer about service 18 must not settle a transfer sent by 23"); return
        }
    }
}
