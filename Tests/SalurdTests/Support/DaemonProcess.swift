import Foundation
import SalurTestSupport
import Testing

/// A `salurd` (or `salurctl`) child process with its stderr in a file. The test that starts one
/// ends it with `stop()` in a `defer`, whatever happened.
final class DaemonProcess: Sendable {
    let process: Process
    let stderrPath: String
    let startedAt: ContinuousClock.Instant

    /// Starts `product arguments` with the test's environment less anything systemd may have set,
    /// plus `environment`.
    init(_ arguments: [String], product: String = "salurd", environment: [String: String] = [:], stderr: String) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: try BuiltProduct.path(product))
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "CREDENTIALS_DIRECTORY", "SALUR_CONFIG", "SALURD_TEST_STALL_AFTER_PASSES"] {
            env[key] = nil
        }
        env.merge(environment) { $1 }
        process.environment = env
        stderrPath = stderr
        FileManager.default.createFile(atPath: stderr, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: stderr))
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = handle
        startedAt = .now
        try process.run()
        try? handle.close()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    func signal(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits until the process has exited; its exit status, or nil if it still runs at the deadline.
    func waitForExit(within timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus
    }

    /// Everything it wrote to stderr so far.
    var log: String {
        String(decoding: FileManager.default.contents(atPath: stderrPath) ?? Data(), as: UTF8.self)
    }

    /// Log lines whose `msg` is `message`.
    func lines(_ message: String) -> [String] {
        log.split(separator: "\n").map(String.init).filter { $0.contains("msg=\"\(message)\"") || $0.contains("msg=\(message) ") }
    }

    /// Waits for a log line containing `text`.
    func waitForLog(_ text: String, within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !log.contains(text) {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Kills it if it still runs and reaps it.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
