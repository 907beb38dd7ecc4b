import NIOCore
import SalurCore

extension Bank {
    /// Services 17, 18, 22 and 23: authorizes, checks the fields, then decides and books atomically.
    /// SKN (23) books the order pending and answers 200 with `transactionStatus` `03`: it clears
    /// `settleAfterMilliseconds` later, as the status inquiry then says.
    ///
    /// Order of decisions: an injected "before" fault; a duplicate `partnerReferenceNo` (only with
    /// `dedupePartnerReference`); the source account; the per-transfer limit; the beneficiary;
    /// the balance. A refusal from the source account on is kept in the ledger as `failed`.
    func transfer(_ request: SimulatorRequest, service: SNAPService) throws(Refusal) -> SimulatorAnswer {
        let authorized = try authorize(request, service: service)
        let order = try TransferOrder(body: authorized.body, service: service)
        state.withLock { $0.transactionDates[order.partnerReferenceNo, default: []].append(order.transactionDate) }
        let outcome = decide(order, authorized: authorized)

        switch outcome {
        case .dropped:
            return .dropConnection
        case .refused(let status, let fault):
            var headers: [(name: String, value: String)] = []
            if fault == .throttle { headers.append(("Retry-After", String(config.retryAfterSeconds))) }
            return answer(status, for: service, headers: headers)
        case .booked(let entry, let fault):
            let fields = transferFields(entry, order: order)
            switch fault {
            case nil:
                if service == .transferRTGS || service == .transferSKN {
                    let status = entry.status == .pending ? ("03", "Pending") : ("00", "Success")
                    return answer(.successful, for: service, fields + [JSONMember("transactionStatus", .string(status.0)),
                                                                       JSONMember("transactionStatusDesc", .string(status.1))])
                }
                return answer(.successful, for: service, fields)
            case .pending:
                return answer(.inProgress, for: service, fields)
            case .timeoutAfter:
                return answer(.timeout, for: service)
            case .dropAfter:
                return .dropConnection
            case .garbage:
                return .respond(SimulatorResponse(
                    status: 200, contentType: "application/json", body: FaultyBodies.garbage(service: service)))
            case .wrongContentType:
                return .respond(SimulatorResponse(status: 200, contentType: "text/html; charset=utf-8", body: FaultyBodies.html))
            case .hugeBody:
                return .respond(SimulatorResponse(status: 200, contentType: "application/json", body: FaultyBodies.huge))
            case .badSignature, .throttle, .failBefore, .dropBefore:
                preconditionFailure("a fault that books nothing cannot come with a booking")
            }
        }
    }

    private func decide(_ order: TransferOrder, authorized: AuthorizedRequest) -> TransferOutcome {
        let service = order.service
        let now = clock.now
        let settleAfter = Duration.milliseconds(config.settleAfterMilliseconds)
        return state.withLock { state -> TransferOutcome in
            state.settleDue(at: now)
            let fault = state.rollFault()
            if let fault, !fault.booksTransfer { state.stats.faults[fault, default: 0] += 1 }
            switch fault {
            case .badSignature: return .refused(.unauthorized("Signature"), fault: fault)
            case .throttle: return .refused(.tooManyRequests, fault: fault)
            case .failBefore: return .refused(.generalError, fault: fault)
            case .dropBefore: return .dropped
            default: break
            }
            if state.cutOff { return .refused(.cutOff, fault: nil) }
            if config.dedupePartnerReference && state.hasLiveTransfer(partnerReferenceNo: order.partnerReferenceNo) {
                return .refused(.duplicatePartnerReference, fault: nil)
            }
            if config.refuseInconsistentReference && state.hasInconsistentTransfer(order) {
                return .refused(.inconsistentRequest, fault: nil)
            }

            var entry = LedgerEntry(
                seq: state.records.count + 1, service: service, partnerReferenceNo: order.partnerReferenceNo,
                externalId: authorized.externalID, referenceNo: state.nextReferenceNo(day: authorized.receivedAt.day),
                sourceAccountNo: order.sourceAccountNo, beneficiaryAccountNo: order.beneficiaryAccountNo,
                beneficiaryBankCode: order.beneficiaryBankCode, amount: order.amount, status: .failed,
                bookedAt: authorized.receivedAt.text)
            let bookedToday = state.bookedByDay[String(authorized.receivedAt.text.prefix(10))] ?? .zero
            let overDaily = config.dailyLimit.map { limit in ((try? bookedToday.adding(order.amount)) ?? limit) > limit } ?? false
            if let refusal = overDaily ? .accountLimitExceeded : businessRefusal(order, available: state.availableBalance) {
                let record = LedgerRecord(
                    entry: entry, answeredCode: refusal.responseCode(for: service), transactionDate: order.transactionDate)
                do {
                    try state.append(record)
                } catch {
                    return .refused(.generalError, fault: nil)
                }
                return .refused(refusal, fault: nil)
            }

            let clears = fault == .pending || (service == .transferSKN && fault == nil)
            entry.status = clears ? .pending : .settled
            let answered: SNAPStatus? = switch fault {
            case .pending: .inProgress
            case .timeoutAfter: .timeout
            case .dropAfter: nil
            default: .successful
            }
            let record = LedgerRecord(
                entry: entry, settlesAt: clears ? now.advanced(by: settleAfter) : nil,
                answeredCode: answered?.responseCode(for: service), transactionDate: order.transactionDate)
            do {
                try state.append(record)
            } catch {
                return .refused(.generalError, fault: nil)
            }
            if let fault { state.stats.faults[fault, default: 0] += 1 }
            return .booked(entry, fault: fault)
        }
    }

    private func businessRefusal(_ order: TransferOrder, available: Rupiah) -> SNAPStatus? {
        guard order.sourceAccountNo == config.sourceAccountNo else {
            return .notPermitted("sourceAccountNo is not the partner's account")
        }
        if let maxAmount = config.maxAmount, order.amount > maxAmount { return .exceedsAmountLimit }
        switch order.service {
        case .transferInterbank: if let cap = config.interbankMaxAmount, order.amount > cap { return .exceedsAmountLimit }
        case .transferRTGS: if order.amount < config.rtgsMinAmount { return .exceedsAmountLimit }
        case .transferSKN: if order.amount > config.sknMaxAmount { return .exceedsAmountLimit }
        default: break
        }
        let changed = changedAccounts.withLock { $0[order.beneficiaryAccountNo] }
        let beneficiary = changed.map { AccountDirectory.lookup($0.account) } ?? (order.service == .transferIntrabank
            ? directory.internalAccount(order.beneficiaryAccountNo)
            : directory.externalAccount(order.beneficiaryAccountNo, name: order.beneficiaryAccountName ?? ""))
        switch beneficiary {
        case .unknown: return .invalidAccount("beneficiaryAccountNo")
        case .inactive: return .inactiveAccount
        case .active: break
        }
        if order.amount > available { return .insufficientFunds }
        return nil
    }

    private func transferFields(_ entry: LedgerEntry, order: TransferOrder) -> [JSONMember] {
        var fields = [
            JSONMember("referenceNo", .string(entry.referenceNo)),
            JSONMember("partnerReferenceNo", .string(entry.partnerReferenceNo)),
            JSONMember("amount", Self.amountJSON(entry.amount)),
            JSONMember("beneficiaryAccountNo", .string(entry.beneficiaryAccountNo)),
        ]
        if let bankCode = order.beneficiaryBankCode {
            fields.append(JSONMember("beneficiaryBankCode", .string(bankCode)))
        }
        if let name = order.beneficiaryAccountName {
            fields.append(JSONMember("beneficiaryAccountName", .string(name)))
        }
        fields.append(JSONMember("sourceAccountNo", .string(entry.sourceAccountNo)))
        fields.append(JSONMember("transactionDate", .string(order.transactionDate)))
        return fields
    }
}
