/// One `X-EXTERNAL-ID` the bank received on an authenticated transactional request, refused as a
/// duplicate or not: what a test checks a client's ids against.
public struct ReceivedExternalID: Sendable, Hashable {
    /// The service the request was for.
    public let service: SNAPService
    /// The `X-EXTERNAL-ID` header as received.
    public let externalID: String
    /// The request's `X-PARTNER-ID`.
    public let partnerID: String
}
