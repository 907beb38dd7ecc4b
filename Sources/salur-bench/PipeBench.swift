import ArgumentParser
import BankSimulator
import Foundation
import Logging
import SalurBank
import SalurCLI
import SalurConfig
import SalurCore
import SalurEngine
import SalurSQLite
import SalurStore

/// Issue figure: how much of the bank's allowed concurrency the engine keeps busy at a real bank's
/// latency. N newly opened accounts are paid — each account checked (SNAP 15) before its first
/// transfer (17) — through a simulator answering in `--latency-ms`, with the configuration's
/// defaults (`bank.max_in_flight` 8, `engine.chunk_size` 256). The bank counts the time it held
/// each request; used = that time / (max_in_flight × elapsed). The baseline is the limit itself:
/// max_in_flight / latency requests per second.
struct PipeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipe", abstract: "Share of the bank's concurrency the engine keeps busy at ~200 ms answers.")

    @Option(help: "How many recipients are paid (one account check and one transfer each).") var transfers = 1_000
    @Option(help: "Simulator latency per answer, ms.") var latencyMs = 200
    @Option(help: "Requests in flight (bank.max_in_flight).") var maxInFlight = 8
    @Option(help: "Folder for the database (default: the temporary folder).") var dir: String?
    @Flag(help: "A new month: every account was checked the month before, so each is checked again before its payment.")
    var recheck = false
    @Option(help: "Percent of transfers the bank answers 'pending' (each then settled by a status inquiry, SNAP 36).")
    var pendingRate = 0
    @Flag(help: "Run the real salurd (built beside this binary) instead of the engine in this process.")
    var daemon = false

    func run() async throws {
        let folder = try Bench.folder(dir, "pipe")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let keys = try SNAPKeys.generate()
        var simConfig = Bench.simulatorConfig(publicKeyPEM: keys.publicPEM, latencyMs: latencyMs,
                                              balance: Rupiah(Int64(transfers) * 300_000 + 1))
        simConfig.faults = FaultRates(pending: pendingRate)
        simConfig.seed = 5
        let simulator = try await BankSimulator.start(simConfig)
        var options = CurlClient.Options()
        options.maxInFlight = maxInFlight
        let (client, bank) = try await Bench.snapClient(to: simulator, privateKeyPEM: keys.privatePEM, options: options)

        // The configuration's defaults, as an installed salurd would run.
        let configText = """
            [database]
            path = "salur.sqlite"
            [bank]
            base_url = "\(simulator.baseURL)"
            partner_id = "BENCH"
            client_key = "bench"
            client_secret_file = "client_secret"
            private_key_file = "private_key.pem"
            source_account = "0011999999"
            max_in_flight = \(maxInFlight)
            [log]
            level = "warning"
            """
        let configuration = try SalurConfiguration.parse(text: configText, file: "bench.toml")
        var settings = EngineSettings(configuration)
        settings.batching = BatchingRules(maxItems: 1_000, maxAmount: Rupiah(1_000_000_000), approvalRequired: true)
        let ledger = try SQLiteLedger(path: folder + "/salur.sqlite")
        try DemoTreasury.seed(ledger, count: transfers, seed: 5, rules: settings.batching)
        if recheck {
            // Checked ten days before the period paid (2026-11) began: every payment waits for a check.
            let status = try Bench.run("/usr/bin/sqlite3", [folder + "/salur.sqlite", """
                UPDATE recipient SET account_check = 'active', account_checked_at = '2026-10-22T00:00:00.000Z' WHERE opening_state = 'opened'
                """])
            guard status == 0 else { throw ValidationError("sqlite3 could not mark the accounts checked (exit \(status))") }
        }
        await simulator.reset()

        let elapsed: Double
        let busy: BankConcurrency, stats: BankStats
        if daemon {
            (elapsed, busy, stats) = try await runDaemon(folder: folder, configText: configText, privateKeyPEM: keys.privatePEM,
                                                         ledger: ledger, simulator: simulator)
        } else {
            var logger = Logger(label: "bench")
            logger.logLevel = .error
            let engine = Engine(ledger: ledger, bank: bank, settings: settings, logger: logger)
            (_, elapsed) = try await Bench.time { try await engine.run(exitWhenIdle: true) }
            (busy, stats) = (await simulator.concurrency(), await simulator.stats())
        }
        let settled = try await ledger.queueStatus().transfers["settled"]?.count ?? 0
        let limit = Double(maxInFlight) * 1000 / Double(latencyMs)
        let used = busy.requestSeconds / (Double(maxInFlight) * elapsed)
        let perService = stats.requests.filter { $0.value > 0 }.sorted { $0.key.code < $1.key.code }
            .map { "\($0.key.code)=\($0.value)" }.joined(separator: " ")
        print((daemon ? "salurd: " : "engine: ") + (recheck ? "a new month: every account checked again before its payment" : "first payments to newly opened accounts")
              + (pendingRate > 0 ? "; \(pendingRate) % answered pending, settled by status inquiry" : ""))
        print("\(settled) of \(transfers) settled in \(Bench.f(elapsed)) s; bank requests \(busy.requests) (\(perService)), "
              + "\(Bench.f(Double(busy.requests) / elapsed, 1)) requests/s vs the limit \(Bench.f(limit, 1))/s "
              + "(\(maxInFlight) in flight, \(latencyMs) ms)")
        print("bank concurrency used: \(Bench.f(used * 100, 1)) % (goal ≥ 95 %); at most \(busy.peak) at once")
        client.shutdown()
        try await simulator.shutdown()
    }

    /// Runs salurd on the prepared database until every transfer is settled; returns the seconds from its
    /// start and what the bank counted until then (salurd goes on checking accounts no transfer waits for).
    func runDaemon(folder: String, configText: String, privateKeyPEM: String, ledger: SQLiteLedger,
                   simulator: BankSimulator) async throws -> (Double, BankConcurrency, BankStats) {
        let salurd = (CommandLine.arguments[0] as NSString).deletingLastPathComponent + "/salurd"
        guard FileManager.default.isExecutableFile(atPath: salurd) else {
            throw ValidationError("salurd not found at \(salurd): build it in the same configuration")
        }
        for (name, text) in [("private_key.pem", privateKeyPEM), ("client_secret", "bench-secret\n")] {
            FileManager.default.createFile(atPath: folder + "/" + name, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        }
        try configText.write(toFile: folder + "/salur.toml", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: salurd)
        process.arguments = ["--config", folder + "/salur.toml"]
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        let ((busy, stats), elapsed) = try await Bench.time {
            try process.run()
            while process.isRunning {
                if let settled = try? await ledger.queueStatus().transfers["settled"]?.count, settled >= transfers { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            return (await simulator.concurrency(), await simulator.stats())
        }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        return (elapsed, busy, stats)
    }
}
