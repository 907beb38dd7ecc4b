import Foundation
import SalurTestSupport
import Testing

/// One engine per database, and `salurctl daemon status` telling an operator about it.
@Suite("one engine per database; salurctl daemon status", .serialized)
struct LockAndStatusTests {
    /// Runs `salurctl args` to completion; its exit status and stdout.
    static func salurctl(_ arguments: [String], in directory: String) async throws -> (status: Int32, stdout: String, stderr: String) {
        let out = directory + "/salurctl-\(UUID().uuidString).out"
        FileManager.default.createFile(atPath: out, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try BuiltProduct.path("salurctl"))
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["SALUR_CONFIG"] = nil
        process.environment = env
        let err = directory + "/salurctl-\(UUID().uuidString).err"
        FileManager.default.createFile(atPath: err, contents: nil)
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        process.standardOutput = handle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        try? handle.close(); try? errHandle.close()
        func text(_ path: String) -> String { String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
        return (process.terminationStatus, text(out), text(err))
    }

    @Test("a second salurd on the same database exits at once, naming the PID that holds the lock; daemon status sees the first")
    func secondEngineRefused() async throws {
        let treasury = try await Treasury.make(count: 0)
        let socket = try NotifySocket(treasury.socketPath)
        let first = try DaemonProcess(["--config", treasury.config], environment: ["NOTIFY_SOCKET": socket.address],
                                      stderr: treasury.directory + "/salurd-1.log")
        defer { first.stop(); socket.close() }
        #expect(await socket.waitFor("READY", value: "1", within: .seconds(60)) != nil, "log:\n\(first.log)")

        let second = try DaemonProcess(["--config", treasury.config], stderr: treasury.directory + "/salurd-2.log")
        defer { second.stop() }
        let status = await second.waitForExit(within: .seconds(10))
        #expect(status != nil && status != 0, "the second engine exits at once, non-zero (status \(String(describing: status)))")
        #expect(second.log.contains("held by PID \(first.pid)"), "log:\n\(second.log)")
        #expect(first.isRunning)

        let running = try await Self.salurctl(["daemon", "status", "--json", "--config", treasury.config], in: treasury.directory)
        #expect(running.status == 0, "\(running.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(running.stdout.utf8)) as? [String: Any], "\(running.stdout)")
        #expect(json["running"] as? Bool == true)
        #expect(json["pid"] as? Int == Int(first.pid))
        #expect(json["version"] as? String == "0.1.0")
        #expect((json["uptime_seconds"] as? Int).map { $0 >= 0 } == true)
        #expect((json["last_engine"] as? [String: Any])?["heartbeat_at"] is String)
        #expect(((json["queue"] as? [String: Any])?["transfers"] as? [String: Any]) != nil)
        let human = try await Self.salurctl(["daemon", "status", "--config", treasury.config], in: treasury.directory)
        #expect(human.stdout.contains("salurd: running, PID \(first.pid), version 0.1.0"), "\(human.stdout)")

        first.signal(SIGTERM)
        #expect(await first.waitForExit(within: .seconds(30)) == 0)
        let stopped = try await Self.salurctl(["daemon", "status", "--json", "--config", treasury.config], in: treasury.directory)
        let after = try #require(try JSONSerialization.jsonObject(with: Data(stopped.stdout.utf8)) as? [String: Any], "\(stopped.stdout)")
        #expect(after["running"] as? Bool == false)
        #expect((after["last_engine"] as? [String: Any])?["pid"] as? Int == Int(first.pid))
        let down = try await Self.salurctl(["daemon", "status", "--config", treasury.config], in: treasury.directory)
        #expect(down.status == 0)
        #expect(down.stdout.contains("salurd: not running"), "\(down.stdout)")

        // Once the first has gone, a new engine may start.
        let third = try DaemonProcess(["--config", treasury.config, "--exit-when-idle"], stderr: treasury.directory + "/salurd-3.log")
        defer { third.stop() }
        #expect(await third.waitForExit(within: .seconds(60)) == 0, "log:\n\(third.log)")
        await treasury.close()
    }

    @Test("daemon status on a database no engine has used yet")
    func statusBeforeAnyEngine() async throws {
        let treasury = try await Treasury.make(count: 5)
        let result = try await Self.salurctl(["daemon", "status", "--config", treasury.config], in: treasury.directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("salurd: not running"))
        #expect(result.stdout.contains("no engine has run against this database yet"))
        #expect(result.stdout.contains("approved"), "\(result.stdout)")
        #expect(!FileManager.default.fileExists(atPath: treasury.database + ".lock"), "the probe never creates the lock file")
        await treasury.close()
    }
}
