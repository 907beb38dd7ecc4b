/// An account the simulated bank knows (rekening), as listed in the `--accounts` CSV.
public struct BankAccount: Sendable, Hashable {
    /// Whether the account can receive money.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Open: transfers are credited.
        case active
        /// Blocked or dormant: transfers are refused with 403xx18.
        case inactive
        /// Listed so that it does *not* exist: refused with 404xx11, also for interbank transfers,
        /// which otherwise accept any well-formed account at another bank.
        case unknown
    }

    /// 6 to 20 digits.
    public var accountNo: String
    /// The holder's name, as account inquiry returns it.
    public var name: String
    /// See `Status`.
    public var status: Status

    /// An account entry.
    public init(accountNo: String, name: String, status: Status) {
        self.accountNo = accountNo
        self.name = name
        self.status = status
    }

    /// Whether `text` has the shape of an account number here: 6 to 20 ASCII digits.
    public static func isWellFormed(_ text: String) -> Bool {
        (6...20).contains(text.utf8.count) && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
