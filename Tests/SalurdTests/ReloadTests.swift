import BankSimulator
import Foundation
import Testing

/// SIGHUP: a valid file takes effect and the log says what changed; an invalid one is logged line by
/// line and the daemon goes on with the config it had.
@Suite("salurd reloads its config on SIGHUP", .serialized)
struct ReloadTests {
    /// The 1-based line of the first line of `text` containing `needle`.
    static func line(of needle: String, in text: String) -> Int? {
        text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(needle) }.map { $0 + 1 }
    }

    @Test("valid change applied (the log names it and the new level shows); invalid file refused with each error's line; database.path change refused")
    func reload() async throws {
        var settings = Treasury.Settings()
        settings.logLevel = "info"
        let treasury = try await Treasury.make(count: 0, settings: settings)
        let socket = try NotifySocket(treasury.socketPath)
        let daemon = try DaemonProcess(["--config", treasury.config], environment: ["NOTIFY_SOCKET": socket.address],
                                       stderr: treasury.directory + "/salurd.log")
        defer { daemon.stop(); socket.close() }
        #expect(await socket.waitFor("READY", value: "1", within: .seconds(60)) != nil, "log:\n\(daemon.log)")
        #expect(!daemon.log.contains("level=debug"), "info level at start")

        // 1. Valid: log level and retry.max_attempts change.
        settings.logLevel = "debug"
        settings.retryMaxAttempts = 9
        try treasury.writeConfig(settings)
        var mark = socket.messages.count
        daemon.signal(SIGHUP)
        #expect(await daemon.waitForLog("changed=retry.max_attempts,log.level", within: .seconds(20)), "log:\n\(daemon.log)")
        #expect(await daemon.waitForLog("level=debug msg=\"settings in force\"", within: .seconds(10)), "the new level is in force")
        #expect(daemon.lines("settings in force").first?.contains("retry.max_attempts=9") == true)
        let reloading = await socket.waitFor("RELOADING", value: "1", from: mark, within: .seconds(10))
        #expect(reloading != nil)
        #expect(await socket.waitFor("READY", value: "1", from: (reloading?.index ?? mark) + 1, within: .seconds(10)) != nil)

        // 2. Invalid: out of range, unknown key — every error logged with its line; nothing applied.
        var broken = settings
        broken.retryMaxAttempts = 0
        try treasury.writeConfig(broken)
        var text = try String(contentsOfFile: treasury.config, encoding: .utf8)
        text = text.replacingOccurrences(of: "[engine]\n", with: "[engine]\nmystery = 1\n")
        try Treasury.write(text, to: treasury.config, mode: 0o600)
        let attemptsLine = try #require(Self.line(of: "max_attempts = 0", in: text))
        let mysteryLine = try #require(Self.line(of: "mystery = 1", in: text))
        mark = socket.messages.count
        daemon.signal(SIGHUP)
        #expect(await daemon.waitForLog("config reload refused; the previous config stays in force", within: .seconds(20)), "log:\n\(daemon.log)")
        let errors = daemon.lines("config error")
        #expect(errors.contains { $0.contains("key=retry.max_attempts") && $0.contains("line=\(attemptsLine)") && $0.contains("allowed 1…100") },
                "\(errors)")
        #expect(errors.contains { $0.contains("key=engine.mystery") && $0.contains("line=\(mysteryLine)") && $0.contains("unknown key") }, "\(errors)")
        #expect(daemon.isRunning)
        let refused = await socket.waitFor("RELOADING", value: "1", from: mark, within: .seconds(10))
        #expect(await socket.waitFor("READY", value: "1", from: (refused?.index ?? mark) + 1, within: .seconds(10)) != nil,
                "READY=1 after a refused reload too")

        // 3. The valid file again: nothing changed, so the refused one left the applied config in force.
        try treasury.writeConfig(settings)
        daemon.signal(SIGHUP)
        #expect(await daemon.waitForLog("config reloaded; nothing changed", within: .seconds(20)), "log:\n\(daemon.log)")

        // 4. Another database: refused.
        var moved = settings
        moved.databasePath = "elsewhere/salur.sqlite"
        try treasury.writeConfig(moved)
        daemon.signal(SIGHUP)
        #expect(await daemon.waitForLog("config reload refused: database.path changed", within: .seconds(20)), "log:\n\(daemon.log)")
        #expect(!FileManager.default.fileExists(atPath: treasury.directory + "/elsewhere"))
        #expect(daemon.isRunning)

        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(within: .seconds(30)) == 0)
        await treasury.close()
    }

    @Test("a reload changing [bank] limits builds a new bank client; work goes on and is paid exactly once")
    func bankLimitsReloadWhilePosting() async throws {
        var settings = Treasury.Settings()
        settings.maxInFlight = 4
        let treasury = try await Treasury.make(count: 1_000, latencyMs: 20, settings: settings)
        let daemon = try DaemonProcess(["--config", treasury.config, "--exit-when-idle"], stderr: treasury.directory + "/salurd.log")
        defer { daemon.stop() }
        #expect(try await ShutdownTests.eventually(within: .seconds(120)) { await treasury.simulator.ledger().count >= 100 },
                "log:\n\(daemon.log.suffix(2000))")
        settings.maxInFlight = 32
        settings.requestTimeoutMs = 11_000
        try treasury.writeConfig(settings)
        daemon.signal(SIGHUP)
        #expect(await daemon.waitForLog("changed=bank.max_in_flight,bank.request_timeout_ms", within: .seconds(20)), "log:\n\(daemon.log.suffix(2000))")
        #expect(await daemon.waitForExit(within: .seconds(180)) == 0, "log:\n\(daemon.log.suffix(2000))")
        let problems = try await treasury.exactlyOnceProblems()
        #expect(problems.isEmpty, "\(problems)")
        // Inquiries' X-EXTERNAL-IDs come from the database's counter, before and after the reload alike.
        let received = await treasury.simulator.receivedExternalIDs()
        #expect(Set(received.map(\.externalID)).count == received.count, "an X-EXTERNAL-ID was sent twice")
        let inquiries = received.filter { $0.service != .transferIntrabank && $0.service != .transferInterbank }
        #expect(!inquiries.isEmpty && inquiries.allSatisfy { $0.externalID.count == 24 }, "\(inquiries.prefix(5))")
        await treasury.close()
    }

    @Test("a reload pointing the engine at another bank endpoint is refused while transfers are in flight or in doubt")
    func endpointChangeRefusedWhileUnresolved() async throws {
        var settings = Treasury.Settings()
        settings.maxInFlight = 4
        let treasury = try await Treasury.make(count: 1_000, latencyMs: 20, settings: settings)
        let daemon = try DaemonProcess(["--config", treasury.config, "--exit-when-idle"], stderr: treasury.directory + "/salurd.log")
        defer { daemon.stop() }
        #expect(try await ShutdownTests.eventually(within: .seconds(120)) { await treasury.simulator.ledger().count >= 100 },
                "log:\n\(daemon.log.suffix(2000))")
        // Same file, another endpoint (a port nobody listens on).
        let text = try String(contentsOfFile: treasury.config, encoding: .utf8)
        let moved = text.replacingOccurrences(of: "base_url = \"http://127.0.0.1:", with: "base_url = \"http://127.0.0.1:1")
        #expect(moved != text)
        try moved.write(toFile: treasury.config, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(await daemon.waitForLog("the bank's endpoint or account changed while transfers are in flight or in doubt", within: .seconds(20)),
                "log:\n\(daemon.log.suffix(2000))")
        // The old endpoint stays in force: the work finishes there, each transfer paid once.
        #expect(await daemon.waitForExit(within: .seconds(180)) == 0, "log:\n\(daemon.log.suffix(2000))")
        let problems = try await treasury.exactlyOnceProblems()
        #expect(problems.isEmpty, "\(problems)")
        await treasury.close()
    }
}
