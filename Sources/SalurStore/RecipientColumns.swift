package import SalurCore

extension AccountOpening {
    /// The columns that hold an opening state in both stores: `opening_state`, `account_no`, `rejection_reason`.
    package var storedColumns: (state: String, account: String?, reason: String?) {
        switch self {
        case .notRequested: ("not_requested", nil, nil)
        case .requested: ("requested", nil, nil)
        case .opened(let account): ("opened", account, nil)
        case .rejected(let reason): ("rejected", nil, reason)
        }
    }
}

extension AccountOpening {
    /// The opening state held in those columns; nil for a state no store writes.
    package init?(storedState state: String, account: String?, reason: String?) {
        switch state {
        case "not_requested": self = .notRequested
        case "requested": self = .requested
        case "opened": self = .opened(accountNo: account ?? "")
        case "rejected": self = .rejected(reason: reason ?? "")
        default: return nil
        }
    }
}
