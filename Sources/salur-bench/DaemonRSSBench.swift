import ArgumentParser
import BankSimulator
import Foundation
import SalurBank
import SalurCLI
import SalurCore
import SalurSQLite
import SalurStore

/// Issue figure: the daemon's peak resident memory with N transfers queued, while it posts them
/// to a simulator answering in 20 ms. Runs the real `salurd` (built next to this binary).
struct DaemonRSSBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon-rss", abstract: "salurd's peak RSS with 1,000,000 transfers queued, while posting.")

    @Option(help: "How many transfers queued.") var transfers = 1_000_000
    @Option(help: "How long salurd posts before it is stopped, seconds.") var seconds = 30
    @Option(help: "Folder for the database (default: the temporary folder).") var dir: String?

    func run() async throws {
        let folder = try Bench.folder(dir, "rss")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let salurd = (CommandLine.arguments[0] as NSString).deletingLastPathComponent + "/salurd"
        guard FileManager.default.isExecutableFile(atPath: salurd) else {
            throw ValidationError("salurd not found at \(salurd): build it in the same configuration (swift build -c release)")
        }
        let ledger = try SQLiteLedger(path: folder + "/state/salur.sqlite")
        let (_, recipients) = try Bench.time { try DemoTreasury.seedRecipients(ledger, count: transfers, seed: 9) }
        let rules = BatchingRules(maxItems: 1_000, maxAmount: Rupiah(1_000_000_000), approvalRequired: true)
        let (_, queue) = try Bench.time {
            _ = try ledger.enqueueProgram(program: "BANSOS-NT", period: Period("2026-11")!, amount: Rupiah(300_000),
                                          remark: "BANSOS-NT 2026-11", actor: "maker", rules: rules)
            _ = try ledger.approve(ids: [], all: true, actor: "checker", distinctApprover: true)
        }
        print("set-up: \(transfers) recipients imported and opened in \(Bench.f(recipients)) s; "
              + "\(transfers) transfers queued and approved in \(Bench.f(queue)) s (goal ≤ 6 s; salur-bench queue compares it)")

        let keys = try SNAPKeys.generate()
        try FileManager.default.createDirectory(atPath: folder + "/secrets", withIntermediateDirectories: true)
        for (name, text) in [("private_key.pem", keys.privatePEM), ("client_secret", "bench-secret\n")] {
            FileManager.default.createFile(atPath: folder + "/secrets/" + name, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        }
        let simulator = try await BankSimulator.start(Bench.simulatorConfig(
            publicKeyPEM: keys.publicPEM, latencyMs: 20, balance: Rupiah(Int64(transfers) * 300_000 + 1)))
        try """
        [database]
        path = "state/salur.sqlite"
        [bank]
        base_url = "http://127.0.0.1:\(simulator.port)"
        partner_id = "BENCH"
        client_key = "bench"
        client_secret_file = "secrets/client_secret"
        private_key_file = "secrets/private_key.pem"
        source_account = "0011999999"
        max_in_flight = 64
        [batching]
        max_items = 1000
        max_amount = 1000000000
        [engine]
        chunk_size = 256
        [log]
        level = "warning"
        """.write(toFile: folder + "/salur.toml", atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: salurd)
        process.arguments = ["--config", folder + "/salur.toml"]
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let pid = process.processIdentifier
        let started = Date()
        var peak = 0
        while Date().timeIntervalSince(started) < Double(seconds), process.isRunning {
            peak = max(peak, Self.kibibytes("VmHWM", pid: pid))
            try await Task.sleep(for: .milliseconds(250))
        }
        peak = max(peak, Self.kibibytes("VmHWM", pid: pid))
        kill(pid, SIGTERM)
        process.waitUntilExit()
        let settled = try await ledger.queueStatus().transfers["settled"]?.count ?? 0
        print("salurd posted \(settled) of \(transfers) in \(seconds) s; peak RSS (VmHWM) \(peak / 1024) MiB (goal ≤ 100 MB); exit \(process.terminationStatus)")
        try await simulator.shutdown()
    }

    /// A `/proc/PID/status` field in KiB.
    static func kibibytes(_ field: String, pid: Int32) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
        }
        return 0
    }
}
