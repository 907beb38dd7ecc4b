import Foundation
import GRDB
import Testing

/// Runs the built `salurctl` executable, as an operator or a script would.
///
/// Finding it: `swift build --build-tests` and `swift test` put every product of the package in one
/// folder, so `salurctl` sits next to the test bundle. The bundle is found from `/proc/self/exe`
/// (the running test binary, whatever `argv[0]` says or however it was started), then from
/// `CommandLine.arguments[0]`; `SALURCTL=/path/to/salurctl` overrides both.
enum Salurctl {
    struct Result: CustomStringConvertible {
        let status: Int32
        let stdout: String
        let stderr: String
        var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
    }

    enum LocateError: Error, CustomStringConvertible {
        case notFound([String])
        var description: String {
            "salurctl was not found (looked at \(self.paths.joined(separator: ", "))); run `swift build --build-tests` first, or set SALURCTL"
        }
        var paths: [String] { if case .notFound(let p) = self { p } else { [] } }
    }

    static func executable() throws -> URL {
        var candidates: [String] = []
        if let explicit = ProcessInfo.processInfo.environment["SALURCTL"] { candidates.append(explicit) }
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("salurctl").path)
        }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("salurctl").path)
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw LocateError.notFound(candidates)
        }
        return URL(fileURLWithPath: found)
    }

    /// Runs `salurctl arguments` in `directory` and waits for it to end; stdout and stderr go to
    /// files there (no pipe to fill up), `SALUR_CONFIG` only if `environment` sets it.
    static func run(_ arguments: [String], in directory: TemporaryDirectory, environment: [String: String] = [:]) async throws -> Result {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
        var env = ProcessInfo.processInfo.environment
        env["SALUR_CONFIG"] = nil
        env.merge(environment) { $1 }
        process.environment = env
        let id = UUID().uuidString
        let outPath = directory.file(".stdout-\(id)"), errPath = directory.file(".stderr-\(id)")
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer {
            try? out.close(); try? err.close()
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        func text(_ path: String) -> String { String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
        return Result(status: process.terminationStatus, stdout: text(outPath), stderr: text(errPath))
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
