/// The seam between SalurBank's protocol code and the network: `CurlClient` in production,
/// an in-memory double in tests.
package protocol HTTPTransport: Sendable {
    /// Sends one request and returns the complete response, whatever its status; throws only
    /// `HTTPClientError`, whose case says whether the request may have reached the server.
    func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse
}
