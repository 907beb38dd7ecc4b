import Foundation
import Logging
import PostgresNIO
package import SalurPostgres

/// Scratch PostgreSQL databases for tests, on the throw-away cluster that
/// `scripts/pg-test-cluster.sh` starts (`make test` runs the suite under it).
///
/// `SALUR_TEST_POSTGRES_URL` names the cluster's admin database and
/// `SALUR_TEST_POSTGRES_PASSWORD_FILE` its password; without them the PostgreSQL cases are
/// disabled (a bare `swift test`), unless `SALUR_REQUIRE_POSTGRES=1`, when they fail instead.
package enum PostgresScratch {
    package static var adminURL: String? { ProcessInfo.processInfo.environment["SALUR_TEST_POSTGRES_URL"] }
    package static var passwordFile: String? { ProcessInfo.processInfo.environment["SALUR_TEST_POSTGRES_PASSWORD_FILE"] }

    /// Whether PostgreSQL cases run: a cluster is there, or one is required (and its absence fails them).
    package static var isEnabled: Bool {
        adminURL != nil || ProcessInfo.processInfo.environment["SALUR_REQUIRE_POSTGRES"] == "1"
    }

    package struct Missing: Error, CustomStringConvertible {
        package var description: String {
            "SALUR_TEST_POSTGRES_URL is not set: run the suite with `make test` (scripts/pg-test-cluster.sh starts a cluster)"
        }
    }

    /// Creates an empty database of its own and returns its URL (with the cluster's password file).
    package static func freshDatabase(prefix: String = "t", adminURL: String? = PostgresScratch.adminURL,
                                      passwordFile: String? = PostgresScratch.passwordFile) async throws -> (url: String, passwordFile: String?) {
        guard let adminURL else { throw Missing() }
        let admin = try PostgresTarget(url: adminURL, passwordFile: passwordFile)
        let name = "salur_\(prefix)_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        var configuration = PostgresClient.Configuration(host: admin.host, port: admin.port, username: admin.user,
                                                         password: admin.password, database: admin.database, tls: .disable)
        configuration.options.maximumConnections = 1
        let client = PostgresClient(configuration: configuration, backgroundLogger: Logger(label: "salur.test.postgres"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        }
        var components = URLComponents(string: adminURL)!
        components.path = "/" + name
        return (components.string!, passwordFile)
    }

    /// A fresh database's target.
    package static func freshTarget(prefix: String = "t") async throws -> PostgresTarget {
        let (url, file) = try await freshDatabase(prefix: prefix)
        return try PostgresTarget(url: url, passwordFile: file)
    }
}
