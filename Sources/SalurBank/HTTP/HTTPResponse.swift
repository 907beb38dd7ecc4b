/// A complete HTTP response, whatever its status.
package struct HTTPResponse: Sendable {
    /// The status code, e.g. 200.
    package var status: Int
    /// Header fields by lowercased name; when a name repeats, the last value wins.
    package var headers: [String: String]
    /// The body as received (no content decoding).
    package var body: [UInt8]

    /// Makes a response; used by transports and by test doubles.
    package init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
