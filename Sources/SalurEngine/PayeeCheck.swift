package import Foundation
import Logging
package import SalurBank
package import SalurCore
package import SalurStore

/// External account inquiry (SNAP 16) before paying an account at another bank (18, 22, 23): the
/// standard's rule, and the same name check and gating as service 15 gives recipients' accounts.
/// A payee the bank confirms, under the name Salur pays, is paid; any other answer keeps the
/// attempt from leaving (it counts towards no limit): an unknown, inactive or differently named
/// account holds the transfer and its batch for an operator, naming what the bank said; no usable
/// answer makes it wait and ask again.
package enum PayeeCheck {
    /// Whether `attempt` needs the check (a transfer to another bank).
    package static func applies(to attempt: ClaimedAttempt) -> Bool { attempt.service != .intrabank }

    /// The key under which an engine remembers a confirmed payee.
    package static func key(_ attempt: ClaimedAttempt) -> String {
        "\(attempt.beneficiaryBankCode ?? "")|\(attempt.beneficiaryAccount)|\(attempt.beneficiaryName)"
    }

    /// Nil when the answer confirms the payee; otherwise what becomes of the attempt.
    package static func decision(_ outcome: AccountOutcome, for attempt: ClaimedAttempt, retry: RetryPolicy,
                                 at now: Date) -> OutcomePolicy.Decision? {
        let bank = attempt.beneficiaryBankCode ?? ""
        let account = Validate.maskedAccount(attempt.beneficiaryAccount)
        let refusal: String
        switch outcome {
        case .active(let name) where Engine.namesMatch(attempt.beneficiaryName, name):
            return nil
        case .active(let name):
            refusal = "bank \(bank) names account \(account) \"\(name)\", not \"\(attempt.beneficiaryName)\""
        case .inactive(let name, let status):
            refusal = "bank \(bank) reports account \(account)\(name.map { " (\($0))" } ?? "") not payable"
                + (status.map { ": \"\($0)\"" } ?? "")
        case .unrecognised(let status, _):
            refusal = "bank \(bank) gives account \(account) a status Salur does not know: \"\(status)\""
        case .unknown:
            refusal = "bank \(bank) does not know account \(account)"
        case .unavailable(let reason):
            let message = "external account inquiry (SNAP 16) unanswered: \(reason); asking again before paying"
            return OutcomePolicy.Decision(
                resolution: Resolution(transferID: attempt.transferID, externalID: attempt.externalID, next: .retryWait,
                                       message: message, nextActionAt: now.addingTimeInterval(Double(retry.maxDelayMs) / 1000),
                                       neverLeft: true),
                bankUnavailable: nil,
                log: (.notice, "payee not yet verified; the transfer waits", ["ref": "\(attempt.partnerReferenceNo)", "reason": "\(reason)"]))
        }
        let why = "\(refusal) (external account inquiry, SNAP 16); nothing was sent: correct the account and queue the payment "
            + "again, or confirm it with the bank and release the batch"
        return OutcomePolicy.Decision(
            resolution: Resolution(transferID: attempt.transferID, externalID: attempt.externalID, next: .held, message: why,
                                   holdBatch: why, neverLeft: true),
            bankUnavailable: false,
            log: (.warning, "payee at another bank not verified; holding its batch",
                  ["batch": "\(attempt.batchID)", "ref": "\(attempt.partnerReferenceNo)", "account": "\(account)", "reason": "\(refusal)"]))
    }
}
