/// A transactional request whose token, signature and `X-EXTERNAL-ID` the bank accepted.
struct AuthorizedRequest {
    /// The parsed body, a JSON object.
    let body: JSONValue
    /// `X-EXTERNAL-ID`.
    let externalID: String
    /// `X-PARTNER-ID`.
    let partnerID: String
    /// When the bank received it.
    let receivedAt: SNAPTimestamp
}
