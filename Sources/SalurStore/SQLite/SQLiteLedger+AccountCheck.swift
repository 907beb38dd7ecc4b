package import Foundation
import GRDB
import SalurCore

/// An opened account the engine should confirm with the bank before paying into it.
package struct AccountToCheck: Sendable, Equatable {
    package let recipientID: Int64
    package let accountNo: String
    package let name: String
    package init(recipientID: Int64, accountNo: String, name: String) {
        self.recipientID = recipientID
        self.accountNo = accountNo
        self.name = name
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

    /// Whether a transfer may be queued to such an account.
    package var payable: Bool { self == .active || self == .nameMismatch }
}

extension SQLiteLedger {
    /// Opened accounts never checked with the bank.
    package func accountsToCheck(limit: Int) async throws -> [AccountToCheck] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, account_no, name FROM recipient
                WHERE opening_state = 'opened' AND account_checked_at IS NULL ORDER BY id LIMIT ?
                """, arguments: [limit]).map { AccountToCheck(recipientID: $0["id"], accountNo: $0["account_no"], name: $0["name"]) }
        }
    }

    /// Stores the bank's answers; an account found inactive or unknown is audited, since it stops payments.
    package func recordAccountChecks(_ checks: [(AccountToCheck, AccountCheck, bankName: String?)], now: Date) async throws {
        guard !checks.isEmpty else { return }
        try await pool.write { db in
            let stamp = SQLiteLedger.timestamp(now)
            let update = try db.makeStatement(sql: """
                UPDATE recipient SET account_check = ?, account_checked_at = ?, bank_account_name = ? WHERE id = ?
                """)
            for (account, check, bankName) in checks {
                try update.execute(arguments: [check.rawValue, stamp, bankName, account.recipientID])
                if !check.payable {
                    let nik = try String.fetchOne(db, sql: "SELECT nik FROM recipient WHERE id = ?", arguments: [account.recipientID]) ?? ""
                    try SQLiteLedger.audit(db, actor: "salurd", action: "account.check", subject: nik, details: [
                        "result": check.rawValue, "account": Validate.maskedAccount(account.accountNo),
                    ])
                }
            }
        }
    }
}
