import NIOHTTP1

/// A complete HTTP request as the bank sees it: the body fully read.
struct SimulatorRequest: Sendable {
    /// `POST`, `GET`, …
    var method: HTTPMethod
    /// The path without the query string.
    var path: String
    /// Header lookups are case-insensitive.
    var headers: HTTPHeaders
    /// The raw body bytes.
    var body: [UInt8]

    /// A request; `uri`'s query string, if any, is dropped.
    init(method: HTTPMethod, uri: String, headers: HTTPHeaders, body: [UInt8]) {
        self.method = method
        self.path = String(uri.prefix { $0 != "?" })
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name`, trimmed; `nil` when absent or empty.
    func header(_ name: String) -> String? {
        guard let value = headers.first(name: name)?.trimmingEdges(of: " \t"), !value.isEmpty else { return nil }
        return value
    }
}
