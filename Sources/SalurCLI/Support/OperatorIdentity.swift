import Foundation
import SalurCore

/// Who is at the keyboard, from the process's own credentials (never from a flag), so that
/// maker-checker and the audit log cannot be talked into another name.
///
/// On an installed server each operator has a login of their own in the group `salur`, which may
/// use the database folder (2770): a maker and a checker are then two names. Run through a shared
/// account (`sudo -u salur salurctl …`, or as root) every maker and checker is that one account, and
/// the four eyes are gone — `[operators] refuse_accounts` refuses such logins every change.
package enum OperatorIdentity {
    /// The login name of the real user id, or `uid:N` when it has no name.
    package static func current() -> String {
        SystemUser.loginName() ?? "uid:\(getuid())"
    }
}
