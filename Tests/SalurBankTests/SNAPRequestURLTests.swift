import BankSimulator
import SalurBank
import Synchronization
import Testing

/// A request URL is `base_url` + `path_prefix` + service path, and only `base_url` may say where it
/// goes: the SNAP client checks libcurl's reading of the joined URL before anything leaves.
@Suite("SNAP request URLs keep base_url's scheme, host and port", .timeLimit(.minutes(5)))
struct SNAPRequestURLTests {
    /// Records what would have been sent, and answers 500.
    final class RecordingTransport: HTTPTransport {
        let urls = Mutex<[String]>([])
        func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
            urls.withLock { $0.append(request.url) }
            return HTTPResponse(status: 500, headers: [:], body: [])
        }
    }

    static func credentials(_ keys: (privatePEM: String, publicPEM: String)) throws -> SNAPCredentials {
        try SNAPCredentials(partnerID: "KUPANG", clientKey: "salur-test", channelID: "95221",
                            clientSecret: Array("test-secret".utf8), privateKeyPEM: keys.privatePEM)
    }

    @Test("a prefix or service path that would move the request is stopped before anything is sent", arguments: [
        ("@bank.example.com", "/v1.0/access-token/b2b"),
        (":9999", "/v1.0/access-token/b2b"),
        ("", "@bank.example.com/v1.0/access-token/b2b"),
        ("", ".bank.example.com/v1.0/access-token/b2b"),
        ("/snap?x=", "/v1.0/access-token/b2b"),
        ("/snap#", "/v1.0/access-token/b2b"),
        ("/snap/../..", "/v1.0/access-token/b2b"),
    ])
    func movedRequestNotSent(prefix: String, tokenPath: String) async throws {
        let keys = try SNAPKeys.generate()
        let transport = RecordingTransport()
        var endpoint = SNAPClient.Endpoint(baseURL: "http://127.0.0.1:18443", pathPrefix: prefix, sourceAccount: "0011999999")
        endpoint.tokenPath = tokenPath
        let client = SNAPClient(endpoint: endpoint, credentials: try Self.credentials(keys), transport: transport)
        let outcome = await client.availableBalance()
        guard case .unavailable(let reason) = outcome else {
            Issue.record("expected .unavailable, got \(outcome)")
            return
        }
        #expect(reason.contains("nothing was sent"), "\(reason)")
        #expect(transport.urls.withLock { $0 }.isEmpty)
    }

    @Test("a plain prefix and base path reach the bank simulator at base_url's host and port")
    func prefixedRequestsReachTheBank() async throws {
        let keys = try SNAPKeys.generate()
        var config = BankSimulatorConfig(clientKey: "salur-test", clientPublicKeyPEM: keys.publicPEM, clientSecret: "test-secret")
        config.pathPrefix = "/snap"
        config.sourceAccountNo = "0011999999"
        let simulator = try await BankSimulator.start(config)
        let transport = try CurlClient()
        defer { transport.shutdown() }
        let client = SNAPClient(endpoint: SNAPClient.Endpoint(baseURL: simulator.baseURL + "/", pathPrefix: "/snap", sourceAccount: "0011999999"),
                                credentials: try Self.credentials(keys), transport: transport)
        let outcome = await client.availableBalance()
        try await simulator.shutdown()
        guard case .available = outcome else {
            Issue.record("expected a balance, got \(outcome)")
            return
        }
    }
}
