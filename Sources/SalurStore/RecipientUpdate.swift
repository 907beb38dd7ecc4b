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

/// What recipients' imports and the bank's opening results refuse and audit, in the same words on
/// both stores.
package enum RecipientImport {
    /// A row giving an account number another recipient already holds.
    package static func accountTaken(holder: String) -> String { "account number already belongs to NIK \(holder)" }

    /// An opening result for a NIK no import brought.
    package static let unknownNIK = "unknown NIK: no recipient with this NIK was imported"

    /// What the store does while exporting opening requests, named in its errors.
    package static let exportOperation = "exporting opening requests"

    /// How many opening requests an export reads from the store at a time when the caller does not say.
    package static let requestsPerPage = 10_000

    /// The audit subject of an export of `count` opening requests.
    package static func exportSubject(count: Int) -> String { "\(count) recipients" }

    /// The audit details of a recipients import of `rows` rows.
    package static func details(_ summary: RecipientImportSummary, source: SourceFile, rows: Int) -> [String: String] {
        ["sha256": source.sha256, "rows": String(rows), "added": String(summary.added), "updated": String(summary.updated),
         "unchanged": String(summary.unchanged), "reopened": String(summary.reopened)]
    }

    /// The audit details of the bank's opening results, `rows` rows.
    package static func details(_ summary: OpeningResultSummary, source: SourceFile, rows: Int) -> [String: String] {
        ["sha256": source.sha256, "rows": String(rows), "opened": String(summary.opened), "rejected": String(summary.rejected),
         "unchanged": String(summary.unchanged)]
    }
}
