package import SalurCore

/// What importing a row does to a recipient the store already holds — decided once, here, for
/// both stores: which fields change (for the audit row), the opening state that follows (changed
/// data sends a rejected recipient back to `not_requested`; an account number in the file opens
/// one that has none), or why the row is refused.
package struct RecipientUpdate: Equatable {
    /// The opening state after the import.
    package let next: AccountOpening
    /// Field → "old -> new" (or "set" for an account number), as audited.
    package let changes: [String: String]
    /// The account number this row gives the recipient, when it had none.
    package let newAccount: String?
    /// A rejected recipient whose corrected data sends it back to `not_requested`.
    package let reopened: Bool

    /// What one row does: nothing, a refusal naming the row (it gives a recipient with an account a
    /// different one), or an update.
    package enum Decision {
        case unchanged
        case refused(ImportIssue)
        case update(RecipientUpdate)
    }

    package static func of(_ row: RecipientFile.Row, name: String, program: String, district: String, phone: String,
                           opening current: AccountOpening, file: String) -> Decision {
        var next = current
        var changes: [String: String] = [:]
        for (field, old, new) in [("name", name, row.name), ("program", program, row.program),
                                  ("district", district, row.district), ("phone", phone, row.phone)] where old != new {
            changes[field] = "\(old) -> \(new)"
        }
        if !changes.isEmpty { next = next.dataCorrected() }
        var newAccount: String?
        if let account = row.accountNo {
            switch current {
            case .opened(let held) where held != account:
                return .refused(ImportIssue(file: file, line: row.line, field: "account_no",
                                            reason: "recipient already has account \(Validate.maskedAccount(held)); a different one is not accepted here"))
            case .opened: break
            default:
                next = .opened(accountNo: account)
                changes["account_no"] = "set"
                newAccount = account
            }
        }
        guard !changes.isEmpty else { return .unchanged }
        if next != current { changes["opening_state"] = "\(current.state.rawValue) -> \(next.state.rawValue)" }
        var reopened = false
        if case .rejected = current, next == .notRequested { reopened = true }
        return .update(RecipientUpdate(next: next, changes: changes, newAccount: newAccount, reopened: reopened))
    }
}
