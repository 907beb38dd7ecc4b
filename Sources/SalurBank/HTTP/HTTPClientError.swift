/// Why a request has no response. The split matters for money: `.notSent` proves the server never
/// received the request (safe to resend); `.outcomeUnknown` means it may have been received and acted on.
package enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request never left: DNS failure, connection refused, TLS handshake or verification failure,
    /// connect timeout, bad URL, invalid request, cancelled or shut down before it started.
    case notSent(reason: String)
    /// The request may have reached the server: timeout after connect, connection dropped or reset,
    /// partial response, failed rewind. Ask the server what happened before sending it again.
    case outcomeUnknown(reason: String)
    /// The response body was over the configured limit. The request was sent: treat as outcome unknown.
    case responseTooLarge(limit: Int)

    /// A one-line message for logs and operators.
    package var description: String {
        switch self {
        case .notSent(let reason):
            "request not sent (safe to retry): \(reason)"
        case .outcomeUnknown(let reason):
            "request outcome unknown (the server may have acted on it; inquire before retrying): \(reason)"
        case .responseTooLarge(let limit):
            "response body over \(limit) bytes, transfer aborted (the server may have acted on the request; inquire before retrying)"
        }
    }
}

extension HTTPClientError {
    /// The request's `sendBy` passed before its first byte was written (`stage` says where it was
    /// caught). Nothing left, so it is `.notSent`: a new attempt is safe.
    package static func sendDeadlinePassed(_ stage: String) -> HTTPClientError {
        .notSent(reason: "its send deadline passed \(stage); nothing was written (the lease it was claimed under may have run out)")
    }
}
