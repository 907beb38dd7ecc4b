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
