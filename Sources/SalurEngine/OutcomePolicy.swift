package import Foundation
package import Logging
package import SalurBank
package import SalurCore
package import SalurStore

/// What a bank's answer means for a transfer — the one place that decides it. From the answer (as
/// the bank module read it: `TransferOutcome`, `InquiryOutcome`), the retry settings and the
/// transfer's counters, it gives the transfer's next state and when it is looked at again
/// (`Resolution`), what the circuit breaker learns, and the line to log. The engine only asks the
/// bank and applies the decision; the stores only persist it.
package struct OutcomePolicy: Sendable {
    package var retry: RetryPolicy

    package init(retry: RetryPolicy) { self.retry = retry }

    /// One decision.
    package struct Decision: Sendable {
        package var resolution: Resolution
        /// What the circuit breaker learns: nil nothing, true the bank looks unavailable, false it answered.
        package var bankUnavailable: Bool?
        /// The line to log, if any.
        package var log: (level: Logger.Level, message: String, metadata: Logger.Metadata)?
    }

    // MARK: Transfer answers

    /// What an attempt's answer decides.
    package func afterTransfer<R: RandomNumberGenerator>(_ outcome: TransferOutcome, of attempt: ClaimedAttempt, at now: Date,
                                                         random: inout R) -> Decision {
        let masked = Validate.maskedAccount(attempt.beneficiaryAccount)
        func resolution(_ next: TransferState, code: String? = nil, message: String? = nil, bankReference: String? = nil,
                        nextActionAt: Date? = nil, holdBatch: String? = nil, neverLeft: Bool = false) -> Resolution {
            Resolution(transferID: attempt.transferID, externalID: attempt.externalID, next: next, code: code, message: message,
                       bankReference: bankReference, nextActionAt: nextActionAt, holdBatch: holdBatch, neverLeft: neverLeft)
        }
        switch outcome {
        case .settled(let reference, let code):
            return Decision(resolution: resolution(.settled, code: code, bankReference: reference), bankUnavailable: false)
        case .inDoubt(let code, let reason):
            return Decision(
                resolution: resolution(.inDoubt, code: code, message: reason,
                                       nextActionAt: now.addingTimeInterval(Double(retry.inquiryDelayMs) / 1000)),
                bankUnavailable: outcome.bankUnavailable,
                log: (.warning, "transfer in doubt", ["ref": "\(attempt.partnerReferenceNo)", "account": "\(masked)",
                                                      "attempt": "\(attempt.attemptNo)", "code": "\(code ?? "-")", "reason": "\(reason)"]))
        case .notProcessed(let code, let reason, _, _, neverLeft: true):
            // Never handed to the network: says nothing about the bank, so neither the breaker nor
            // max_attempts counts it; the transfer waits for its next turn as it was.
            return Decision(
                resolution: resolution(.retryWait, code: code, message: reason, nextActionAt: now, neverLeft: true),
                log: (.notice, "attempt not sent", ["ref": "\(attempt.partnerReferenceNo)", "attempt": "\(attempt.attemptNo)",
                                                    "code": "\(code ?? "-")", "reason": "\(reason)"]))
        case .notProcessed(let code, let reason, let retryAfter, let unavailable, neverLeft: false):
            let next = retry.date(after: attempt.roundAttempt, retryAfterSeconds: retryAfter, from: now, using: &random)
            if AttemptRules.isExhausted(round: attempt.roundAttempt, maxAttempts: retry.maxAttempts) {
                let message = AttemptRules.gaveUp(after: attempt.roundAttempt, reason: reason)
                return Decision(
                    resolution: resolution(.failed, code: code, message: message), bankUnavailable: unavailable,
                    log: (.error, "transfer failed", ["ref": "\(attempt.partnerReferenceNo)", "account": "\(masked)",
                                                      "code": "\(code ?? "-")", "reason": "\(message)"]))
            }
            return Decision(resolution: resolution(.retryWait, code: code, message: reason, nextActionAt: next), bankUnavailable: unavailable)
        case .afterCutOff(let code, let reason):
            // Past the bank's cut-off nothing is booked, and asking again soon changes nothing: the
            // transfer waits the longest backoff each time, for as long as the window stays shut, and
            // the wait counts towards neither max_attempts nor (beyond this answer) the breaker.
            return Decision(
                resolution: resolution(.retryWait, code: code, message: "\(reason); waiting for the bank's window to reopen",
                                       nextActionAt: now.addingTimeInterval(Double(retry.maxDelayMs) / 1000), neverLeft: true),
                bankUnavailable: true,
                log: (.notice, "bank cut-off: the transfer waits for the bank's window to reopen",
                      ["ref": "\(attempt.partnerReferenceNo)", "code": "\(code)", "reason": "\(reason)"]))
        case .rejected(let code, let reason):
            return Decision(
                resolution: resolution(.failed, code: code, message: reason), bankUnavailable: false,
                log: (.error, "transfer failed", ["ref": "\(attempt.partnerReferenceNo)", "account": "\(masked)",
                                                  "code": "\(code)", "reason": "\(reason)"]))
        case .overLimit(let code, let reason, let limit, daily: false):
            // Above what the bank takes per transaction: sending it again changes nothing. The batch is
            // held, naming the limit, until an operator re-routes or splits it (or the bank raises it).
            let why = "refused by \(limit) (\(code) \(reason)): nothing was booked; lower [bank.routing] to the bank's limit and "
                + "cancel and queue the transfer again, or ask the bank to raise it, then release the batch"
            return Decision(
                resolution: resolution(.held, code: code, message: why, holdBatch: why), bankUnavailable: false,
                log: (.warning, "transfer above the bank's amount limit; holding its batch",
                      ["batch": "\(attempt.batchID)", "ref": "\(attempt.partnerReferenceNo)", "code": "\(code)", "reason": "\(reason)"]))
        case .overLimit(let code, let reason, let limit, daily: true):
            // A daily limit lifts at the bank's next day (WIB, the standard's time zone): the transfer
            // waits until then, and the wait counts towards no limit of Salur's.
            let resume = OutcomePolicy.nextBankDay(after: now)
            return Decision(
                resolution: resolution(.retryWait, code: code,
                                       message: "\(limit) reached (\(code) \(reason)); waiting until the bank's next day",
                                       nextActionAt: resume, neverLeft: true),
                bankUnavailable: false,
                log: (.notice, "the bank's daily limit is reached: the transfer waits until the bank's next day",
                      ["ref": "\(attempt.partnerReferenceNo)", "code": "\(code)", "until": "\(Timestamp.iso8601(resume))"]))
        case .insufficientFunds(let code, let reason):
            // The batch's own "batch held" line follows once, from the engine's batch follow-up.
            return Decision(
                resolution: resolution(.held, code: code, message: reason, holdBatch: reason), bankUnavailable: false,
                log: (.warning, "transfer refused for insufficient funds; holding its batch",
                      ["batch": "\(attempt.batchID)", "ref": "\(attempt.partnerReferenceNo)", "code": "\(code)", "reason": "\(reason)"]))
        }
    }

    /// An attempt held back by its fence (`message`): it never left, so it waits to be tried again,
    /// counting towards neither `max_attempts` nor the breaker.
    package static func withheld(_ attempt: ClaimedAttempt, message: String, logMessage: String, reason: String?, at now: Date) -> Decision {
        var metadata: Logger.Metadata = ["ref": "\(attempt.partnerReferenceNo)", "attempt": "\(attempt.attemptNo)"]
        if let reason { metadata["reason"] = "\(reason)" }
        return Decision(resolution: Resolution(transferID: attempt.transferID, externalID: attempt.externalID, next: .retryWait,
                                               message: message, nextActionAt: now, neverLeft: true),
                        log: (.warning, "\(logMessage)", metadata))
    }

    // MARK: Inquiry answers

    /// What a status inquiry's answer decides; `knownFor`: how long (monotonic) this engine has known the attempt.
    package func afterInquiry<R: RandomNumberGenerator>(_ outcome: InquiryOutcome, of target: InquiryTarget, knownFor: TimeInterval,
                                                        at now: Date, random: inout R) -> Decision {
        func resolution(_ next: TransferState, code: String? = nil, message: String? = nil, bankReference: String? = nil,
                        nextActionAt: Date? = nil, notFoundAnswer: Bool = false) -> Resolution {
            Resolution(transferID: target.transferID, externalID: target.externalID, next: next, code: code, message: message,
                       bankReference: bankReference, nextActionAt: nextActionAt, notFoundAnswer: notFoundAnswer)
        }
        let later = retry.date(after: target.inquiriesSoFar + 1, retryAfterSeconds: nil, from: now, using: &random)
        switch outcome {
        case .settled(let reference):
            return Decision(resolution: resolution(.settled, code: "00", message: "settled (status inquiry)", bankReference: reference),
                            log: (.info, "transfer in doubt settled by inquiry", ["ref": "\(target.partnerReferenceNo)"]))
        case .failed(let status, let reason):
            // A re-payment asked about first (`transfers retry --failed`): RetryFailed says what the answer means.
            let decided = RetryFailed.afterFailedAnswer(status: status, reason: reason, askedFor: target.askReason)
            if decided.next == .retryWait {
                return Decision(resolution: resolution(.retryWait, code: "status \(status)", message: decided.message, nextActionAt: now),
                                log: (.info, "re-payment: no money moved at the bank; sending again",
                                      ["ref": "\(target.partnerReferenceNo)", "status": "\(status)"]))
            }
            return Decision(resolution: resolution(decided.next, code: "status \(status)", message: decided.message),
                            log: (.error, "transfer failed", ["ref": "\(target.partnerReferenceNo)", "status": "\(status)", "reason": "\(reason)"]))
        case .notFound:
            // "Not found" is believed only from two answers after the attempt's settle point (NotFoundRule).
            let rule = NotFoundRule(settleSeconds: Double(retry.notFoundSettleMs) / 1000, inquiryDelaySeconds: Double(retry.inquiryDelayMs) / 1000)
            switch rule.judge(startedAt: target.attemptStartedAt, knownFor: knownFor, countedSoFar: target.notFoundAnswers, now: now) {
            case .believe:
                return Decision(resolution: resolution(.retryWait, code: "status 07", message: "not found at the bank (twice); sending again",
                                                       nextActionAt: now))
            case .askAgain(let next, let counts):
                return Decision(resolution: resolution(.inDoubt, code: "status 07", message: "not found at the bank yet; asking again before sending",
                                                       nextActionAt: next, notFoundAnswer: counts))
            }
        case .pending(let status):
            return Decision(resolution: resolution(.inDoubt, code: "status \(status)", message: "still being processed at the bank",
                                                   nextActionAt: later))
        case .unknown(let reason, let unavailable):
            // The bank answered, but not about what was sent (or not in a way Salur reads): an operator
            // may have to act; the transfer stays in doubt and is asked about again.
            return Decision(resolution: resolution(.inDoubt, message: "inquiry: \(reason)", nextActionAt: later), bankUnavailable: unavailable,
                            log: unavailable ? nil : (.warning, "inquiry answer not believed; transfer stays in doubt",
                                                      ["ref": "\(target.partnerReferenceNo)", "reason": "\(reason)"]))
        }
    }
}

extension OutcomePolicy {
    /// Five minutes past the next midnight in Jakarta (UTC+7, the SNAP standard's time zone) after
    /// `instant`: when a bank's daily limits have lifted.
    package static func nextBankDay(after instant: Date) -> Date {
        let wib = 7 * 3_600.0, day = 86_400.0
        let local = instant.timeIntervalSince1970 + wib
        let midnight = (local / day).rounded(.down) * day + day
        return Date(timeIntervalSince1970: midnight - wib + 300)
    }
}
