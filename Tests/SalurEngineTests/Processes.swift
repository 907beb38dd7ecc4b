import Foundation

struct ProcessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A child process whose output goes to files, killed when the test is done with it.
final class Child: @unchecked Sendable {  // Foundation.Process is not Sendable; only the test's task touches it.
    let process = Process()
    let stdoutPath: String
    let stderrPath: String

    init(_ executable: String, _ arguments: [String], logs: String, environment: [String: String] = [:]) throws {
        stdoutPath = logs + ".out"
        stderrPath = logs + ".err"
        FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        env["NOTIFY_SOCKET"] = nil
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits for `condition`, polling every few milliseconds, until `seconds` pass.
    static func poll(seconds: Double, _ what: String, _ condition: () throws -> Bool) async throws {
        // A monotonic deadline: a wall clock that steps cannot cut the wait short or stretch it.
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while try !condition() {
            if ContinuousClock.now > deadline { throw ProcessError("timed out after \(seconds) s waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    func kill(_ signal: Int32 = SIGKILL) {
        if process.isRunning { Foundation.kill(process.processIdentifier, signal) }
    }

    /// Waits for the process to end (polling, bounded) and returns its status.
    func wait(seconds: Double) async throws -> Int32 {
        try await Child.poll(seconds: seconds, "process \(process.processIdentifier) to exit") { !process.isRunning }
        return process.terminationStatus
    }

    deinit { kill() }
}
