import Foundation

/// A built executable of this package, for tests that run it as an operator or systemd would.
///
/// `swift build --build-tests` and `swift test` put every product in one folder, so it sits next to
/// the test bundle. The bundle is found from `/proc/self/exe` (the running test binary, however it
/// was started), then from `argv[0]`; an environment variable named by `override` (e.g.
/// `SALURCTL=/path/to/salurctl`) comes first when set.
package enum BuiltProduct {
    package struct NotFound: Error, CustomStringConvertible {
        package let name: String
        package let looked: [String]
        package var description: String {
            "\(name) was not found (looked at \(looked.joined(separator: ", "))); run `swift build --build-tests` first"
        }
    }

    package static func path(_ name: String, override: String? = nil) throws -> String {
        var candidates: [String] = []
        if let override, let explicit = ProcessInfo.processInfo.environment[override] { candidates.append(explicit) }
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent(name).path)
        }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path)
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw NotFound(name: name, looked: candidates)
        }
        return found
    }

    /// What a finished run printed, and how it ended.
    package struct Output: CustomStringConvertible, Sendable {
        package let status: Int32
        package let stdout: String
        package let stderr: String
        package var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
    }

    /// Runs `executable arguments` in `directory` and waits for it to end. Its stdout and stderr go
    /// to files there (no pipe to fill up), removed afterwards. Its environment is the test's,
    /// less `SALUR_CONFIG`, plus `environment`.
    package static func run(_ executable: String, _ arguments: [String], in directory: String,
                            environment: [String: String] = [:]) async throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env["SALUR_CONFIG"] = nil
        env.merge(environment) { $1 }
        process.environment = env
        let id = UUID().uuidString
        let outPath = directory + "/.stdout-\(id)", errPath = directory + "/.stderr-\(id)"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
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
        return Output(status: process.terminationStatus, stdout: text(outPath), stderr: text(errPath))
    }
}
