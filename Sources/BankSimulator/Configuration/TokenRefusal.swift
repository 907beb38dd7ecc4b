/// How the simulated bank answers a request whose access token it no longer knows: each is a
/// 401 that tells the client to drop its token and fetch a new one.
public enum TokenRefusal: String, Sendable, Hashable, CaseIterable {
    /// 401xx01 "Invalid Token (B2B)".
    case invalidToken = "401xx01"
    /// 401xx03 "Token Not Found (B2B)".
    case tokenNotFound = "401xx03"
    /// 401xx00 "Unauthorized. Access Token Expired".
    case unauthorizedToken = "401xx00"
}
