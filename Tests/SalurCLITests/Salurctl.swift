import Foundation
import GRDB
import SalurTestSupport
import Testing

/// Runs the built `salurctl` executable (next to the test bundle, or `$SALURCTL`), as an operator
/// or a script would.
enum Salurctl {
    typealias Result = BuiltProduct.Output

    /// Runs `salurctl arguments` in `directory` and waits for it to end; stdout and stderr go to
    /// files there (no pipe to fill up), `SALUR_CONFIG` only if `environment` sets it.
    static func run(_ arguments: [String], in directory: TemporaryDirectory, environment: [String: String] = [:]) async throws -> Result {
        try await BuiltProduct.run(BuiltProduct.path("salurctl", override: "SALURCTL"), arguments, in: directory.path,
                                   environment: environment)
    }
}

/// A fresh folder under the system temporary directory; the test removes it with `defer { dir.remove() }`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("salur-cli-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        path = String(cString: made)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: file(name), atomically: true, encoding: .utf8)
    }

    func read(_ name: String) -> String? {
        FileManager.default.contents(atPath: file(name)).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// A workspace: a config naming `state/salur.db` next to it.
struct Workspace {
    let dir: TemporaryDirectory
    var config: String { dir.file("salur.toml") }
    var database: String { dir.file("state/salur.db") }

    init(busyTimeoutMs: Int = 5_000) throws {
        dir = try TemporaryDirectory()
        try dir.write("salur.toml", "[database]\npath = \"state/salur.db\"\nbusy_timeout_ms = \(busyTimeoutMs)\n")
    }

    /// `salurctl <command…> --config salur.toml <rest…>`.
    func run(_ command: [String], _ rest: [String] = []) async throws -> Salurctl.Result {
        try await Salurctl.run(command + ["--config", config] + rest, in: dir)
    }

    /// Every row of every table, read over a connection of our own.
    func dump() throws -> [String] {
        try DatabaseQueue(path: database).read { db in
            try ["recipient ORDER BY id", "audit_log ORDER BY seq"].flatMap { table in
                try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map { "\(table.prefix { $0 != " " }): \($0.description)" }
            }
        }
    }

    func sql(_ statement: String) throws {
        try DatabaseQueue(path: database).write { try $0.execute(sql: statement) }
    }
}
