/// An opened account the engine should confirm with the bank before paying into it.
package struct AccountToCheck: Sendable, Equatable {
    package let recipientID: Int64
    package let accountNo: String
    package let name: String
    /// When the account was last checked (a stored timestamp); nil when never. A new answer is
    /// recorded only while the stored check is still this one (two engines may ask at once).
    package let checkedAt: String?
    package init(recipientID: Int64, accountNo: String, name: String, checkedAt: String? = nil) {
        self.recipientID = recipientID
        self.accountNo = accountNo
        self.name = name
        self.checkedAt = checkedAt
    }
}

/// The bank's answer about one account, as Salur classifies it.
package enum AccountCheck: String, Sendable, Codable, CaseIterable {
    /// Exists, active, holder's name matches.
    case active
    /// Exists and active, but under another name: paid, and shown to the operator.
    case nameMismatch = "name_mismatch"
    /// Exists but cannot receive money: not paid until an operator sorts it out.
    case inactive
    /// The bank does not know it: not paid.
    case unknown
    /// The bank answered a status wording Salur does not know (`[bank.account_status]`): not paid
    /// until an operator decides, shown with the bank's text.
    case unrecognised

    /// Whether a transfer may be queued to such an account, or sent to it.
    package var payable: Bool { self == .active || self == .nameMismatch }
}

/// One account's check as the engine records it: Salur's reading and the bank's own words.
package struct AccountCheckResult: Sendable, Equatable {
    package let account: AccountToCheck
    package let check: AccountCheck
    /// The holder's name as the bank has it.
    package let bankName: String?
    /// `beneficiaryAccountStatus` as the bank wrote it ("Rekening tidak aktif"), if it gave one.
    package let bankStatus: String?

    package init(account: AccountToCheck, check: AccountCheck, bankName: String?, bankStatus: String?) {
        self.account = account
        self.check = check
        self.bankName = bankName
        self.bankStatus = bankStatus
    }
}
