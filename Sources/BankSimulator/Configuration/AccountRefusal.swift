/// A refusal the simulated bank answers to an account inquiry (service 15) about one account, in
/// place of its ordinary answer: the standard's codes a real bank answers for an account it will
/// not describe, or for a connection it has not set up.
public enum AccountRefusal: String, Sendable, Hashable, CaseIterable {
    /// 403xx18 "Inactive Card/Account/Customer".
    case inactive
    /// 403xx09 "Dormant Account".
    case dormant
    /// 404xx02 "Invalid Routing": the bank's side of the connection is not set up.
    case invalidRouting = "invalid-routing"
    /// 404xx16 "Partner Not Found": the bank does not know the client's X-PARTNER-ID for this service.
    case partnerNotFound = "partner-not-found"

    var status: SNAPStatus {
        switch self {
        case .inactive: .inactiveAccount
        case .dormant: SNAPStatus(403, 9, "Dormant Account")
        case .invalidRouting: .invalidRouting
        case .partnerNotFound: SNAPStatus(404, 16, "Partner Not Found")
        }
    }
}
