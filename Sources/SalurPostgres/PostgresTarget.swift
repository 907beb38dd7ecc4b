import Foundation

/// Where a PostgreSQL store lives, parsed from `[database] url`:
/// `postgres://USER@HOST[:PORT]/DATABASE[?sslmode=disable|require|verify-full&sslrootcert=FILE]`.
///
/// The password comes from `[database] password_file` (or systemd's credential of that name);
/// a password written into the URL is accepted but never shown — `description` always hides it.
/// TLS: `verify-full` (certificate and host name checked) is the default and the only mode for a
/// host that is not loopback; `disable` is allowed on loopback only (a throw-away test cluster).
package struct PostgresTarget: Sendable, Equatable, CustomStringConvertible {
    package enum TLSMode: String, Sendable {
        case disable, require, verifyFull = "verify-full"
    }

    package var host: String
    package var port: Int
    package var user: String
    package var database: String
    package var password: String?
    package var tls: TLSMode
    /// A CA bundle (PEM) to trust instead of the system's.
    package var rootCertificate: String?

    package struct Invalid: Error, CustomStringConvertible {
        package let description: String
    }

    /// Parses `url`; `passwordFile`, when given, is read for the password (trailing new line dropped).
    package init(url: String, passwordFile: String? = nil) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
              scheme == "postgres" || scheme == "postgresql" else {
            throw Invalid(description: "[database] url: not a postgres:// URL")
        }
        guard let host = components.host, !host.isEmpty else { throw Invalid(description: "[database] url: no host") }
        guard let user = components.user, !user.isEmpty else { throw Invalid(description: "[database] url: no user (postgres://USER@HOST/DB)") }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !database.isEmpty else { throw Invalid(description: "[database] url: no database name (postgres://USER@HOST/DB)") }
        self.host = host
        self.port = components.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        self.database = database
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        let loopback = Self.isLoopback(host)
        var mode: TLSMode = loopback ? .disable : .verifyFull
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                switch item.value ?? "" {
                case "disable": mode = .disable
                case "require": mode = .require
                case "verify-full", "verify-ca": mode = .verifyFull
                case let other: throw Invalid(description: "[database] url: sslmode=\(other) is not one of disable, require, verify-full")
                }
            case "sslrootcert": rootCertificate = item.value
            default: throw Invalid(description: "[database] url: unknown parameter \(item.name) (allowed: sslmode, sslrootcert)")
            }
        }
        if !loopback, mode != .verifyFull {
            throw Invalid(description: "[database] url: \(host) is not a loopback host; its connection must be TLS with the server's certificate verified (sslmode=verify-full)")
        }
        tls = mode
        if let passwordFile {
            do {
                let text = try String(contentsOfFile: passwordFile, encoding: .utf8)
                password = text.trimmingCharacters(in: .newlines)
            } catch {
                throw Invalid(description: "[database] password_file \(passwordFile): cannot read it (\(error.localizedDescription))")
            }
        }
    }

    /// The URL without its password, for logs and messages.
    package var description: String {
        "postgres://\(user)@\(host):\(port)/\(database)" + (tls == .disable ? "" : "?sslmode=\(tls.rawValue)")
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
