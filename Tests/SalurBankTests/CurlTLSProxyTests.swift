import Foundation
import SalurBank
import Testing

/// No proxy from the environment: only `[bank] proxy` routes requests through one. The environment
/// is the whole process's, so this suite runs its tests one at a time and puts every variable back.
@Suite("libcurl proxies: never from the environment, [bank] proxy when set", .serialized, .timeLimit(.minutes(5)))
struct CurlTLSProxyTests {
    static let variables = ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                            "no_proxy", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR"]

    /// Runs `body` with `values` set (and the other proxy and CA variables unset), then restores them all.
    static func withEnvironment<T>(_ values: [String: String], _ body: () async throws -> T) async rethrows -> T {
        let saved = variables.map { name in (name, getenv(name).map { String(cString: $0) }) }
        defer {
            for (name, value) in saved {
                if let value { setenv(name, value, 1) } else { unsetenv(name) }
            }
        }
        for name in variables {
            if let value = values[name] { setenv(name, value, 1) } else { unsetenv(name) }
        }
        return try await body()
    }

    static func everyProxyVariable(_ url: String) -> [String: String] {
        ["http_proxy": url, "HTTP_PROXY": url, "https_proxy": url, "HTTPS_PROXY": url, "all_proxy": url, "ALL_PROXY": url]
    }

    @Test("http_proxy and all_proxy pointing at a loopback listener are not used: the listener sees no connection")
    func environmentProxyIgnoredForHTTP() async throws {
        let proxy = try CurlTestServer()
        defer { proxy.stop() }
        let server = try CurlTestServer()
        defer { server.stop() }
        let client = try CurlClient()
        defer { client.shutdown() }

        let outcome = await Self.withEnvironment(Self.everyProxyVariable("http://127.0.0.1:\(proxy.port)")) {
            await curlOutcome(client, HTTPRequest(method: "GET", url: server.url("/echo")))
        }
        #expect((try? outcome.get())?.status == 200, "\(outcome)")
        #expect(server.requests.map(\.path) == ["/echo"])
        #expect(proxy.acceptedConnections == 0)
    }

    @Test("https_proxy pointing at a loopback listener is not used for an HTTPS request")
    func environmentProxyIgnoredForHTTPS() async throws {
        let pki = try CurlTLSTestPKI.shared.get()
        let own = pki.server(signedBy: pki.caA)
        let server = try await CurlTLSTestServer(cert: own.cert, key: own.key)
        defer { server.stop() }
        let proxy = try CurlTestServer()
        defer { proxy.stop() }
        var options = CurlClient.Options()
        options.caFile = pki.caA
        let client = try CurlClient(options: options)
        defer { client.shutdown() }

        let outcome = await Self.withEnvironment(Self.everyProxyVariable("http://127.0.0.1:\(proxy.port)")) {
            await curlOutcome(client, HTTPRequest(method: "GET", url: server.url))
        }
        #expect((try? outcome.get())?.status == 200, "\(outcome)")
        #expect(proxy.acceptedConnections == 0)
    }

    @Test("[bank] proxy is used, and no_proxy in the environment cannot route around it")
    func configuredProxyUsed() async throws {
        let proxy = try CurlTestServer()
        defer { proxy.stop() }
        let server = try CurlTestServer()
        defer { server.stop() }
        var options = CurlClient.Options()
        options.proxy = "http://127.0.0.1:\(proxy.port)"
        let client = try CurlClient(options: options)
        defer { client.shutdown() }

        let outcome = await Self.withEnvironment(["no_proxy": "127.0.0.1,localhost", "NO_PROXY": "*"]) {
            await curlOutcome(client, HTTPRequest(method: "GET", url: server.url("/echo")))
        }
        // The test listener answers an absolute-form request line with its 404: the answer came from the proxy.
        #expect((try? outcome.get())?.status == 404, "\(outcome)")
        #expect(proxy.requests.map(\.path) == [server.url("/echo")])
        #expect(server.acceptedConnections == 0)
    }

    @Test("OpenSSL's own SSL_CERT_FILE and SSL_CERT_DIR cannot add a CA beside ca_file")
    func opensslEnvironmentDoesNotWidenTrust() async throws {
        let pki = try CurlTLSTestPKI.shared.get()
        let foreign = pki.server(signedBy: pki.caB)
        let server = try await CurlTLSTestServer(cert: foreign.cert, key: foreign.key)
        defer { server.stop() }
        var options = CurlClient.Options()
        options.caFile = pki.caA
        let client = try CurlClient(options: options)
        defer { client.shutdown() }

        let outcome = await Self.withEnvironment(["SSL_CERT_FILE": pki.caB, "SSL_CERT_DIR": pki.dir]) {
            await curlOutcome(client, HTTPRequest(method: "GET", url: server.url))
        }
        #expect(outcome.curlError?.curlKind == "notSent", "\(outcome)")
    }
}
