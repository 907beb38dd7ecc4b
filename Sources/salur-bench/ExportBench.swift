import ArgumentParser
import Foundation
import SalurCLI
import SalurCore
import SalurReports
import SalurSQLite
import SalurStore

/// Issue figures: `salurctl export reconciliation` of N queued transfers (one per recipient, set up
/// as `salur-bench queue` does) as CSV and as an Excel workbook, run as a child process (its time
/// and peak RSS), beside the same export built whole in memory — every row read, the whole table,
/// the whole file's bytes, then written — in a child process of its own in the same run.
struct ExportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "export reconciliation of 1,000,000 transfers (CSV, xlsx): time and peak RSS beside the whole table in memory.")

    @Option(help: "How many transfers (one per recipient).") var transfers = 1_000_000
    @Option(help: "Folder for the database and the files (default: the temporary folder).") var dir: String?
    @Option(help: "Formats to export, comma-separated: csv, xlsx.") var formats = "csv,xlsx"
    @Option(help: .hidden) var setUp: String?
    @Option(help: .hidden) var wholeInMemory: String?
    @Option(help: .hidden) var format = "csv"
    @Option(help: .hidden) var output: String?

    func run() async throws {
        if let wholeInMemory, let output { return try Self.wholeInMemory(database: wholeInMemory, format: format, output: output) }
        if let setUp { return try await Self.setUp(database: setUp, transfers: transfers) }
        let salurctl = (CommandLine.arguments[0] as NSString).deletingLastPathComponent + "/salurctl"
        guard FileManager.default.isExecutableFile(atPath: salurctl) else {
            throw ValidationError("salurctl not found at \(salurctl): build it in the same configuration (swift build -c release --product salurctl)")
        }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let folder = try Bench.folder(dir, "export")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = folder + "/salur/salur.sqlite"
        // Set up in a child process: the children's peak RSS (`wait4`) starts from this process's own
        // when it spawns them, so this process stays small.
        let setup = try Bench.child(exe, ["export", "--set-up", database, "--transfers", String(transfers)])
        guard setup.status == 0 else { throw CLIBenchError("the set-up exited \(setup.status)") }
        print("set-up (import and open \(transfers) recipients, queue and approve a transfer each): \(Bench.f(setup.seconds)) s")
        let config = folder + "/salur.toml"
        try "[database]\npath = \"\(database)\"\n".write(toFile: config, atomically: true, encoding: .utf8)

        for format in formats.split(separator: ",").map(String.init) {
            let streamedPath = folder + "/recon.\(format)", wholePath = folder + "/whole.\(format)"
            let streamed = try Bench.child(salurctl, ["export", "reconciliation", "--format", format, "-o", streamedPath, "--config", config])
            guard streamed.status == 0 else { throw CLIBenchError("salurctl export reconciliation --format \(format) exited \(streamed.status)") }
            let whole = try Bench.child(exe, ["export", "--whole-in-memory", database, "--format", format, "--output", wholePath])
            guard whole.status == 0 else { throw CLIBenchError("the whole-in-memory export (\(format)) exited \(whole.status)") }
            let size = (try? FileManager.default.attributesOfItem(atPath: streamedPath)[.size] as? Int) ?? 0
            let same = format == "csv" ? (FileManager.default.contentsEqual(atPath: streamedPath, andPath: wholePath) ? "same bytes" : "BYTES DIFFER")
                : "cells as written"
            print("salurctl export reconciliation --format \(format) (\(transfers) rows, \(Bench.f(Double(size) / 1_048_576, 1)) MiB): "
                  + "\(Bench.f(streamed.seconds)) s, peak RSS \(Bench.f(streamed.peakMiB, 0)) MiB")
            print("  baseline, the whole table in memory then written: \(Bench.f(whole.seconds)) s, peak RSS \(Bench.f(whole.peakMiB, 0)) MiB "
                  + "(\(same)); time / baseline \(Bench.f(streamed.seconds / whole.seconds)), RSS / baseline \(Bench.f(streamed.peakMiB / whole.peakMiB))")
            try? FileManager.default.removeItem(atPath: streamedPath)
            try? FileManager.default.removeItem(atPath: wholePath)
        }
        print("this process's peak RSS \(Bench.f(Bench.peakRSSMiB(), 0)) MiB")
    }

    /// `transfers` recipients imported and opened, a transfer queued and approved for each.
    static func setUp(database: String, transfers: Int) async throws {
        let ledger = try SQLiteLedger(path: database)
        try DemoTreasury.seedRecipients(ledger, count: transfers, seed: 9)
        _ = try await ledger.enqueueProgram(program: "BANSOS-NT", period: Period("2026-11")!, amount: Rupiah(300_000),
                                            remark: "BANSOS-NT 2026-11", actor: "maker", rules: QueueBench.rules)
        _ = try await ledger.approve(ids: [], all: true, actor: "checker", distinctApprover: true)
    }

    /// The export as it was built before it streamed: every transfer read, the whole table and the
    /// whole file's bytes in memory, written at once, then hashed.
    static func wholeInMemory(database: String, format: String, output: String) throws {
        let ledger = try SQLiteLedger(path: database)
        let records = try ledger.reconciledTransfers(from: nil, to: nil)
        let table = ReconciliationExport.table(records)
        let bytes = format == "xlsx"
            ? try Workbook([.init("Summary", ReconciliationExport.summary(records)), .init("Transfers", table)]).xlsx()
            : table.csv(excel: false)
        try Output.writeAtomically(bytes, to: output)
        _ = AuditChain.sha256Hex(bytes)
    }
}
