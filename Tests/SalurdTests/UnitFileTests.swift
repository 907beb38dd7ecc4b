import Foundation
import SalurTestSupport
import Testing

/// The files under systemd/ as systemd 252 (Debian 12) reads them, and scripts/install.sh.
@Suite("systemd unit and install script")
struct UnitFileTests {
    /// The package root, from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Runs a command to completion with stdout and stderr together.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func systemdAnalyze() throws -> String {
        let found = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first { FileManager.default.isExecutableFile(atPath: $0) }
        return try #require(found, "systemd-analyze is missing: `make test` installs it (apt-get install systemd)")
    }

    static func temporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("salur-unit-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        return String(cString: made)
    }

    /// `verify` checks that ExecStart's binary exists; the unit names the installed path
    /// (/usr/local/bin/salurd), so the test verifies a copy that differs only in that path, pointing
    /// at the salurd this build made.
    @Test("systemd-analyze verify: no complaint about the unit")
    func verify() throws {
        let analyze = try Self.systemdAnalyze()
        let unit = try String(contentsOfFile: Self.root + "/systemd/salurd.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/local/bin/salurd --config /etc/salur/salur.toml"))
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let copy = directory + "/salurd.service"
        try unit.replacingOccurrences(of: "ExecStart=/usr/local/bin/salurd", with: "ExecStart=" + (try BuiltProduct.path("salurd")))
            .write(toFile: copy, atomically: true, encoding: .utf8)
        let result = try Self.run(analyze, ["verify", copy])
        let aboutUnit = result.output.split(separator: "\n").filter { $0.contains("salurd.service") }
        #expect(result.status == 0 && aboutUnit.isEmpty, "systemd-analyze verify:\n\(result.output)")
    }

    @Test("systemd-analyze security --offline: exposure at most 2.0")
    func exposure() throws {
        let analyze = try Self.systemdAnalyze()
        let result = try Self.run(analyze, ["security", "--offline=true", "--no-pager", Self.root + "/systemd/salurd.service"])
        let line = try #require(result.output.split(separator: "\n").first { $0.contains("Overall exposure level") }, "\(result.output)")
        let score = line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }
        let value = try #require(score, "\(line)")
        #expect(value <= 2.0, "\(line)")
    }

    @Test("the unit says what the operator contract needs")
    func unitSettings() throws {
        let unit = try String(contentsOfFile: Self.root + "/systemd/salurd.service", encoding: .utf8)
        for setting in ["Type=notify", "NotifyAccess=main", "ExecReload=/bin/kill -HUP $MAINPID", "Restart=on-failure", "User=salur",
                        "StateDirectory=salur", "LoadCredential=client_secret:", "LoadCredential=private_key.pem:", "ProtectSystem=strict",
                        "ProtectHome=yes", "PrivateTmp=yes", "NoNewPrivileges=yes", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
                        "SystemCallFilter=@system-service", "CapabilityBoundingSet=\n", "UMask=0007", "StateDirectoryMode=2770", "WatchdogSec=", "TimeoutStopSec=90s"] {
            #expect(unit.contains(setting), "missing \(setting)")
        }
        // The database folder is the operators' group's too, the same whether systemd or tmpfiles makes it.
        let tmpfiles = try String(contentsOfFile: Self.root + "/systemd/salur.tmpfiles.conf", encoding: .utf8)
        #expect(tmpfiles.contains("d /var/lib/salur          2770 salur salur -"))
        // The example config's shutdown bound stays below TimeoutStopSec, and its secrets are where LoadCredential= puts them.
        let config = try String(contentsOfFile: Self.root + "/config/salur.toml", encoding: .utf8)
        #expect(config.contains("shutdown_timeout_ms = 45000"))
        #expect(config.contains("client_secret_file = \"/run/credentials/salurd.service/client_secret\""))
        #expect(config.contains("private_key_file = \"/run/credentials/salurd.service/private_key.pem\""))
    }

    @Test("install.sh into a staging root: binaries, unit, sysusers, tmpfiles, config example; an existing config is kept")
    func install() throws {
        let stage = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: stage) }
        let bin = URL(fileURLWithPath: try BuiltProduct.path("salurd")).deletingLastPathComponent().path
        let first = try Self.run("/bin/bash", [Self.root + "/scripts/install.sh"], environment: ["DESTDIR": stage, "BIN_DIR": bin])
        #expect(first.status == 0, "\(first.output)")
        for path in ["/usr/local/bin/salurd", "/usr/local/bin/salurctl", "/etc/systemd/system/salurd.service",
                     "/usr/local/lib/sysusers.d/salur.conf", "/usr/local/lib/tmpfiles.d/salur.conf", "/etc/salur/salur.toml",
                     "/usr/local/share/doc/salur/README.md", "/usr/local/share/man/man1/salurctl.1", "/usr/local/share/man/man1/salurd.1",
                     "/usr/local/share/man/man5/salur.toml.5", "/usr/local/share/doc/salur/salur-alerts.yml"] {
            #expect(FileManager.default.fileExists(atPath: stage + path), "not installed: \(path)")
        }
        #expect(FileManager.default.isExecutableFile(atPath: stage + "/usr/local/bin/salurd"))
        #expect(!FileManager.default.fileExists(atPath: stage + "/usr/local/bin/salur-banksim"), "the simulator is not for production")

        try "# the operator's own\n".write(toFile: stage + "/etc/salur/salur.toml", atomically: true, encoding: .utf8)
        let again = try Self.run("/bin/bash", [Self.root + "/scripts/install.sh"], environment: ["DESTDIR": stage, "BIN_DIR": bin])
        #expect(again.status == 0, "\(again.output)")
        #expect(try String(contentsOfFile: stage + "/etc/salur/salur.toml", encoding: .utf8) == "# the operator's own\n")
        #expect(FileManager.default.fileExists(atPath: stage + "/etc/salur/salur.toml.example"))
    }
}
