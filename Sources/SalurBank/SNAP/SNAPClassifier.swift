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

    /// The `responseMessage` of a SNAP JSON body, if there is one.
    static func responseMessage(_ response: HTTPResponse) -> String? {
        struct Envelope: Decodable { var responseMessage: String? }
        return (try? JSONDecoder().decode(Envelope.self, from: Data(response.body)))?.responseMessage
    }

    /// Whether a transport's "not sent" means the request never reached for the bank at all —
    /// cancelled while it waited for a slot, or the client shut down — as opposed to a refused
    /// connection, a DNS or TLS failure, which are the bank (or the way to it) being unavailable.
    /// The transport says which only in its reason's words.
    static func isNeverLeft(notSentReason reason: String) -> Bool {
        let text = reason.lowercased()
        return text.contains("cancelled before the request was sent") || text.contains("shut down before the request was sent")
            || text.contains("client is shut down")
    }

    static func isJSON(_ response: HTTPResponse) -> Bool {
        (response.headers["content-type"] ?? "").lowercased().contains("json")
    }

    /// What a transfer attempt's answer proves. A success is believed only when it is about what was
    /// sent (DESIGN §4.7): the echoed `partnerReferenceNo` must be ours, and the echoed amount and
    /// beneficiary account, where the bank returns them, must be what `sent` says; otherwise the
    /// transfer is in doubt and the status inquiry settles it.
    static func transfer(_ exchange: SNAPClient.Exchange, sent: TransferInstruction) -> TransferOutcome {
        let expectedService = sent.service.code
        let partnerReferenceNo = sent.partnerReferenceNo
        let response: HTTPResponse
        switch exchange.result {
        case .failure(.notSent(let reason)):
            // A request that never reached for the bank (cancelled while queued, the client shut
            // down) says nothing about the bank; a refused connection or failed handshake does.
            return .notProcessed(code: nil, reason: "not sent: \(reason)", retryAfterSeconds: nil,
                                 bankUnavailable: !exchange.neverLeft, neverLeft: exchange.neverLeft)
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
            guard let echoed = decoded.partnerReferenceNo else {
                return .inDoubt(code: raw, reason: "success without the reference echoed; asking the bank")
            }
            if echoed != partnerReferenceNo {
                return .inDoubt(code: raw, reason: "success for another partnerReferenceNo (\(echoed)), not \(partnerReferenceNo); asking the bank")
            }
            if let difference = Echo.difference(amount: decoded.amount, account: decoded.beneficiaryAccountNo,
                                                sentAmount: sent.amount, sentAccount: sent.beneficiaryAccount) {
                return .inDoubt(code: raw, reason: "success for \(partnerReferenceNo) \(difference); asking the bank")
            }
            // SKN clears in batches and RTGS may queue: a 200 whose status is not "00" (success) says
            // the bank took the order, not that the money moved; the status inquiry settles it.
            if let status = decoded.transactionStatus ?? decoded.latestTransactionStatus, status != "00" {
                return .inDoubt(code: raw, reason: "accepted, transaction status \(status) (\(SNAPStatusWords.name(status))): "
                                + "asking the bank until it clears")
            }
            return .settled(bankReference: decoded.referenceNo, code: raw)
        case (202, _):
            return .inDoubt(code: raw, reason: "in progress: \(message)")
        case (400, _):
            return .rejected(code: raw, reason: "bad request: \(message)")
        case (401, "01"), (401, "03"):
            return .notProcessed(code: raw, reason: "access token refused; fetching a new one", retryAfterSeconds: 0, bankUnavailable: false)
        case (401, _):
            if isTokenRefusal(code: code, message: message) {
                return .notProcessed(code: raw, reason: "access token refused (\(message)); fetching a new one",
                                     retryAfterSeconds: 0, bankUnavailable: false)
            }
            return .notProcessed(code: raw, reason: "unauthorized: \(message)", retryAfterSeconds: nil, bankUnavailable: false)
        case (403, "06"):
            return .afterCutOff(code: raw, reason: "bank cut-off time: \(message)")
        case (403, "14"):
            return .insufficientFunds(code: raw, reason: "insufficient funds in the source account: \(message)")
        case (403, "02"):
            return .overLimit(code: raw, reason: message.isEmpty ? "exceeds transaction amount limit" : message,
                              limit: "the bank's amount limit per transaction of service \(expectedService)", daily: false)
        case (403, "20"):
            return .overLimit(code: raw, reason: message.isEmpty ? "merchant limit exceeded" : message,
                              limit: "the bank's daily limit for the treasury (merchant limit)", daily: true)
        case (403, "23"):
            return .overLimit(code: raw, reason: message.isEmpty ? "account limit exceeded" : message,
                              limit: "the bank's daily limit of the source account", daily: true)
        case (403, "04"):
            // "Activity count limit exceeded": too many requests for now. Nothing was booked; back off as for 429.
            return .notProcessed(code: raw, reason: "the bank's frequency limit: \(message)", retryAfterSeconds: retryAfter(response),
                                 bankUnavailable: true)
        case (404, "18"):
            // SNAP: "Inconsistent Request … considered as success in transfer credit": the reference
            // was processed before. Neither failed nor sent again; the status inquiry says what it became.
            return .inDoubt(code: raw, reason: "inconsistent request: the bank already holds this reference (\(message)); asking the bank")
        case (403, _), (404, _):
            return .rejected(code: raw, reason: message.isEmpty ? "refused by the bank" : message)
        case (409, _):
            // 409xx01: the reference "has previously been processed"; 409xx00: the X-EXTERNAL-ID was
            // used today. Either way something may be booked: ask.
            return .inDoubt(code: raw, reason: "duplicate at the bank: \(message)")
        default:
            return .inDoubt(code: raw, reason: "HTTP \(response.status): \(message)")
        }
    }

    /// Whether a 401 says the access token itself was refused (401xx01 invalid token, 401xx03 token
    /// not found, or 401xx00 whose reason names the token): the cached token is then dropped.
    static func isTokenRefusal(code: SNAPResponseCode, message: String) -> Bool {
        guard code.httpStatus == 401 else { return false }
        switch code.caseCode {
        case "01", "03": return true
        case "00": return message.lowercased().contains("token")
        default: return false
        }
    }

    /// What a status inquiry's answer proves. It is believed only when it is about what was sent:
    /// `originalPartnerReferenceNo`, `serviceCode`, `amount` and `beneficiaryAccountNo`, each where
    /// present, must be ours; otherwise the answer is `.unknown` with a reason naming the field and
    /// both values, so a mismatch never settles or fails the transfer, nor lets it be sent again.
    static func inquiry(_ exchange: SNAPClient.Exchange, query: StatusQuery) -> InquiryOutcome {
        let partnerReferenceNo = query.partnerReferenceNo
        let service = query.serviceCode
        guard case .success(let response) = exchange.result else {
            if case .failure(let error) = exchange.result { return .unknown(reason: error.description, bankUnavailable: true) }
            return .unknown(reason: "no answer", bankUnavailable: true)
        }
        guard isJSON(response), let decoded = try? JSONDecoder().decode(StatusResponse.self, from: Data(response.body)),
              let raw = decoded.responseCode, let code = SNAPResponseCode(raw) else {
            return .unknown(reason: "HTTP \(response.status) without a readable SNAP answer", bankUnavailable: response.status >= 500)
        }
        let askThem = "not settled — ask the bank's integration team"
        if let echoed = decoded.originalPartnerReferenceNo, echoed != partnerReferenceNo {
            return .unknown(reason: "the answer is about another reference: originalPartnerReferenceNo \(echoed), not \(partnerReferenceNo); \(askThem)",
                            bankUnavailable: false)
        }
        if code.httpStatus == 404, response.status == 404, code.service == "36", code.caseCode == "01" { return .notFound }
        guard code.httpStatus == 200, response.status == 200 else {
            return .unknown(reason: "inquiry answered \(raw): \(decoded.responseMessage ?? "")", bankUnavailable: code.httpStatus >= 500 || code.httpStatus == 429)
        }
        if let echoed = decoded.serviceCode, echoed != service {
            return .unknown(reason: "the bank's record of \(partnerReferenceNo) is for serviceCode \(echoed), not \(service): another payment under this reference; \(askThem)",
                            bankUnavailable: false)
        }
        let status = decoded.latestTransactionStatus ?? ""
        // "Not found" describes no booking: an amount or account in it is at most our request echoed.
        if status != "07", let difference = Echo.difference(
            amount: decoded.amount, account: decoded.beneficiaryAccountNo,
            sentAmount: query.amount, sentAccount: query.beneficiaryAccount) {
            return .unknown(reason: "the bank's record of \(partnerReferenceNo) is \(difference): another payment under this reference; \(askThem)",
                            bankUnavailable: false)
        }
        switch status {
        case "00": return .settled(bankReference: decoded.originalReferenceNo)
        case "01", "02", "03": return .pending(status: status)
        case "04", "05", "06":
            return .failed(status: status, reason: decoded.transactionStatusDesc ?? "failed at the bank")
        case "07": return .notFound
        case let other: return .unknown(reason: "unknown latestTransactionStatus \"\(other)\"", bankUnavailable: false)
        }
    }

    /// Compares a bank's echo of amount and beneficiary account with what was sent.
    enum Echo {
        /// nil when every echoed field that can be compared agrees; else a phrase such as
        /// `for Rp 250.000 to ********4321, not Rp 300.000 to ********1234 (amount, beneficiaryAccountNo differ)`.
        /// Account numbers appear masked to their last 4 digits.
        static func difference(amount: SNAPAmount?, account: String?, sentAmount: Rupiah?, sentAccount: String?) -> String? {
            var differing: [String] = []
            var theirs: [String] = []
            var ours: [String] = []
            if let amount, let sentAmount {
                let value = Rupiah(snapValue: amount.value)
                let text = value.map(\.description) ?? "\"\(amount.value)\""
                let shown = amount.currency == "IDR" ? text : "\(amount.currency) \(amount.value)"
                theirs.append(shown)
                ours.append(sentAmount.description)
                if value != sentAmount || amount.currency != "IDR" { differing.append("amount") }
            }
            if let account, let sentAccount {
                theirs.append("to " + Validate.maskedAccount(account))
                ours.append("to " + Validate.maskedAccount(sentAccount))
                if account != sentAccount { differing.append("beneficiaryAccountNo") }
            }
            guard !differing.isEmpty else { return nil }
            let verb = differing.count == 1 ? "differs" : "differ"
            return "for \(theirs.joined(separator: " ")), not \(ours.joined(separator: " ")) (\(differing.joined(separator: ", ")) \(verb))"
        }
    }

    /// Service 11's answer, read by the standard: the `availableBalance` of the account's IDR entry
    /// (`accountInfos`; of several, the one whose `balanceType` is absent or cash), never `amount`,
    /// which still includes holds. An account `status` of 0002 closed, 0006 restricted, 0007 frozen or
    /// 0009 dormant makes the balance not usable, with the reason.
    static func balance(_ exchange: SNAPClient.Exchange) -> BalanceOutcome {
        guard case .success(let response) = exchange.result else { return .unavailable(reason: "no answer") }
        guard let decoded = try? JSONDecoder().decode(BalanceResponse.self, from: Data(response.body)),
              response.status == 200, decoded.responseCode.flatMap(SNAPResponseCode.init)?.httpStatus == 200 else {
            return .unavailable(reason: "HTTP \(response.status)")
        }
        let infos = decoded.accountInfos ?? []
        let rupiah = infos.filter { ($0.availableBalance?.currency ?? $0.amount?.currency) == "IDR" }
        guard !rupiah.isEmpty else {
            let currencies = Set(infos.compactMap { ($0.availableBalance ?? $0.amount)?.currency }).sorted()
            return .unavailable(reason: currencies.isEmpty ? "the answer has no balance"
                                : "the answer has no IDR balance (only \(currencies.joined(separator: ", ")))")
        }
        for info in rupiah {
            if let status = info.status, let problem = accountStatusProblem(status) {
                return .notUsable(reason: "the bank reports the source account \(problem) (status \(status))")
            }
        }
        let info = rupiah.first { $0.balanceType.map { $0.lowercased() == "cash" } ?? true } ?? rupiah[0]
        guard let available = info.availableBalance else {
            return .unavailable(reason: "the answer has no availableBalance (its amount still includes holds, so it is not used)")
        }
        guard let amount = Rupiah(balanceValue: available.value) else {
            return .unavailable(reason: "availableBalance \"\(available.value)\" is not an amount")
        }
        return .available(amount)
    }

    /// The standard's account status codes (service 11) that stop payments from the account.
    static func accountStatusProblem(_ status: String) -> String? {
        switch status {
        case "0002": "closed"
        case "0006": "restricted"
        case "0007": "frozen"
        case "0009": "dormant"
        default: nil
        }
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
        let message = decoded.responseMessage.map { ": \($0)" } ?? ""
        switch (code.httpStatus, code.caseCode) {
        case (404, "11"):
            return .unknown
        case (404, "02"), (404, "03"), (404, "16"):
            // The bank's side of the connection is not set up (routing, switch, partner id): says
            // nothing about the account, which is asked about again once the set-up is fixed.
            let problem = code.caseCode == "16" ? "partner not found (X-PARTNER-ID unknown to the bank)"
                : code.caseCode == "02" ? "invalid routing" : "bank not supported by the switch"
            return .unavailable(reason: "set-up error at the bank, \(problem) (\(code.raw)\(message)): "
                                + "fix the bank connection; the account is asked about again")
        case (403, "18"), (403, "09"):
            // 403xx18 inactive, 403xx09 dormant: an answer about the account, recorded as not payable
            // with the bank's words (the standard's own when it gave none).
            let standard = code.caseCode == "09" ? "Dormant Account" : "Inactive Account"
            let words = decoded.responseMessage.flatMap { $0.isEmpty ? nil : $0 } ?? standard
            return .inactive(name: decoded.beneficiaryAccountName, status: words)
        case (200, _):
            break
        default:
            return .unavailable(reason: "account inquiry answered \(code.raw)\(message)")
        }
        let status = decoded.beneficiaryAccountStatus
        switch wordings.read(status) {
        case .active: return .active(name: decoded.beneficiaryAccountName ?? "")
        case .notPayable: return .inactive(name: decoded.beneficiaryAccountName, status: status)
        case .unrecognised: return .unrecognised(status: status ?? "", name: decoded.beneficiaryAccountName)
        }
    }

    /// Whether the bank asks for fewer requests: 429, or 403xx04 ("activity count limit exceeded").
    static func isThrottle(_ response: HTTPResponse) -> Bool {
        response.status == 429 || (response.status == 403 && responseCode(response)?.caseCode == "04")
    }

    /// `Retry-After` in seconds (the delta form; an HTTP date is read as "soon").
    static func retryAfter(_ response: HTTPResponse) -> Int? {
        guard let value = response.headers["retry-after"] else { return nil }
        return Int(value.trimmingCharacters(in: .whitespaces)).map { max(0, $0) } ?? 1
    }
}

/// The names of SNAP's transaction status values (service 36's `latestTransactionStatus`).
enum SNAPStatusWords {
    static func name(_ status: String) -> String {
        switch status {
        case "00": "success"
        case "01": "initiated"
        case "02": "paying"
        case "03": "pending"
        case "04": "refunded"
        case "05": "cancelled"
        case "06": "failed"
        case "07": "not found"
        default: "unknown"
        }
    }
}
