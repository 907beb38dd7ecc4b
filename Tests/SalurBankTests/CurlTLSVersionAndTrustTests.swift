import SalurBank
import Testing

/// The SNAP standard's secured channel (ASPI, Keamanan): TLS 1.3, TLS 1.2 only where `[bank]
/// tls_allow_1_2` says so and then only with the standard's four suites; `ca_file` is the whole trust
/// store. Against a real TLS server (`openssl s_server`) on loopback.
@Suite("libcurl TLS: versions, suites and the CA file", .timeLimit(.minutes(5)))
struct CurlTLSVersionAndTrustTests {
    static func client(caFile: String?, allowTLS12: Bool = false) throws -> CurlClient {
        var options = CurlClient.Options()
        options.caFile = caFile
        options.allowTLS12 = allowTLS12
        options.connectTimeoutMs = 5_000
        return try CurlClient(options: options)
    }

    static func get(_ client: CurlClient, _ server: CurlTLSTestServer) async -> Result<HTTPResponse, HTTPClientError> {
        await curlOutcome(client, HTTPRequest(method: "GET", url: server.url))
    }

    @Test("a server signed by a CA outside ca_file is refused, even on loopback; one signed by ca_file's CA is accepted")
    func caFileIsTheTrustStore() async throws {
        let pki = try CurlTLSTestPKI.shared.get()
        let foreign = pki.server(signedBy: pki.caB)
        let server = try await CurlTLSTestServer(cert: foreign.cert, key: foreign.key)
        defer { server.stop() }

        let trustsA = try Self.client(caFile: pki.caA)
        defer { trustsA.shutdown() }
        let refused = await Self.get(trustsA, server)
        #expect(refused.curlError?.curlKind == "notSent", "\(refused)")
        #expect(refused.curlError?.curlReason.contains("certificate") == true, "\(refused)")

        let trustsB = try Self.client(caFile: pki.caB)
        defer { trustsB.shutdown() }
        let accepted = await Self.get(trustsB, server)
        #expect((try? accepted.get())?.status == 200, "\(accepted)")
    }

    @Test("without ca_file a loopback TLS server is not verified (the simulator and demo rule, unchanged)")
    func loopbackWithoutCAFile() async throws {
        let pki = try CurlTLSTestPKI.shared.get()
        let foreign = pki.server(signedBy: pki.caB)
        let server = try await CurlTLSTestServer(cert: foreign.cert, key: foreign.key)
        defer { server.stop() }
        let client = try Self.client(caFile: nil)
        defer { client.shutdown() }
        let outcome = await Self.get(client, server)
        #expect((try? outcome.get())?.status == 200, "\(outcome)")
    }

    @Test("TLS 1.3 is what is negotiated by default")
    func tls13ByDefault() async throws {
        let pki = try CurlTLSTestPKI.shared.get()
        let own = pki.server(signedBy: pki.caA)
        let server = try await CurlTLSTestServer(cert: own.cert, key: own.key)
        defer { server.stop() }
        let client = try Self.client(caFile: pki.caA)
        defer { client.shutdown() }
        let response = try await client.send(HTTPRequest(method: "GET", url: server.url))
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self).contains("New, TLSv1.3, Cipher is "))
    }

    @Test("a TLS 1.2-only server is refused by default and accepted with tls_allow_1_2, for each of the standard's suites", arguments: [
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "DHE-RSA-AES128-GCM-SHA256",
        "DHE-RSA-AES256-GCM-SHA384",
    ])
    func tls12OnlyWhenAllowed(suite: String) async throws {
        let pki = try CurlTLSTestPKI.shared.get()
        let own = pki.server(signedBy: pki.caA)
        let server = try await CurlTLSTestServer(cert: own.cert, key: own.key, options: ["-tls1_2", "-cipher", suite])
        defer { server.stop() }

        let strict = try Self.client(caFile: pki.caA)
        defer { strict.shutdown() }
        let refused = await Self.get(strict, server)
        #expect(refused.curlError?.curlKind == "notSent", "\(refused)")

        let lenient = try Self.client(caFile: pki.caA, allowTLS12: true)
        defer { lenient.shutdown() }
        let accepted = await Self.get(lenient, server)
        let page = (try? accepted.get()).map { String(decoding: $0.body, as: UTF8.self) } ?? "\(accepted)"
        #expect(page.contains("New, TLSv1.2, Cipher is \(suite)"), "\(page)")
    }

    @Test("with tls_allow_1_2, a TLS 1.2 server offering only suites outside the standard's list is refused", arguments: [
        "AES128-GCM-SHA256",             // RSA key exchange: no forward secrecy
        "ECDHE-RSA-AES128-SHA256",       // CBC
        "ECDHE-RSA-CHACHA20-POLY1305",   // not in the standard's list
    ])
    func tls12OtherSuitesRefused(suite: String) async throws {
        let pki = try CurlTLSTestPKI.shared.get()
        let own = pki.server(signedBy: pki.caA)
        let server = try await CurlTLSTestServer(cert: own.cert, key: own.key, options: ["-tls1_2", "-cipher", suite])
        defer { server.stop() }
        let client = try Self.client(caFile: pki.caA, allowTLS12: true)
        defer { client.shutdown() }
        let refused = await Self.get(client, server)
        #expect(refused.curlError?.curlKind == "notSent", "\(refused)")
    }

    @Test("the settings a transfer hands libcurl: TLS 1.3 floor, the standard's 1.2 suites, CA path cleared with a CA file, no proxy")
    func settings() {
        var options = CurlClient.Options()
        let plain = CurlConnectionSettings(url: "https://snap.bank.example/v1.0/transfer-intrabank", options: options)
        #expect(plain.verifyPeer)
        #expect(plain.minimumTLS == .tls13)
        #expect(plain.cipherList == "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384")
        #expect(plain.caFile == nil)
        #expect(!plain.clearsCAPath)
        #expect(plain.proxy == "")
        #expect(plain.noProxy == nil)

        options.caFile = "/etc/salur/bank-ca.pem"
        options.allowTLS12 = true
        options.proxy = "http://proxy.pemda.example:3128"
        let configured = CurlConnectionSettings(url: "https://127.0.0.1:8443/", options: options)
        #expect(configured.verifyPeer, "a CA file is checked on loopback too")
        #expect(configured.minimumTLS == .tls12)
        #expect(configured.caFile == "/etc/salur/bank-ca.pem")
        #expect(configured.clearsCAPath)
        #expect(configured.proxy == "http://proxy.pemda.example:3128")
        #expect(configured.noProxy == "")
    }
}
