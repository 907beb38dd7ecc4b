import Foundation
import SalurTestSupport
import Testing

/// `salurctl config check`, `salurd --check-config` and salurd's start-up run the same checks
/// (StartupCheck) on the files the config names: the client secret owner-only and not empty, the
/// private key owner-only and an RSA private key, the TLS files there. Every problem is listed,
/// each with its config key and file.
@Suite("config check and start-up check the secrets and files the config names", .timeLimit(.minutes(5)))
struct ConfigCheckSecretsTests {
    static func config(_ extra: String = "", secret: String = "secrets/client_secret", key: String = "secrets/private_key.pem") -> String {
        """
        [database]
        path = "state/salur.db"
        [bank]
        base_url = "http://127.0.0.1:18443"
        partner_id = "KUPANG"
        client_key = "salur-test"
        client_secret_file = "\(secret)"
        private_key_file = "\(key)"
        source_account = "0011999999"
        \(extra)

        """
    }

    /// A folder with `salur.toml` and good secrets (`salurctl demo keys`: private_key.pem,
    /// public_key.pem, client_secret, all 0600).
    static func workspace(_ config: String = config()) async throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        try dir.write("salur.toml", config)
        let keys = try await Salurctl.run(["demo", "keys", "--dir", "secrets"], in: dir)
        #expect(keys.status == 0, "\(keys)")
        return dir
    }

    static func salurd(_ arguments: [String], in dir: TemporaryDirectory) async throws -> BuiltProduct.Output {
        try await BuiltProduct.run(BuiltProduct.path("salurd", override: "SALURD"), arguments, in: dir.path)
    }

    /// Both checks on `dir`'s salur.toml.
    static func bothChecks(_ dir: TemporaryDirectory) async throws -> [BuiltProduct.Output] {
        [try await Salurctl.run(["config", "check", "--config", "salur.toml"], in: dir),
         try await salurd(["--check-config", "--config", "salur.toml"], in: dir)]
    }

    @Test("good secrets and key: both checks say ok, with no warning")
    func goodSecrets() async throws {
        let dir = try await Self.workspace()
        defer { dir.remove() }
        for check in try await Self.bothChecks(dir) {
            #expect(check.status == 0, "\(check)")
            #expect(check.stdout == "salur.toml: ok\n", "\(check)")
            #expect(!check.stderr.contains("warning"), "\(check)")
        }
    }

    @Test("each bad secret is refused by both checks, naming its key and file", arguments: [
        ("secret readable by everyone", "chmod 644 client_secret", "secrets/client_secret: bank.client_secret_file: secret file is accessible by group or others (mode 644)"),
        ("secret readable by the group", "chmod 640 client_secret", "secrets/client_secret: bank.client_secret_file: secret file is accessible by group or others (mode 640)"),
        ("key readable by everyone", "chmod 644 private_key.pem", "secrets/private_key.pem: bank.private_key_file: secret file is accessible by group or others (mode 644)"),
        ("missing key file", "rm private_key.pem", "secrets/private_key.pem: bank.private_key_file: cannot read the secret file: No such file or directory"),
        ("public key as the private key", "public key", "secrets/private_key.pem: bank.private_key_file: the private key file holds a public key"),
        ("not a key at all", "garbage key", "secrets/private_key.pem: bank.private_key_file: the private key file is not a usable RSA private key"),
        ("empty client secret", "empty secret", "secrets/client_secret: bank.client_secret_file: the client secret file is empty"),
        ("client secret of a line break only", "newline secret", "secrets/client_secret: bank.client_secret_file: the client secret file is empty"),
    ])
    func refused(name: String, change: String, message: String) async throws {
        let dir = try await Self.workspace()
        defer { dir.remove() }
        try Self.apply(change, in: dir.file("secrets"))
        for check in try await Self.bothChecks(dir) {
            #expect(check.status == 1, "\(name): \(check)")
            #expect(check.stderr.contains(message), "\(name): \(check)")
            #expect(!check.stdout.contains("ok"), "\(name): \(check)")
        }
    }

    static func apply(_ change: String, in secrets: String) throws {
        func write(_ name: String, _ text: String) throws {
            let path = secrets + "/" + name
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            #expect(chmod(path, 0o600) == 0)
        }
        switch change {
        case "chmod 644 client_secret": #expect(chmod(secrets + "/client_secret", 0o644) == 0)
        case "chmod 640 client_secret": #expect(chmod(secrets + "/client_secret", 0o640) == 0)
        case "chmod 644 private_key.pem": #expect(chmod(secrets + "/private_key.pem", 0o644) == 0)
        case "rm private_key.pem": try FileManager.default.removeItem(atPath: secrets + "/private_key.pem")
        case "public key": try write("private_key.pem", String(contentsOfFile: secrets + "/public_key.pem", encoding: .utf8))
        case "garbage key": try write("private_key.pem", "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n")
        case "empty secret": try write("client_secret", "")
        case "newline secret": try write("client_secret", "\n")
        default: Issue.record("unknown change \(change)")
        }
    }

    @Test("every problem is listed at once, not only the first")
    func everyProblem() async throws {
        let dir = try await Self.workspace(Self.config("ca_file = \"bank-ca.pem\"\nclient_key_file = \"secrets/client_key.pem\""))
        defer { dir.remove() }
        try Self.apply("empty secret", in: dir.file("secrets"))
        try Self.apply("public key", in: dir.file("secrets"))
        for check in try await Self.bothChecks(dir) {
            #expect(check.status == 1, "\(check)")
            for message in ["bank.client_secret_file: the client secret file is empty",
                            "bank.private_key_file: the private key file holds a public key",
                            "bank-ca.pem: bank.ca_file: cannot read the file: No such file or directory",
                            "bank.client_key_file: is set without bank.client_cert_file"] {
                #expect(check.stderr.contains(message), "\(message): \(check)")
            }
        }
    }

    @Test("a CA file that holds no certificate is refused; one that does is accepted")
    func caFile() async throws {
        let dir = try await Self.workspace(Self.config("ca_file = \"bank-ca.pem\""))
        defer { dir.remove() }
        try dir.write("bank-ca.pem", "not a certificate\n")
        for check in try await Self.bothChecks(dir) {
            #expect(check.status == 1, "\(check)")
            #expect(check.stderr.contains("bank-ca.pem: bank.ca_file: holds no CA certificate in PEM form"), "\(check)")
        }
        // The form is all the check looks at; libcurl reads the certificates themselves.
        try dir.write("bank-ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
        for check in try await Self.bothChecks(dir) {
            #expect(check.status == 0, "\(check)")
        }
    }

    @Test("salurd refuses to start with an empty client secret (as the checks do), before opening the database")
    func startRefusesEmptySecret() async throws {
        let dir = try await Self.workspace()
        defer { dir.remove() }
        try Self.apply("empty secret", in: dir.file("secrets"))
        try Self.apply("chmod 644 private_key.pem", in: dir.file("secrets"))
        let start = try await Self.salurd(["--config", "salur.toml", "--exit-when-idle"], in: dir)
        #expect(start.status == 1, "\(start)")
        #expect(start.stderr.contains("secrets/client_secret: bank.client_secret_file: the client secret file is empty"), "\(start)")
        #expect(start.stderr.contains("secrets/private_key.pem: bank.private_key_file: secret file is accessible by group or others"), "\(start)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("state/salur.db")))
    }

    @Test("a systemd credential path, absent outside the unit, is a warning left to start-up; salurd itself refuses to start without it")
    func systemdCredentialOutsideTheUnit() async throws {
        let folder = "/run/credentials/salur-test-\(UUID().uuidString).service"
        let dir = try await Self.workspace(Self.config(secret: folder + "/client_secret", key: folder + "/private_key.pem"))
        defer { dir.remove() }
        for check in try await Self.bothChecks(dir) {
            #expect(check.status == 0, "\(check)")
            #expect(check.stdout == "salur.toml: ok\n", "\(check)")
            #expect(check.stderr.contains("warning: \(folder)/client_secret: bank.client_secret_file: cannot read \(folder)/client_secret "
                                          + "(no such file): a systemd credential"), "\(check)")
            #expect(check.stderr.contains("bank.private_key_file: cannot read \(folder)/private_key.pem (no such file)"), "\(check)")
            #expect(check.stderr.contains("checked by salurd at start-up"), "\(check)")
        }
        let start = try await Self.salurd(["--config", "salur.toml", "--exit-when-idle"], in: dir)
        #expect(start.status == 1, "\(start)")
        #expect(start.stderr.contains("\(folder)/client_secret: bank.client_secret_file: cannot read the secret file: No such file or directory"),
                "\(start)")
        #expect(!start.stderr.contains("warning"), "\(start)")
    }

    @Test("the database as salurd opens it: a PostgreSQL url salurd refuses, a missing password file, a folder as the SQLite file")
    func database() async throws {
        let dir = try await Self.workspace()
        defer { dir.remove() }
        let postgres = Self.config().replacingOccurrences(
            of: "path = \"state/salur.db\"",
            with: "url = \"postgres://salur@db.kupang.example:5432/salur?sslmode=disable\"\npassword_file = \"db-password\"")
        try dir.write("salur.toml", postgres)
        for check in try await Self.bothChecks(dir) {
            #expect(check.status == 1, "\(check)")
            #expect(check.stderr.contains("salur.toml: database.url: [database] url: db.kupang.example is not a loopback host"), "\(check)")
            #expect(check.stderr.contains("db-password: database.password_file: cannot read the file: No such file or directory"), "\(check)")
        }
        try dir.write("salur.toml", Self.config())
        try FileManager.default.createDirectory(atPath: dir.file("state/salur.db"), withIntermediateDirectories: true)
        for check in try await Self.bothChecks(dir) {
            #expect(check.status == 1, "\(check)")
            #expect(check.stderr.contains("salur.toml: database.path: state/salur.db is a folder"), "\(check)")
        }
    }

    @Test("without [bank], salurctl's check warns that salurd would not start; salurd's check refuses")
    func noBank() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("salur.toml", "[database]\npath = \"state/salur.db\"\n")
        let check = try await Salurctl.run(["config", "check", "--config", "salur.toml"], in: dir)
        #expect(check.status == 0, "\(check)")
        #expect(check.stderr.contains("warning: salur.toml: bank: there is no [bank] table"), "\(check)")
        let salurd = try await Self.salurd(["--check-config", "--config", "salur.toml"], in: dir)
        #expect(salurd.status == 1, "\(salurd)")
        #expect(salurd.stderr.contains("salur.toml: bank: there is no [bank] table"), "\(salurd)")
    }

    @Test("run by a user who may not read the secrets, the checks warn and name the file; root checks fully",
          .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func permissionDenied() async throws {
        let dir = try await Self.workspace()
        defer { dir.remove() }
        // The operator may read the config and enter the folders, not open the secrets (root's, 0600).
        #expect(chmod(dir.path, 0o755) == 0)
        #expect(chmod(dir.file("secrets"), 0o755) == 0)
        #expect(chmod(dir.file("salur.toml"), 0o644) == 0)
        try Self.apply("empty secret", in: dir.file("secrets"))
        let asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups"]
        for (program, arguments) in [(try BuiltProduct.path("salurctl", override: "SALURCTL"), ["config", "check", "--config", "salur.toml"]),
                                     (try BuiltProduct.path("salurd", override: "SALURD"), ["--check-config", "--config", "salur.toml"])] {
            let check = try await BuiltProduct.run("/usr/bin/setpriv", asNobody + [program] + arguments, in: dir.path)
            #expect(check.status == 0, "\(check)")
            #expect(check.stdout == "salur.toml: ok\n", "\(check)")
            #expect(check.stderr.contains("bank.client_secret_file: cannot read secrets/client_secret (permission denied): checked by salurd at start-up"),
                    "\(check)")
            #expect(check.stderr.contains("bank.private_key_file: cannot read secrets/private_key.pem (permission denied)"), "\(check)")
        }
        // As root (salurd's check run as salurd's user or root) the empty secret is found.
        for check in try await Self.bothChecks(dir) {
            #expect(check.status == 1, "\(check)")
            #expect(check.stderr.contains("bank.client_secret_file: the client secret file is empty"), "\(check)")
        }
    }
}
