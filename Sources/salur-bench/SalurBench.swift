import ArgumentParser
import BankSimulator
import Foundation
import SalurBank
import SalurCore

/// `salur-bench`: Salur's speed and memory figures, printed beside a baseline measured in the
/// same run. Figures, never pass/fail: the goals are printed next to them.
@main
struct SalurBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "salur-bench",
        abstract: "Benchmarks: run with `swift run -c release salur-bench <name>`.",
        subcommands: [ImportBench.self, PostBench.self, DaemonRSSBench.self, PremiumBench.self, ReconcileBench.self, PipeBench.self, QueueBench.self,
                      ExportBench.self])
}

/// Timing and memory helpers shared by the benchmarks.
enum Bench {
    /// Seconds `body` takes.
    static func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        return (result, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    static func time<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try await body()
        return (result, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// This process's peak resident set size, in MiB.
    static func peakRSSMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// A fresh folder for one run (under `base`, default the system's temporary folder).
    static func folder(_ base: String?, _ name: String) throws -> String {
        let path = (base ?? NSTemporaryDirectory()) + "/salur-bench-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs a command, returning its exit status.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func f(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

    /// The simulated bank the posting benchmarks talk to: client "bench" with `publicKeyPEM`, source
    /// account 0011999999 holding `balance`, answering in `latencyMs`.
    static func simulatorConfig(publicKeyPEM: String, latencyMs: Int, balance: Rupiah) -> BankSimulatorConfig {
        var config = BankSimulatorConfig(clientKey: "bench", clientPublicKeyPEM: publicKeyPEM, clientSecret: "bench-secret")
        config.sourceAccountNo = "0011999999"
        config.latencyMilliseconds = latencyMs
        config.sourceBalance = balance
        return config
    }

    /// A libcurl client with `options` and the SNAP client over it, signing with `privateKeyPEM`, to
    /// `simulator` (started from `simulatorConfig`), its token already fetched.
    static func snapClient(to simulator: BankSimulator, privateKeyPEM: String,
                           options: CurlClient.Options) async throws -> (CurlClient, SNAPClient) {
        let client = try CurlClient(options: options)
        let bank = SNAPClient(
            endpoint: SNAPClient.Endpoint(baseURL: simulator.baseURL, sourceAccount: "0011999999"),
            credentials: try SNAPCredentials(partnerID: "BENCH", clientKey: "bench", channelID: "95221",
                                             clientSecret: Array("bench-secret".utf8), privateKeyPEM: privateKeyPEM),
            transport: client)
        try await bank.warmUp()
        return (client, bank)
    }
}
