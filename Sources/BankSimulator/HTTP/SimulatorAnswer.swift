import NIOCore

/// What the bank does with a request: answer it, or close the connection without a word.
enum SimulatorAnswer: Sendable {
    /// Write this response.
    case respond(SimulatorResponse)
    /// Close the connection without answering, as a crashed bank or a cut line would.
    case dropConnection
}

/// One HTTP response.
struct SimulatorResponse: Sendable {
    /// HTTP status code.
    var status: Int
    /// `Content-Type`.
    var contentType: String
    /// Headers beyond `Content-Type`, `Content-Length` and `X-TIMESTAMP`.
    var headers: [(name: String, value: String)]
    /// The body, written as is with its length.
    var body: ByteBuffer
    /// Close the connection after this response.
    var closeConnection: Bool

    /// A response with the given parts.
    init(
        status: Int, contentType: String, headers: [(name: String, value: String)] = [],
        body: ByteBuffer, closeConnection: Bool = false
    ) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
        self.closeConnection = closeConnection
    }

    /// A JSON response.
    static func json(
        status: Int, _ value: JSONValue, headers: [(name: String, value: String)] = [], closeConnection: Bool = false
    ) -> SimulatorResponse {
        SimulatorResponse(
            status: status, contentType: "application/json", headers: headers,
            body: ByteBuffer(bytes: value.serialized), closeConnection: closeConnection)
    }
}
