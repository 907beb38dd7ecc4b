import Foundation
import Testing
import SalurCore
import SalurConfig

/// `salur.toml`, decoded strictly (DESIGN.md §6): every problem named with its file, line and dotted key.
@Suite("Configuration")
struct ConfigurationTests {
    static let file = "/etc/salur/salur.toml"

    func errors(_ text: String, file: String = ConfigurationTests.file) -> [ConfigError] {
        do {
            let configuration = try SalurConfiguration.parse(text: text, file: file)
            Issue.record("expected ConfigErrors, got \(configuration)")
            return []
        } catch {
            return error.errors
        }
    }

    static let bank = """
        [bank]
        base_url = "https://snap.bank.example/api"
        partner_id = "SALUR01"
        client_key = "client-key"
        client_secret_file = "secrets/client_secret"
        private_key_file = "/etc/salur/private.pem"
        source_account = "0011000000123"

        """

    @Test func minimalFile() throws {
        let configuration = try SalurConfiguration.parse(text: "[database]\npath = \"/var/lib/salur/salur.db\"\n", file: Self.file)
        #expect(configuration.file == Self.file)
        #expect(configuration.database.path == "/var/lib/salur/salur.db")
        #expect(configuration.database.busyTimeoutMs == 5_000)
        #expect(configuration.bank == nil)
        #expect(configuration.batching.maxItems == 500)
        #expect(configuration.batching.maxAmount == Rupiah(5_000_000_000))
        #expect(configuration.batching.approvalRequired)
        #expect(configuration.retry.maxAttempts == 8)
        #expect(configuration.engine.chunkSize == 256)
        #expect(configuration.log.level == "info")
    }

    @Test func valuesAreRead() throws {
        let configuration = try SalurConfiguration.parse(text: """
            [database]
            path = "/var/lib/salur/salur.db"
            busy_timeout_ms = 250

            [batching]
            max_items = 1000
            max_amount = 2_000_000_000
            distinct_approver = false

            [log]
            level = "debug"

            """ + Self.bank, file: Self.file)
        #expect(configuration.database.busyTimeoutMs == 250)
        #expect(configuration.batching.maxItems == 1_000)
        #expect(configuration.batching.maxAmount == Rupiah(2_000_000_000))
        #expect(!configuration.batching.distinctApprover)
        #expect(configuration.log.level == "debug")
        let bank = try #require(configuration.bank)
        #expect(bank.baseURL == "https://snap.bank.example/api")
        #expect(bank.partnerID == "SALUR01")
        #expect(bank.sourceAccount == "0011000000123")
        #expect(bank.channelID == "95221")
        #expect(bank.paths.token == "/v1.0/access-token/b2b")
        #expect(bank.paths.transferStatus == "/v1.0/transfer/status")
        #expect(bank.maxInFlight == 8)
    }

    @Test func bankPathsOverride() throws {
        let configuration = try SalurConfiguration.parse(text: "[database]\npath = \"/d/s.db\"\n" + Self.bank + """
            [bank.paths]
            token = "/snap/v1/access-token/b2b"
            transfer_intrabank = "/snap-service/v1/transfer-intrabank"

            """, file: Self.file)
        #expect(configuration.bank?.paths.token == "/snap/v1/access-token/b2b")
        #expect(configuration.bank?.paths.transferIntrabank == "/snap-service/v1/transfer-intrabank")
        #expect(configuration.bank?.paths.balanceInquiry == "/v1.0/balance-inquiry")
    }

    @Test func unknownKeyNamesItsLineAndDottedKey() {
        let found = errors("""
            # Salur, Kota Kupang
            [database]
            path = "/var/lib/salur/salur.db"
            busy_timeout = 5000

            """)
        #expect(found.count == 1)
        #expect(found.first?.line == 4)
        #expect(found.first?.key == "database.busy_timeout")
        #expect(found.first?.reason.hasPrefix("unknown key") == true)
        #expect(found.first?.description.hasPrefix("/etc/salur/salur.toml:4: database.busy_timeout: unknown key") == true)
        #expect(found.first?.reason.contains("busy_timeout_ms") == true) // says what is known there
    }

    @Test func unknownTableAndNestedKey() {
        let found = errors("""
            [database]
            path = "/var/lib/salur/salur.db"

            [databse]
            path = "typo.db"
            """ + "\n" + Self.bank + """
            [bank.paths]
            tokn = "/token"

            """)
        #expect(found.map { "\($0.line) \($0.key)" } == ["4 databse", "14 bank.paths.tokn"])
    }

    @Test("a value of the wrong type", arguments: [
        ("busy_timeout_ms = \"5000\"", "database.busy_timeout_ms", "must be an integer, found string"),
        ("busy_timeout_ms = 1.5", "database.busy_timeout_ms", "must be an integer, found floating-point number"),
        ("path = 5", "database.path", "must be a string, found integer"),
    ])
    func wrongType(line: String, key: String, reason: String) {
        let text = line.hasPrefix("path") ? "[database]\n\(line)\n" : "[database]\npath = \"/d/s.db\"\n\(line)\n"
        let found = errors(text)
        #expect(found == [ConfigError(file: Self.file, line: line.hasPrefix("path") ? 2 : 3, key: key, reason: reason)])
    }

    @Test func wrongTypeOfTable() {
        #expect(errors("[database]\npath = \"/d/s.db\"\n[log]\nlevel = true\n")
            == [ConfigError(file: Self.file, line: 4, key: "log.level", reason: "must be a string, found bool")])
    }

    @Test("an out-of-range value names the range", arguments: [
        ("[database]\npath = \"/d/s.db\"\nbusy_timeout_ms = 700000\n", 3, "database.busy_timeout_ms", "700000 is out of range; allowed 0…600000"),
        ("[database]\npath = \"/d/s.db\"\nbusy_timeout_ms = -1\n", 3, "database.busy_timeout_ms", "-1 is out of range; allowed 0…600000"),
        ("[database]\npath = \"/d/s.db\"\n[batching]\nmax_items = 0\n", 4, "batching.max_items", "0 is out of range; allowed 1…100000"),
        ("[database]\npath = \"/d/s.db\"\n[retry]\nmax_attempts = 101\n", 4, "retry.max_attempts", "101 is out of range; allowed 1…100"),
    ])
    func outOfRange(text: String, line: Int, key: String, reason: String) {
        #expect(errors(text) == [ConfigError(file: Self.file, line: line, key: key, reason: reason)])
    }

    @Test func valueNotInTheAllowedSet() {
        let found = errors("[database]\npath = \"/d/s.db\"\n[log]\nlevel = \"verbose\"\n")
        #expect(found.map(\.key) == ["log.level"])
        #expect(found.first?.reason.contains("debug") == true)
    }

    @Test func missingDatabaseTable() {
        #expect(errors("[log]\nlevel = \"info\"\n")
            == [ConfigError(file: Self.file, line: 0, key: "database", reason: "required table [database] is missing")])
        #expect(ConfigError(file: Self.file, line: 0, key: "database", reason: "r").description == "/etc/salur/salur.toml: database: r")
    }

    @Test func missingDatabasePath() {
        #expect(errors("[database]\nbusy_timeout_ms = 100\n")
            == [ConfigError(file: Self.file, line: 1, key: "database.path", reason: "required key is missing")])
    }

    @Test("an empty database path is refused", arguments: ["/etc/salur/salur.toml", "salur.toml"])
    func emptyDatabasePath(file: String) {
        do {
            let configuration = try SalurConfiguration.parse(text: "[database]\npath = \"\"\n", file: file)
            Issue.record("accepted; database.path = \"\(configuration.database.path)\"")
        } catch let error as ConfigErrors {
            #expect(error.errors.map(\.key) == ["database.path"])
        }
    }

    @Test func severalErrorsAtOnce() {
        let found = errors("""
            [database]
            path = "/d/s.db"
            busy_timeout_ms = "slow"
            colour = "blue"

            [retry]
            max_attempts = 0
            base_delay_ms = 1000
            max_delay_ms = 10

            """)
        #expect(found.map { "\($0.line) \($0.key)" }.sorted() == [
            "3 database.busy_timeout_ms", "4 database.colour", "7 retry.max_attempts", "9 retry.max_delay_ms",
        ])
        let errors = ConfigErrors(found)
        #expect(errors.description.split(separator: "\n").count == 4)
    }

    @Test func syntaxErrorNamesItsLine() {
        let found = errors("[database]\npath = \"/d/s.db\"\nbroken = \n")
        #expect(found.count == 1)
        #expect(found.first?.key == "syntax")
        #expect(found.first?.line == 3)
    }

    // MARK: Bank URL

    @Test("plain http is refused for a bank that is not on this machine", arguments: [
        "http://snap.bank.example/api", "http://10.0.0.5:8080", "http://localhost.bank.example", "ftp://bank.example",
    ])
    func httpToRemoteHostRefused(url: String) {
        let text = "[database]\npath = \"/d/s.db\"\n" + Self.bank.replacingOccurrences(of: "https://snap.bank.example/api", with: url)
        let found = errors(text)
        #expect(found.map(\.key) == ["bank.base_url"])
        #expect(found.first?.line == 4)
    }

    @Test("plain http is allowed to a loopback simulator", arguments: [
        "http://127.0.0.1:8080", "http://localhost:9000/snap", "http://[::1]:8080", "https://snap.bank.example",
    ])
    func loopbackAllowed(url: String) throws {
        let text = "[database]\npath = \"/d/s.db\"\n" + Self.bank.replacingOccurrences(of: "https://snap.bank.example/api", with: url)
        #expect(try SalurConfiguration.parse(text: text, file: Self.file).bank?.baseURL == url)
    }

    @Test("a host name that merely starts with 127. is not loopback", arguments: [
        "http://127.0.0.1.nip.io:8080", "http://127.attacker.example",
    ])
    func lookalikeLoopbackRefused(url: String) {
        #expect(!SalurConfiguration.isLoopbackURL(url))
    }

    @Test func sourceAccountIsValidated() {
        let text = "[database]\npath = \"/d/s.db\"\n" + Self.bank.replacingOccurrences(of: "0011000000123", with: "0011-0000")
        #expect(errors(text) == [ConfigError(file: Self.file, line: 9, key: "bank.source_account", reason: "must contain digits only")])
    }

    @Test func bankWithoutItsRequiredKeys() {
        let found = errors("[database]\npath = \"/d/s.db\"\n[bank]\nbase_url = \"https://b.example\"\n")
        #expect(Set(found.map(\.key)) == ["bank.partner_id", "bank.client_key", "bank.client_secret_file", "bank.private_key_file", "bank.source_account"])
        #expect(found.allSatisfy { $0.line == 3 && $0.reason == "required key is missing" })
    }

    // MARK: Paths

    @Test func relativePathsResolveAgainstTheConfigFolder() throws {
        let configuration = try SalurConfiguration.parse(text: "[database]\npath = \"state/salur.db\"\n" + Self.bank, file: "/etc/salur/salur.toml")
        #expect(configuration.database.path == "/etc/salur/state/salur.db")
        #expect(configuration.bank?.clientSecretFile == "/etc/salur/secrets/client_secret")
        #expect(configuration.bank?.privateKeyFile == "/etc/salur/private.pem") // absolute stays
    }

    @Test func loadReadsTheFileAndResolvesAgainstItsFolder() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.toml")
        try "[database]\npath = \"../data/salur.db\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try SalurConfiguration.load(path: path)
        #expect(configuration.file == path)
        #expect(configuration.database.path == dir.path + "/../data/salur.db")
    }

    @Test func loadReportsTheFileOnError() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.toml")
        try "[database]\npath = \"x.db\"\nextra = 1\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ConfigErrors.self) { try SalurConfiguration.load(path: path) }
        do { _ = try SalurConfiguration.load(path: path) } catch {
            #expect(error.errors.map(\.description) == ["\(path):3: database.extra: unknown key (known here: busy_timeout_ms, max_connections, password_file, path, synchronous_commit, url)"])
        }
    }

    @Test func loadMissingFile() {
        do {
            _ = try SalurConfiguration.load(path: "/nonexistent/salur.toml")
            Issue.record("expected an error")
        } catch {
            #expect(error.errors.map(\.key) == ["file"])
            #expect(error.errors.first?.reason.contains("--config") == true)
        }
    }

    @Test func configPathPrecedence() {
        #expect(SalurConfiguration.resolvePath(flag: "/a.toml", environment: ["SALUR_CONFIG": "/b.toml"]) == "/a.toml")
        #expect(SalurConfiguration.resolvePath(flag: nil, environment: ["SALUR_CONFIG": "/b.toml"]) == "/b.toml")
        #expect(SalurConfiguration.resolvePath(flag: nil, environment: [:]) == "/etc/salur/salur.toml")
    }
}
