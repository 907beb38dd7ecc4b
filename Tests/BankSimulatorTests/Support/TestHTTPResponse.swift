import BankSimulator

/// One answer read off the wire.
struct TestHTTPResponse {
    let status: Int
    let headers: [(name: String, value: String)]
    let body: [UInt8]

    /// The first value of `name`, case-insensitive.
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

extension TestHTTPResponse {
    /// The body parsed as JSON.
    var json: JSONValue {
        get throws { try JSONParser.parse(body) }
    }

    /// `responseCode`, or `nil` when the body has none.
    var responseCode: String? { (try? json)?["responseCode"]?.stringValue }
}
