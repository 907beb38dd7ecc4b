import Foundation
import Testing
import SalurConfig

/// The production example (config/salur.toml), the ranges of the keys salurd's lifecycle reads,
/// what a reload reports as changed, and secrets as systemd's LoadCredential= presents them.
@Suite("Service configuration")
struct ServiceConfigTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static var example: String { root + "/config/salur.toml" }

    func errors(_ text: String) -> [ConfigError] {
        do {
            _ = try SalurConfiguration.parse(text: text, file: "/etc/salur/salur.toml")
            return []
        } catch {
            return error.errors
        }
    }

    @Test("the production example is valid and names the systemd credentials")
    func exampleIsValid() throws {
        let configuration = try SalurConfiguration.load(path: Self.example)
        #expect(configuration.database.path == "/var/lib/salur/salur.sqlite")
        #expect(configuration.bank?.clientSecretFile == "/run/credentials/salurd.service/client_secret")
        #expect(configuration.bank?.privateKeyFile == "/run/credentials/salurd.service/private_key.pem")
        #expect(configuration.engine.shutdownTimeoutMs > configuration.bank?.requestTimeoutMs ?? .max)
    }

    /// Every key the decoder knows appears in the example (commented-out optional file keys count):
    /// an unknown key planted in each table makes the decoder list the keys it knows there.
    @Test("the production example lists every key", arguments: ["database", "bank", "bank.paths", "bank.account_status", "batching", "retry", "engine", "log", "metrics"])
    func exampleListsEveryKey(table: String) throws {
        let text = try String(contentsOfFile: Self.example, encoding: .utf8)
        let planted = text.replacingOccurrences(of: "[\(table)]\n", with: "[\(table)]\nzz_planted = 1\n")
        let error = try #require(errors(planted).first { $0.key == "\(table).zz_planted" })
        let known = try #require(error.reason.split(separator: "(known here: ").last?.dropLast())
            .split(separator: ", ").map(String.init).filter { $0 != "zz_planted" }
        #expect(!known.isEmpty)
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        for key in known where key != "paths" {
            // A sub-table counts when its own header is there.
            let present = lines.contains { $0.hasPrefix("\(key) =") || $0.hasPrefix("# \(key) =") || $0 == "[\(table).\(key)]" }
            #expect(present, "\(table).\(key) is not in config/salur.toml")
        }
    }

    @Test("out-of-range values of the service keys name the range", arguments: [
        ("[engine]\nshutdown_timeout_ms = 50\n", "engine.shutdown_timeout_ms", "50 is out of range; allowed 100…3600000"),
        ("[engine]\nwatchdog_interval_ms = -1\n", "engine.watchdog_interval_ms", "-1 is out of range; allowed 0…3600000"),
        ("[engine]\npoll_interval_ms = 5\n", "engine.poll_interval_ms", "5 is out of range; allowed 10…600000"),
        ("[engine]\nchunk_size = 10001\n", "engine.chunk_size", "10001 is out of range; allowed 1…10000"),
        ("[retry]\nbreaker_cooldown_ms = 1\n", "retry.breaker_cooldown_ms", "1 is out of range; allowed 10…3600000"),
        ("[retry]\ninquiry_delay_ms = 3600001\n", "retry.inquiry_delay_ms", "3600001 is out of range; allowed 0…3600000"),
    ])
    func serviceKeyOutOfRange(table: String, key: String, reason: String) {
        let text = "[database]\npath = \"/d/s.db\"\n" + table
        #expect(errors(text) == [ConfigError(file: "/etc/salur/salur.toml", line: 4, key: key, reason: reason)])
    }

    @Test("out-of-range bank limits name the range", arguments: [
        ("max_in_flight = 0", "bank.max_in_flight", "0 is out of range; allowed 1…256"),
        ("max_in_flight = 257", "bank.max_in_flight", "257 is out of range; allowed 1…256"),
        ("connect_timeout_ms = 99", "bank.connect_timeout_ms", "99 is out of range; allowed 100…120000"),
        ("request_timeout_ms = 600001", "bank.request_timeout_ms", "600001 is out of range; allowed 100…600000"),
        ("token_refresh_margin_seconds = 3601", "bank.token_refresh_margin_seconds", "3601 is out of range; allowed 0…3600"),
    ])
    func bankLimitOutOfRange(line: String, key: String, reason: String) {
        let text = """
            [database]
            path = "/d/s.db"
            [bank]
            base_url = "https://snap.bank.example"
            partner_id = "P"
            client_key = "K"
            client_secret_file = "/s"
            private_key_file = "/k"
            source_account = "0011000000123"
            \(line)
            """
        #expect(errors(text) == [ConfigError(file: "/etc/salur/salur.toml", line: 10, key: key, reason: reason)])
    }

    @Test("engine.lease_ms: default 30 s, range checked; with PostgreSQL the not-found window must cover lease + request timeout")
    func leaseAndSettleWindow() throws {
        let bank = """
            [bank]
            base_url = "https://snap.bank.example"
            partner_id = "P"
            client_key = "K"
            client_secret_file = "/s"
            private_key_file = "/k"
            source_account = "0011000000123"
            request_timeout_ms = 20000
            """
        let sqlite = "[database]\npath = \"/d/s.db\"\n"
        let postgres = "[database]\nurl = \"postgres://salur@127.0.0.1/salur\"\n"
        #expect(try SalurConfiguration.parse(text: sqlite, file: "/etc/salur/salur.toml").engine.leaseMs == 30_000)
        #expect(errors(sqlite + "[engine]\nlease_ms = 299\n").map(\.key) == ["engine.lease_ms"])
        // SQLite: one engine, no lease; the window must be above the request timeout.
        #expect(errors(sqlite + bank + "\n[retry]\nnot_found_settle_ms = 20001\n").isEmpty)
        let sqliteShort = errors(sqlite + bank + "\n[retry]\nnot_found_settle_ms = 20000\n")
        #expect(sqliteShort.map(\.key) == ["retry.not_found_settle_ms"])
        #expect(sqliteShort.first?.reason.contains("must be above bank.request_timeout_ms (20000)") == true)
        // PostgreSQL: 30 000 + 20 000 needed.
        #expect(errors(postgres + bank + "\n[retry]\nnot_found_settle_ms = 50000\n").isEmpty)
        let short = errors(postgres + bank + "\n[retry]\nnot_found_settle_ms = 49999\n")
        #expect(short.map(\.key) == ["retry.not_found_settle_ms"])
        #expect(short.first?.reason.contains("30000 + 20000 = 50000") == true)
        #expect(errors(postgres + bank + "\n[retry]\nnot_found_settle_ms = 2600\n[engine]\nlease_ms = 1500\n").map(\.key)
                == ["retry.not_found_settle_ms"])
    }

    @Test("a reload reports exactly the keys that changed, in file order")
    func changedKeys() throws {
        let old = try SalurConfiguration.load(path: Self.example)
        var new = old
        #expect(old.changedKeys(to: new).isEmpty)
        new.log.level = "debug"
        new.retry.maxAttempts = 9
        new.bank?.maxInFlight = 32
        new.database.path = "/elsewhere.sqlite"
        #expect(old.changedKeys(to: new) == ["database.path", "bank.max_in_flight", "retry.max_attempts", "log.level"])
        new.bank = nil
        #expect(old.changedKeys(to: new).contains("bank"))
    }

    @Test("in $CREDENTIALS_DIRECTORY a credential shown as 0440 (systemd's ACL mask) is accepted; others' bits never are")
    func systemdCredentials() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("client_secret")
        try "s3cr3t\n".write(toFile: path, atomically: false, encoding: .utf8)
        let credentials = ["CREDENTIALS_DIRECTORY": dir.path]
        #expect(chmod(path, 0o440) == 0)
        #expect(try SecretFile.readText(path, what: "bank.client_secret_file", environment: credentials) == "s3cr3t")
        #expect(throws: ConfigError.self) { try SecretFile.read(path, what: "bank.client_secret_file", environment: [:]) }
        #expect(chmod(path, 0o444) == 0)
        #expect(throws: ConfigError.self) { try SecretFile.read(path, what: "bank.client_secret_file", environment: credentials) }
        // A folder merely named like it elsewhere is no credentials folder.
        #expect(chmod(path, 0o440) == 0)
        #expect(throws: ConfigError.self) {
            try SecretFile.read(path, what: "bank.client_secret_file", environment: ["CREDENTIALS_DIRECTORY": dir.path + "/sub"])
        }
    }
}
