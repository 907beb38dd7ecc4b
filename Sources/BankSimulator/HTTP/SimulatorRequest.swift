import NIOHTTP1

/// A complete HTTP request as the bank sees it: the body fully read.
struct SimulatorRequest: Sendable {
    /// `POST`, `GET`, …
    var method: HTTPMethod
    /// The path without the query string.
    var path: String
    /// The query string's `name=value` pairs, percent-decoded; only the admin endpoints read them.
    var query: [String: String]
    /// Header lookups are case-insensitive.
    var headers: HTTPHeaders
    /// The raw body bytes.
    var body: [UInt8]

    /// A request; `uri`'s query string, if any, is dropped.
    init(method: HTTPMethod, uri: String, headers: HTTPHeaders, body: [UInt8]) {
        self.method = method
        self.path = String(uri.prefix { $0 != "?" })
        self.query = SimulatorRequest.parseQuery(uri)
        self.headers = headers
        self.body = body
    }

    /// `a=1&b=2` after the `?`; the first value of a repeated name wins.
    static func parseQuery(_ uri: String) -> [String: String] {
        guard let mark = uri.firstIndex(of: "?") else { return [:] }
        var pairs: [String: String] = [:]
        for part in uri[uri.index(after: mark)...].split(separator: "&") {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = percentDecoded(pieces[0])
            let value = pieces.count > 1 ? percentDecoded(pieces[1]) : ""
            if pairs[name] == nil { pairs[name] = value }
        }
        return pairs
    }

    /// `%2D` → `-`, `+` → space; a malformed escape is kept as written.
    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), index + 2 < utf8.count, let value = UInt8(String(decoding: utf8[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index += 3
                continue
            }
            bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The first value of header `name`, trimmed; `nil` when absent or empty.
    func header(_ name: String) -> String? {
        guard let value = headers.first(name: name)?.trimmingEdges(of: " \t"), !value.isEmpty else { return nil }
        return value
    }
}
