import Foundation
import Testing

/// A reload refuses what start-up refuses (StartupCheck), and keeps the config it had: here an
/// emptied client secret and a CA file that is not there, both logged with their key.
@Suite("salurd refuses a reload that start-up would refuse")
struct ReloadStartupCheckTests {
    @Test("an emptied client secret and a missing ca_file: reload refused, each problem logged, the engine goes on")
    func refused() async throws {
        let treasury = try await Treasury.make(count: 0)
        let socket = try NotifySocket(treasury.socketPath)
        let daemon = try DaemonProcess(["--config", treasury.config], environment: ["NOTIFY_SOCKET": socket.address],
                                       stderr: treasury.directory + "/salurd.log")
        defer { daemon.stop(); socket.close() }
        #expect(await socket.waitFor("READY", value: "1", within: .seconds(60)) != nil, "log:\n\(daemon.log)")

        try Treasury.write("", to: treasury.secretFile, mode: 0o600)
        var text = try String(contentsOfFile: treasury.config, encoding: .utf8)
        text = text.replacingOccurrences(of: "[bank]\n", with: "[bank]\nca_file = \"absent-ca.pem\"\n")
        try Treasury.write(text, to: treasury.config, mode: 0o600)
        daemon.signal(SIGHUP)
        #expect(await daemon.waitForLog("config reload refused; the previous config stays in force", within: .seconds(20)), "log:\n\(daemon.log)")
        let errors = daemon.lines("config error")
        #expect(errors.contains { $0.contains("key=bank.client_secret_file") && $0.contains("the client secret file is empty") }, "\(errors)")
        #expect(errors.contains { $0.contains("key=bank.ca_file") && $0.contains("No such file or directory") }, "\(errors)")
        #expect(daemon.isRunning)

        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(within: .seconds(30)) == 0)
        await treasury.close()
    }
}
