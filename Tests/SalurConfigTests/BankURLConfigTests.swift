import Testing
import SalurConfig

/// `base_url` alone says where requests go: `path_prefix` and `[bank.paths]` can only choose the path
/// there, `proxy` is an `http://host:port` or nothing, and TLS 1.2 is an explicit `tls_allow_1_2`.
@Suite("Bank URL, proxy and TLS keys")
struct BankURLConfigTests {
    static let file = "/etc/salur/salur.toml"

    /// Lines 1–9; `extra` starts at line 10.
    static func text(baseURL: String = "https://snap.bank.example/api", extra: String) -> String {
        """
        [database]
        path = "/var/lib/salur/salur.db"
        [bank]
        base_url = "\(baseURL)"
        partner_id = "SALUR01"
        client_key = "client-key"
        client_secret_file = "/etc/salur/client_secret"
        private_key_file = "/etc/salur/private.pem"
        source_account = "0011000000123"
        \(extra)

        """
    }

    func errors(_ text: String) -> [ConfigError] {
        do {
            let configuration = try SalurConfiguration.parse(text: text, file: Self.file)
            Issue.record("expected ConfigErrors, got \(configuration)")
            return []
        } catch {
            return error.errors
        }
    }

    /// `value` is TOML basic-string source: `\r`, `\n`, `\\`, `\t` and `\u007F` are TOML escapes.
    @Test("a path_prefix that could change the request's host, scheme, port or path is refused with its line", arguments: [
        (#"@bank.example.com"#, #""@""#),
        (#"/snap@bank.example.com"#, #""@""#),
        (#"/snap?x=1"#, #""?""#),
        (#"/snap#frag"#, ##""#""##),
        (#"/snap\\evil"#, #""\""#),
        (#"/%2e%2e/admin"#, #""%""#),
        (#"/snap\r\nHost: evil.example"#, "carriage return"),
        (#"/snap\nX: y"#, "line feed"),
        (#"/snap\t"#, "U+0009"),
        (#"/snap\u007F"#, "U+007F"),
        (#"/snap:8443"#, #"":""#),
        (#"/../admin"#, #"".." segment"#),
        (#"/snap/./x"#, #"".." segment"#),
        (#"/snap/.."#, #"".." segment"#),
        (#"//evil.example"#, #""//""#),
        (#"/snap//x"#, #""//""#),
        (#"/snap/"#, #"must not end with "/""#),
        (#"/"#, #"must not end with "/""#),
        (#"snap"#, #"must start with "/""#),
    ])
    func pathPrefixRefused(value: String, reason: String) {
        let found = errors(Self.text(baseURL: "http://127.0.0.1:8080", extra: "path_prefix = \"\(value)\""))
        #expect(found.map(\.key) == ["bank.path_prefix"], "\(found)")
        #expect(found.first?.line == 10)
        #expect(found.first?.reason.contains(reason) == true, "\(found)")
        #expect(found.first?.description.hasPrefix("\(Self.file):10: bank.path_prefix: ") == true)
    }

    @Test("a [bank.paths] value that could leave base_url is refused with its key's line", arguments: [
        ("token", #"@evil.example/v1.0/access-token/b2b"#, #""@""#),
        ("transfer_intrabank", #"/v1.0/transfer-intrabank?to=evil"#, #""?""#),
        ("transfer_interbank", #"/v1.0/transfer-interbank#x"#, ##""#""##),
        ("transfer_status", #"/v1.0/../../transfer/status"#, #"".." segment"#),
        ("account_inquiry_internal", #"https://evil.example/v1.0/account-inquiry-internal"#, #"":""#),
        ("balance_inquiry", #"/v1.0/balance-inquiry\r\n"#, "carriage return"),
        ("balance_inquiry", #"/v1.0\\balance-inquiry"#, #""\""#),
        ("token", #"/v1.0/access-token/b2b%00"#, #""%""#),
        ("token", #"//evil.example/v1.0/access-token/b2b"#, #""//""#),
        ("token", #"v1.0/access-token/b2b"#, #"must start with "/""#),
        ("token", "", "must not be empty"),
    ])
    func servicePathRefused(key: String, value: String, reason: String) {
        // [bank.paths] on line 10; the key below it on line 12 (a blank line between, as an operator writes it).
        let found = errors(Self.text(extra: "[bank.paths]\n\n\(key) = \"\(value)\""))
        #expect(found.map(\.key) == ["bank.paths.\(key)"], "\(found)")
        #expect(found.first?.line == 12)
        #expect(found.first?.reason.contains(reason) == true, "\(found)")
    }

    @Test("a base_url with user info, query, fragment or an odd path is refused", arguments: [
        ("https://salur@snap.bank.example", "user info"),
        ("https://user:secret@snap.bank.example/api", "user info"),
        ("http://127.0.0.1:8080@bank.example.com", "user info"),
        ("https://snap.bank.example/api?x=1", "query"),
        ("https://snap.bank.example/api#x", "fragment"),
        ("https://snap.bank.example/a/../api", #"".." segment"#),
        ("https://snap.bank.example/a%2fb", #""%""#),
        ("https://snap.bank.example/api x", "a space"),
        ("https:///api", "host"),
    ])
    func baseURLRefused(value: String, reason: String) {
        let found = errors(Self.text(baseURL: value, extra: ""))
        #expect(found.map(\.key) == ["bank.base_url"], "\(found)")
        #expect(found.first?.line == 4)
        #expect(found.first?.reason.contains(reason) == true, "\(found)")
    }

    /// Issue 14's case: a loopback base_url with `path_prefix = "@bank.example.com"` used to pass, and
    /// requests then went in plain HTTP to bank.example.com.
    @Test func atSignPrefixWithLoopbackBaseIsRefused() {
        let found = errors(Self.text(baseURL: "http://127.0.0.1:18443", extra: #"path_prefix = "@bank.example.com""#))
        #expect(found.map(\.description) == [
            "\(Self.file):10: bank.path_prefix: contains \"@\", which is not allowed in a bank path (it could change where the "
                + "request goes); use only letters, digits, \"-\", \".\", \"_\", \"~\" and \"/\"",
        ])
    }

    @Test("paths banks really use are accepted as written", arguments: [
        ("/snap", "/snap/v1/access-token/b2b", "/snap-service/v1/transfer-intrabank"),
        ("/openapi/v1.0", "/v2.0/access-token/b2b", "/v1.0/transfer~intrabank_x"),
        ("", "/v1.0/access-token/b2b", "/v1.0/transfer-intrabank"),
    ])
    func goodPathsAccepted(prefix: String, token: String, intrabank: String) throws {
        let configuration = try SalurConfiguration.parse(text: Self.text(extra: """
            path_prefix = "\(prefix)"
            [bank.paths]
            token = "\(token)"
            transfer_intrabank = "\(intrabank)"
            """), file: Self.file)
        let bank = try #require(configuration.bank)
        #expect(bank.pathPrefix == prefix)
        #expect(bank.paths.token == token)
        #expect(bank.paths.transferIntrabank == intrabank)
    }

    @Test func proxyAndTLSDefaults() throws {
        let bank = try #require(try SalurConfiguration.parse(text: Self.text(extra: ""), file: Self.file).bank)
        #expect(bank.proxy == nil)
        #expect(!bank.tlsAllow12)
    }

    @Test("a proxy is read as written", arguments: ["http://127.0.0.1:3128", "http://proxy.pemda.example:8080", "http://[::1]:3128/"])
    func proxyAccepted(value: String) throws {
        let bank = try #require(try SalurConfiguration.parse(text: Self.text(extra: "proxy = \"\(value)\"\ntls_allow_1_2 = true"),
                                                             file: Self.file).bank)
        #expect(bank.proxy == value)
        #expect(bank.tlsAllow12)
    }

    @Test("a proxy that is not exactly http://host:port is refused with its line", arguments: [
        ("socks5://127.0.0.1:1080", "http:// proxy"),
        ("https://proxy.example:3128", "http:// proxy"),
        ("proxy.example:3128", "http:// proxy"),
        ("http://proxy.example", "port"),
        ("http://user:secret@proxy.example:3128", "user info"),
        ("http://proxy.example:3128/path", "no path"),
        ("http://proxy.example:3128?x", "no path, query"),
        ("http://proxy.example:3128\\r\\n", "carriage return"),
        ("", "http:// proxy"),
    ])
    func proxyRefused(value: String, reason: String) {
        let found = errors(Self.text(extra: "proxy = \"\(value)\""))
        #expect(found.map(\.key) == ["bank.proxy"], "\(found)")
        #expect(found.first?.line == 10)
        #expect(found.first?.reason.contains(reason) == true, "\(found)")
    }

    @Test func tlsAllow12MustBeABoolean() {
        let found = errors(Self.text(extra: "tls_allow_1_2 = \"yes\""))
        #expect(found.map(\.key) == ["bank.tls_allow_1_2"])
        #expect(found.first?.line == 10)
    }

    @Test func changedKeysNameTheNewKeys() throws {
        let old = try SalurConfiguration.parse(text: Self.text(extra: ""), file: Self.file)
        let new = try SalurConfiguration.parse(text: Self.text(extra: "proxy = \"http://127.0.0.1:3128\"\ntls_allow_1_2 = true"),
                                               file: Self.file)
        #expect(old.changedKeys(to: new) == ["bank.tls_allow_1_2", "bank.proxy"])
    }
}
