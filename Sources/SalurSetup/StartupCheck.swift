import Foundation
package import SalurBank
package import SalurConfig
import SalurPostgres

/// Everything salurd checks before it serves, beyond the config file's own rules, in one place:
/// salurd's start-up, `salurd --check-config` and `salurctl config check` all call `StartupCheck.run`,
/// so a check can never pass what start-up refuses.
///
/// Checked, every problem at once, each naming its config key and file:
/// - `[bank]` is there (salurd needs it; for `salurctl config check` its absence is a warning).
/// - `bank.client_secret_file`: a regular file, private to its owner (see `SecretFile`), not empty.
/// - `bank.private_key_file`: the same, holding the RSA private key salurd signs with, parsed as
///   salurd parses it (`SNAPCredentials.privateKey(pem:)`): a public key, certificate or encrypted
///   key is refused.
/// - `bank.ca_file`, `bank.client_cert_file`: readable PEM certificates.
/// - `bank.client_key_file`: private to its owner, a PEM private key; only with `client_cert_file`.
/// - `[database]`: PostgreSQL's `url` as salurd parses it, its `password_file` and `sslrootcert`
///   readable; SQLite's `path` not a folder, and its folder writable when it exists.
///
/// `base_url` (https unless loopback), `path_prefix`, `[bank.paths]` and `proxy` are checked when
/// the file is read (`SalurConfiguration.parse`).
///
/// A check is often run by an operator who may not read salurd's secrets: with `Role.check`, a file
/// this user may not read ("permission denied"), or a systemd credential that exists only while
/// salurd runs (`/run/credentials/salurd.service/…` seen from outside the service), is a warning
/// saying salurd checks it at start-up, never an ok and never an error. At start-up
/// (`Role.start`) everything is an error.
package enum StartupCheck {
    package enum Role: Sendable, Equatable {
        /// salurd starting: every problem is an error.
        case start
        /// `salurd --check-config` or `salurctl config check`: what this user cannot look at is a warning.
        case check
    }

    package struct Report: Sendable {
        /// What start-up refuses.
        package var errors: [ConfigError] = []
        /// What this check could not look at, and why (only with `Role.check`).
        package var warnings: [ConfigError] = []
        /// The bank's secrets, when they were read and are good.
        package var bankSecrets: BankSecrets?
    }

    /// Checks `configuration` as salurd's start-up does. `needsBank`: whether a file without `[bank]`
    /// is an error (salurd) or a warning (salurctl, which can work without it).
    package static func run(_ configuration: SalurConfiguration, role: Role, needsBank: Bool,
                            environment: [String: String]? = nil) -> Report {
        let environment = environment ?? ProcessInfo.processInfo.environment
        var report = Report()
        func add(_ error: ConfigError, _ kind: SecretFile.Failure.Kind? = nil) {
            if role == .check, let kind, let warning = warning(for: error, kind: kind, environment: environment) {
                report.warnings.append(warning)
            } else {
                report.errors.append(error)
            }
        }
        if let bank = configuration.bank {
            let (secrets, problems) = BankSecrets.inspect(bank, environment: environment)
            report.bankSecrets = secrets
            for problem in problems { add(problem.error, problem.kind) }
            for problem in tlsFileProblems(bank, environment: environment) { add(problem.error, problem.kind) }
        } else {
            let error = ConfigError(file: configuration.file, line: 0, key: "bank",
                                    reason: "there is no [bank] table; salurd needs the bank's endpoint and credentials to start")
            if needsBank { report.errors.append(error) } else { report.warnings.append(error) }
        }
        for problem in databaseProblems(configuration, environment: environment) { add(problem.error, problem.kind) }
        return report
    }

    /// The warning a `Role.check` gives instead of `error`, or nil when it stays an error.
    static func warning(for error: ConfigError, kind: SecretFile.Failure.Kind, environment: [String: String]) -> ConfigError? {
        switch kind {
        case .permissionDenied:
            let what = error.key == "database.path" ? "cannot write in \(error.file)" : "cannot read \(error.file)"
            return ConfigError(file: error.file, line: 0, key: error.key,
                               reason: "\(what) (permission denied): checked by salurd at start-up; "
                                   + "run `salurd --check-config` as salurd's user (or root) to check it now")
        case .missing where SecretFile.isOtherUnitsCredential(error.file, environment: environment):
            return ConfigError(file: error.file, line: 0, key: error.key,
                               reason: "cannot read \(error.file) (no such file): a systemd credential (LoadCredential=), there only "
                                   + "while the unit runs: checked by salurd at start-up; check its source file under /etc/salur/credentials")
        default:
            return nil
        }
    }

    typealias Problem = (error: ConfigError, kind: SecretFile.Failure.Kind?)

    /// The TLS files of `[bank]`: CA bundle, client certificate and its key.
    static func tlsFileProblems(_ bank: SalurConfiguration.Bank, environment: [String: String]) -> [Problem] {
        var problems: [Problem] = []
        func pem(_ path: String, key: String, secret: Bool, marker: String, what: String) -> String? {
            switch SecretFile.load(path, what: key, environment: environment, ownerOnly: secret) {
            case .failure(let failure):
                problems.append((failure.error, failure.kind))
                return nil
            case .success(let bytes):
                let text = String(decoding: bytes, as: UTF8.self)
                if !text.contains(marker) {
                    problems.append((ConfigError(file: path, line: 0, key: key, reason: "holds no \(what) in PEM form (no \"\(marker)\" line)"), nil))
                    return nil
                }
                return text
            }
        }
        if let caFile = bank.caFile {
            _ = pem(caFile, key: "bank.ca_file", secret: false, marker: "-----BEGIN CERTIFICATE-----", what: "CA certificate")
        }
        if let certFile = bank.clientCertFile {
            let cert = pem(certFile, key: "bank.client_cert_file", secret: false, marker: "-----BEGIN CERTIFICATE-----", what: "certificate")
            if bank.clientKeyFile == nil, let cert, !cert.contains("PRIVATE KEY-----") {
                problems.append((ConfigError(file: certFile, line: 0, key: "bank.client_key_file",
                                             reason: "client_cert_file holds no private key, so client_key_file must name the certificate's key"), nil))
            }
        }
        if let keyFile = bank.clientKeyFile {
            if bank.clientCertFile == nil {
                problems.append((ConfigError(file: keyFile, line: 0, key: "bank.client_key_file",
                                             reason: "is set without bank.client_cert_file, the certificate it belongs to"), nil))
            }
            _ = pem(keyFile, key: "bank.client_key_file", secret: true, marker: "PRIVATE KEY-----", what: "private key")
        }
        return problems
    }

    /// `[database]` as salurd opens it.
    static func databaseProblems(_ configuration: SalurConfiguration, environment: [String: String]) -> [Problem] {
        var problems: [Problem] = []
        let database = configuration.database
        if let url = database.url {
            if let passwordFile = database.passwordFile,
               case .failure(let failure) = SecretFile.load(passwordFile, what: "database.password_file", environment: environment, ownerOnly: false) {
                problems.append((failure.error, failure.kind))
            }
            do {
                let target = try PostgresTarget(url: url, passwordFile: nil)
                if let root = target.rootCertificate,
                   case .failure(let failure) = SecretFile.load(root, what: "database.url sslrootcert", environment: environment, ownerOnly: false) {
                    problems.append((failure.error, failure.kind))
                }
            } catch {
                problems.append((ConfigError(file: configuration.file, line: 0, key: "database.url", reason: "\(error)"), nil))
            }
            return problems
        }
        let path = database.path
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            problems.append((ConfigError(file: configuration.file, line: 0, key: "database.path",
                                         reason: "\(path) is a folder; name the SQLite file in it, e.g. \(path)/salur.sqlite"), nil))
            return problems
        }
        let parent = (path as NSString).deletingLastPathComponent
        let folder = parent.isEmpty ? "." : parent
        if stat(folder, &info) == 0 {
            if info.st_mode & S_IFMT != S_IFDIR {
                problems.append((ConfigError(file: configuration.file, line: 0, key: "database.path",
                                             reason: "\(folder) is not a folder"), nil))
            } else if access(folder, W_OK | X_OK) != 0 {
                let code = errno
                let reason = "cannot write in the database folder \(folder): \(String(cString: strerror(code)))"
                problems.append((ConfigError(file: folder, line: 0, key: "database.path", reason: reason),
                                 code == EACCES || code == EPERM ? .permissionDenied : nil))
            }
        }
        return problems
    }
}

/// The bank's secrets as salurd uses them: read from their files (owner-only, see `SecretFile`),
/// the client secret not empty, the private key parsed. The one loader for start-up, reloads and checks.
package struct BankSecrets: Sendable {
    package let clientSecret: [UInt8]
    package let privateKeyPEM: [UInt8]
    package let credentials: SNAPCredentials

    /// What the files held, to tell whether a reload found them changed.
    package var digest: [UInt8] { clientSecret + [0] + privateKeyPEM }

    /// Reads and checks the secrets `bank` names; every problem at once.
    package static func load(_ bank: SalurConfiguration.Bank, environment: [String: String]? = nil) throws(ConfigErrors) -> BankSecrets {
        let (secrets, problems) = inspect(bank, environment: environment ?? ProcessInfo.processInfo.environment)
        guard let secrets, problems.isEmpty else { throw ConfigErrors(problems.map(\.error)) }
        return secrets
    }

    static func inspect(_ bank: SalurConfiguration.Bank, environment: [String: String]) -> (BankSecrets?, [StartupCheck.Problem]) {
        var problems: [StartupCheck.Problem] = []
        var secret: [UInt8]?
        switch SecretFile.load(bank.clientSecretFile, what: "bank.client_secret_file", environment: environment) {
        case .failure(let failure):
            problems.append((failure.error, failure.kind))
        case .success(let bytes):
            let text = SecretFile.text(of: bytes)
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                problems.append((ConfigError(file: bank.clientSecretFile, line: 0, key: "bank.client_secret_file",
                                             reason: "the client secret file is empty; put the client secret the bank issued in it"), nil))
            } else {
                secret = Array(text.utf8)
            }
        }
        var key: (pem: [UInt8], parsed: SNAPCredentials.PrivateKey)?
        switch SecretFile.load(bank.privateKeyFile, what: "bank.private_key_file", environment: environment) {
        case .failure(let failure):
            problems.append((failure.error, failure.kind))
        case .success(let bytes):
            do {
                key = (bytes, try SNAPCredentials.privateKey(pem: String(decoding: bytes, as: UTF8.self)))
            } catch {
                problems.append((ConfigError(file: bank.privateKeyFile, line: 0, key: "bank.private_key_file",
                                             reason: "the private key file " + error.reason), nil))
            }
        }
        guard let secret, let key else { return (nil, problems) }
        let credentials = SNAPCredentials(partnerID: bank.partnerID, clientKey: bank.clientKey, channelID: bank.channelID,
                                          clientSecret: secret, privateKey: key.parsed)
        return (BankSecrets(clientSecret: secret, privateKeyPEM: key.pem, credentials: credentials), problems)
    }
}
