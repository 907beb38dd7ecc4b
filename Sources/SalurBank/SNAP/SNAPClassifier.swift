import Foundation
import SalurCore

/// Turns what came back from the bank into what it proves (DESIGN §4). The rule: only an answer
/// that proves the bank did nothing allows a new attempt; anything unclear is in doubt.
enum SNAPClassifier {
    /// The `responseCode` of a SNAP JSON body, if there is one.
    static func responseCode(_ response: HTTPResponse) -> SNAPResponseCode? {
        struct Envelope: Decodable { var responseCode: String? }
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(response.body)),
              let raw = envelope.responseCode else { return nil }
        return SNAPResponseCode(raw)
    }

    static func isJSON(_ response: HTTPResponse) -> Bool {
        (response.headers["content-type"] ?? "").lowercased().contains("json")
    }

    static func transfer(_ exchange: SNAPClient.Exchange, expectedService: String, partnerReferenceNo: String) -> TransferOutcome {
        let response: HTTPResponse
        switch exchange.result {
        case .failure(.notSent(let reason)):
            return .notProcessed(code: nil, reason: "not sent: \(reason)", retryAfterSeconds: nil, bankUnavailable: true)
        case .failure(.outcomeUnknown(let reason)):
            return .inDoubt(code: nil, reason: "no answer: \(reason)")
        case .failure(.responseTooLarge(let limit)):
            return .inDoubt(code: nil, reason: "answer larger than \(limit) bytes")
        case .success(let r):
            response = r
        }
        if response.status == 429 {
            return .notProcessed(code: responseCode(response)?.raw, reason: "too many requests",
                                 retryAfterSeconds: retryAfter(response), bankUnavailable: true)
        }
        guard isJSON(response), let decoded = try? JSONDecoder().decode(TransferResponse.self, from: Data(response.body)),
              let raw = decoded.responseCode, let code = SNAPResponseCode(raw) else {
            return .inDoubt(code: nil, reason: "HTTP \(response.status) without a readable SNAP answer")
        }
        let message = decoded.responseMessage ?? ""
        guard code.httpStatus == response.status else {
            return .inDoubt(code: raw, reason: "responseCode \(raw) disagrees with HTTP \(response.status)")
        }
        guard code.service == expectedService else {
            return .inDoubt(code: raw, reason: "responseCode \(raw) is not for service \(expectedService)")
        }
        switch (code.httpStatus, code.caseCode) {
        case (200, "00"):
            if let echoed = decoded.partnerReferenceNo, echoed != partnerReferenceNo {
                return .inDoubt(code: raw, reason: "success for another partnerReferenceNo (\(echoed))")
            }
            return .settled(bankReference: decoded.referenceNo, code: raw)
        case (202, _):
            return .inDoubt(code: raw, reason: "in progress: \(message)")
        case (400, _):
            return .rejected(code: raw, reason: "bad request: \(message)")
        case (401, "01"):
            return .notProcessed(code: raw, reason: "access token refused; fetching a new one", retryAfterSeconds: 0, bankUnavailable: false)
        case (401, _):
            return .notProcessed(code: raw, reason: "unauthorized: \(message)", retryAfterSeconds: nil, bankUnavailable: false)
        case (403, "06"):
            return .notProcessed(code: raw, reason: "bank cut-off time: \(message)", retryAfterSeconds: nil, bankUnavailable: true)
        case (403, "14"):
            return .insufficientFunds(code: raw, reason: "insufficient funds in the source account: \(message)")
        case (403, _), (404, _):
            return .rejected(code: raw, reason: message.isEmpty ? "refused by the bank" : message)
        case (409, _):
            return .inDoubt(code: raw, reason: "duplicate at the bank: \(message)")
        default:
            return .inDoubt(code: raw, reason: "HTTP \(response.status): \(message)")
        }
    }

    static func inquiry(_ exchange: SNAPClient.Exchange, partnerReferenceNo: String) -> InquiryOutcome {
        guard case .success(let response) = exchange.result else {
            if case .failure(let error) = exchange.result { return .unknown(reason: error.description, bankUnavailable: true) }
            return .unknown(reason: "no answer", bankUnavailable: true)
        }
        guard isJSON(response), let decoded = try? JSONDecoder().decode(StatusResponse.self, from: Data(response.body)),
              let raw = decoded.responseCode, let code = SNAPResponseCode(raw) else {
            return .unknown(reason: "HTTP \(response.status) without a readable SNAP answer", bankUnavailable: response.status >= 500)
        }
        if code.httpStatus == 404, response.status == 404, code.service == "36", code.caseCode == "01" { return .notFound }
        if let echoed = decoded.originalPartnerReferenceNo, echoed != partnerReferenceNo {
            return .unknown(reason: "the answer is about another reference (\(echoed))", bankUnavailable: false)
        }
        guard code.httpStatus == 200, response.status == 200 else {
            return .unknown(reason: "inquiry answered \(raw): \(decoded.responseMessage ?? "")", bankUnavailable: code.httpStatus >= 500 || code.httpStatus == 429)
        }
        switch decoded.latestTransactionStatus ?? "" {
        case "00": return .settled(bankReference: decoded.originalReferenceNo)
        case "01", "02", "03": return .pending(status: decoded.latestTransactionStatus ?? "")
        case "04", "05", "06":
            return .failed(status: decoded.latestTransactionStatus ?? "", reason: decoded.transactionStatusDesc ?? "failed at the bank")
        case "07": return .notFound
        case let other: return .unknown(reason: "unknown latestTransactionStatus \"\(other)\"", bankUnavailable: false)
        }
    }

    static func balance(_ exchange: SNAPClient.Exchange) -> BalanceOutcome {
        guard case .success(let response) = exchange.result else { return .unavailable(reason: "no answer") }
        guard let decoded = try? JSONDecoder().decode(BalanceResponse.self, from: Data(response.body)),
              response.status == 200, decoded.responseCode.flatMap(SNAPResponseCode.init)?.httpStatus == 200 else {
            return .unavailable(reason: "HTTP \(response.status)")
        }
        for info in decoded.accountInfos ?? [] {
            if let text = (info.availableBalance ?? info.amount)?.value, let amount = Rupiah(balanceValue: text) {
                return .available(amount)
            }
        }
        return .unavailable(reason: "the answer has no balance")
    }

    /// Service 15's answer. `beneficiaryAccountStatus` is optional free text (the standard's own
    /// sample says "Rekening aktif"): absent or an active wording is active, a known inactive wording
    /// is not payable, anything else is `unrecognised`, for the operator.
    static func account(_ exchange: SNAPClient.Exchange, wordings: AccountStatusWordings = .standard) -> AccountOutcome {
        guard case .success(let response) = exchange.result else { return .unavailable(reason: "no answer") }
        guard let decoded = try? JSONDecoder().decode(AccountInquiryResponse.self, from: Data(response.body)),
              let code = decoded.responseCode.flatMap(SNAPResponseCode.init) else {
            return .unavailable(reason: "HTTP \(response.status)")
        }
        if code.httpStatus == 404 { return .unknown }
        guard code.httpStatus == 200 else { return .unavailable(reason: decoded.responseMessage ?? code.raw) }
        let status = decoded.beneficiaryAccountStatus
        switch wordings.read(status) {
        case .active: return .active(name: decoded.beneficiaryAccountName ?? "")
        case .notPayable: return .inactive(name: decoded.beneficiaryAccountName, status: status)
        case .unrecognised: return .unrecognised(status: status ?? "", name: decoded.beneficiaryAccountName)
        }
    }

    /// `Retry-After` in seconds (the delta form; an HTTP date is read as "soon").
    static func retryAfter(_ response: HTTPResponse) -> Int? {
        guard let value = response.headers["retry-after"] else { return nil }
        return Int(value.trimmingCharacters(in: .whitespaces)).map { max(0, $0) } ?? 1
    }
}
