/// The accounts the bank knows, from `--accounts`, or every well-formed number when none was given.
struct AccountDirectory: Sendable {
    /// What the bank knows of one account number.
    enum Lookup: Equatable, Sendable {
        /// Exists and can be credited.
        case active(name: String)
        /// Exists but cannot be credited.
        case inactive(name: String)
        /// No such account.
        case unknown
    }

    private let listed: [String: BankAccount]?

    /// A directory of `accounts`; `nil` accepts every well-formed number.
    init(accounts: [BankAccount]?) {
        listed = accounts.map { Dictionary($0.map { ($0.accountNo, $0) }, uniquingKeysWith: { first, _ in first }) }
    }

    /// An account at this bank: listed and not `unknown`, or any well-formed number without a list.
    func internalAccount(_ accountNo: String) -> Lookup {
        guard let listed else {
            return BankAccount.isWellFormed(accountNo) ? .active(name: "NASABAH \(accountNo.suffix(4))") : .unknown
        }
        return Self.lookup(listed[accountNo])
    }

    /// An account at another bank: accepted unless the list marks it `inactive` or `unknown`.
    func externalAccount(_ accountNo: String, name: String) -> Lookup {
        guard let account = listed?[accountNo] else { return .active(name: name) }
        return Self.lookup(account)
    }

    static func lookup(_ account: BankAccount?) -> Lookup {
        guard let account else { return .unknown }
        switch account.status {
        case .active: return .active(name: account.name)
        case .inactive: return .inactive(name: account.name)
        case .unknown: return .unknown
        }
    }
}
