import CCurl

extension HTTPClientError {
    /// Classifies a failed libcurl transfer, conservatively. `.notSent` needs both: curl never began
    /// to send (no pre-request callback, no pre-transfer time, no request bytes), and a failure that
    /// belongs to the phase before sending (bad URL or scheme, proxy or host resolution, connect, TLS
    /// handshake or verification, certificate files, a timeout while still connecting). Everything
    /// else is `.outcomeUnknown`.
    /// - Parameters:
    ///   - curlCode: the transfer's `CURLcode` raw value (not `CURLE_OK`).
    ///   - requestMayHaveLeft: whether curl got as far as sending; `true` always means `.outcomeUnknown`.
    ///   - message: curl's error text, kept in the reason.
    package static func fromCurl(curlCode: Int, requestMayHaveLeft: Bool, message: String) -> HTTPClientError {
        let beforeSending = [
            CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_COULDNT_RESOLVE_PROXY,
            CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_SSL_CONNECT_ERROR,
            CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_ISSUER_ERROR,
            // Only reachable here with requestMayHaveLeft == false: the connect phase never finished.
            CURLE_OPERATION_TIMEDOUT,
        ]
        if !requestMayHaveLeft, beforeSending.contains(where: { Int($0.rawValue) == curlCode }) {
            return .notSent(reason: message)
        }
        return .outcomeUnknown(reason: message)
    }
}
