/// One HTTP request. Body bytes are sent exactly as given.
package struct HTTPRequest: Sendable {
    /// The method, e.g. `"POST"` or `"GET"`.
    package var method: String
    /// An absolute URL, e.g. `"http://127.0.0.1:8080/v1.0/transfer-intrabank"`.
    package var url: String
    /// Header fields in the order they are sent. `Content-Length`, `Transfer-Encoding` and `Expect`
    /// belong to the transport and are refused.
    package var headers: [(name: String, value: String)]
    /// The body, sent byte for byte (what was signed is what leaves).
    package var body: [UInt8]
    /// The last instant, by this process's monotonic clock, at which the request may begin to leave
    /// (DESIGN §4.8, fence at departure): checked before the transfer starts and again by libcurl's
    /// pre-request callback, right before the first request byte is written. Past it the request fails
    /// `.notSent` — it never left, so it is safe to retry. Nil: no limit.
    package var sendBy: ContinuousClock.Instant?
    /// Header fields made when the request leaves the queue for a connection — the last moment its
    /// header block can still change — and sent after `headers`: SNAP's X-TIMESTAMP and the signature
    /// over it, so that neither is older than the wait for a connection makes it.
    package var departureHeaders: (@Sendable () -> [(name: String, value: String)])?

    /// Makes a request; nothing is validated until it is sent.
    package init(method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
                 sendBy: ContinuousClock.Instant? = nil, departureHeaders: (@Sendable () -> [(name: String, value: String)])? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.sendBy = sendBy
        self.departureHeaders = departureHeaders
    }

    /// The request as it leaves: `departureHeaders` made now and appended. A transport calls this at
    /// the last moment before it builds what goes on the wire.
    package func departing() -> HTTPRequest {
        guard let departureHeaders else { return self }
        var request = self
        request.headers += departureHeaders()
        request.departureHeaders = nil
        return request
    }
}
