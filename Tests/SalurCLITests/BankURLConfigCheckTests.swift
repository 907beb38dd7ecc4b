import Foundation
import SalurTestSupport
import Testing

/// `salurctl config check` and `salurd --check-config` refuse what salurd's start-up would: a
/// `[bank]` whose paths or proxy could send requests somewhere other than `base_url`.
@Suite("config check refuses bank paths and proxies that start-up refuses")
struct BankURLConfigCheckTests {
    static func config(_ extra: String) -> String {
        ConfigCheckSecretsTests.config(extra, secret: "client_secret", key: "private_key.pem")
    }

    @Test("each refused value is named with its line by both checks", arguments: [
        (#"path_prefix = "@bank.example.com""#, "salur.toml:10: bank.path_prefix: contains \"@\""),
        (#"proxy = "socks5://127.0.0.1:1080""#, "salur.toml:10: bank.proxy: must be an http:// proxy"),
        ("[bank.paths]\ntransfer_intrabank = \"/v1.0/../admin\"", "salur.toml:11: bank.paths.transfer_intrabank: must not contain"),
    ])
    func refused(extra: String, message: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("salur.toml", Self.config(extra))
        let check = try await Salurctl.run(["config", "check", "--config", "salur.toml"], in: dir)
        #expect(check.status == 1, "\(check)")
        #expect(check.stderr.contains(message), "\(check)")

        let salurd = try await BuiltProduct.run(BuiltProduct.path("salurd", override: "SALURD"), ["--check-config", "--config", "salur.toml"],
                                                in: dir.path)
        #expect(salurd.status == 1, "\(salurd)")
        #expect(salurd.stderr.contains(message), "\(salurd)")
    }

    @Test func acceptedWhenPlain() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("salur.toml", Self.config("path_prefix = \"/snap\"\nproxy = \"http://127.0.0.1:3128\"\ntls_allow_1_2 = true"))
        // Real secrets: the checks read the key as salurd does (ConfigCheckSecretsTests).
        let keys = try await Salurctl.run(["demo", "keys", "--dir", "."], in: dir)
        #expect(keys.status == 0, "\(keys)")
        let check = try await Salurctl.run(["config", "check", "--config", "salur.toml"], in: dir)
        #expect(check.status == 0, "\(check)")
        let salurd = try await BuiltProduct.run(BuiltProduct.path("salurd", override: "SALURD"), ["--check-config", "--config", "salur.toml"],
                                                in: dir.path)
        #expect(salurd.status == 0, "\(salurd)")
    }
}
