package import SalurCore

/// Why a transfer waits instead of going to an account the bank reported not payable — decided
/// here once, for both stores: an account check that ends inactive, unknown or with a wording
/// Salur does not recognise holds the transfers queued to that account that have not left (also
/// when the check finished after they were queued and approved), and the claim of attempts holds
/// any that reaches it anyway (a batch released by an operator, say). The hold names the account
/// (masked), the bank's answer and when it came; the operator acts with `salurctl accounts recheck`
/// (the transfers are released once the bank says the account is payable) or by cancelling the batch.
package struct AccountHold: Sendable, Equatable {
    /// The hold reason stored with the transfer (`transfer.hold_reason`) and shown to operators.
    package let reason: String

    /// The hold a recorded check calls for; nil when the account is payable.
    package init?(_ result: AccountCheckResult, checkedAt: String) {
        self.init(check: result.check, status: result.bankStatus, accountNo: result.account.accountNo, checkedAt: checkedAt)
    }

    /// The hold the stored check of an account calls for; nil when it was never checked or is payable.
    package init?(check: AccountCheck?, status: String?, accountNo: String, checkedAt: String?) {
        guard let check, !check.payable else { return nil }
        let account = "account \(Validate.maskedAccount(accountNo))"
        let said: String
        switch check {
        case .inactive:
            let dormant = status.map { AccountHold.saysDormant($0) } ?? false
            said = "\(account) reported \(dormant ? "dormant" : "inactive") by the bank"
        case .unknown: said = "\(account) unknown to the bank (account inquiry: no such account)"
        case .unrecognised: said = "\(account) reported with a status Salur does not recognise"
        case .active, .nameMismatch: return nil
        }
        let wording = status.map { " (status \"\($0)\")" } ?? ""
        let when = checkedAt.map { " at \($0)" } ?? ""
        let action = check == .unrecognised
            ? "add the wording to [bank.account_status] if it means active, then `salurctl accounts recheck`; or cancel the batch"
            : "`salurctl accounts recheck` once the bank reports it active; or cancel the batch"
        reason = "\(said)\(wording)\(when); not sent: \(action)"
    }

    /// Whether the bank's status words say dormant ("Dormant Account", "Rekening dorman", "pasif").
    package static func saysDormant(_ status: String) -> Bool {
        let text = status.lowercased()
        return text.contains("dorman") || text.contains("pasif") || text.contains("passive")
    }

    /// Where a transfer goes after its recipient's account was checked.
    package struct Move: Sendable, Equatable {
        package let state: TransferState
        /// The account hold's reason, or nil once it no longer applies.
        package let holdReason: String?
    }

    /// The transfers to an account a new check may move: those that have not left, held or not.
    package static let movable: [TransferState] = [.awaitingApproval, .approved, .retryWait, .held]

    /// The move a new check makes of one transfer to that account, or nil for none.
    /// - `heldForAccount`: the transfer is held with an account hold reason (not only by its batch).
    /// - `hold`: nil when the new check says the account is payable.
    package static func move(from state: TransferState, heldForAccount: Bool, batchState: BatchState?, hold: AccountHold?) -> Move? {
        if let hold {
            return movable.contains(state) ? Move(state: .held, holdReason: hold.reason) : nil
        }
        guard state == .held, heldForAccount else { return nil }
        switch batchState {
        case .held?: return Move(state: .held, holdReason: nil)  // still held, by its batch
        case .awaitingApproval?: return Move(state: .awaitingApproval, holdReason: nil)
        case .cancelled?, .done?: return nil
        case .approved?, .posting?, nil: return Move(state: .approved, holdReason: nil)
        }
    }

    /// The audit row of a move: its action and details (`hold`: the new check's hold, if any).
    package static func audit(_ move: Move, nik: String, hold: AccountHold?) -> (action: String, details: [String: String]) {
        (move.holdReason == nil ? "transfer.release" : "transfer.hold",
         ["nik": nik, "reason": move.holdReason ?? hold?.reason ?? "account payable again"])
    }

    /// The audit details of a check that found the account not payable.
    package static func checkDetails(_ result: AccountCheckResult) -> [String: String] {
        var details = ["result": result.check.rawValue, "account": Validate.maskedAccount(result.account.accountNo)]
        if let status = result.bankStatus { details["status"] = status }
        return details
    }
}
