import ArgumentParser
import Foundation
import SalurCLI
import SalurCore
import SalurSQLite
import SalurStore

/// Issue figures: importing N recipients (validating every row) against `sqlite3 .import` of the
/// same CSV into a plain table on the same disk, and `accounts status` at that size.
struct ImportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Recipients import vs sqlite3 .import, and accounts status, at 1,000,000 recipients.")

    @Option(help: "How many recipients.") var recipients = 1_000_000
    @Option(help: "Folder for the files (default: the temporary folder); use the disk the database will live on.") var dir: String?
    @Option(help: "The sqlite3 shell.") var sqlite3 = "/usr/bin/sqlite3"

    func run() async throws {
        let folder = try Bench.folder(dir, "import")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var data = DemoData(recipients: recipients, opened: recipients * 857 / 1000, seed: 1)
        let csvPath = folder + "/recipients.csv"
        let (csv, generate) = Bench.time { data.recipientsCSV() }
        _ = FileManager.default.createFile(atPath: csvPath, contents: Data(csv))
        print("generated \(recipients) recipients (\(csv.count / 1_048_576) MiB) in \(Bench.f(generate)) s")

        // Baseline: the sqlite3 shell importing the same file into a plain table, WAL + synchronous FULL like Salur.
        let plain = folder + "/plain.sqlite"
        let (_, baseline) = try Bench.time {
            try Bench.run(sqlite3, [plain, "PRAGMA journal_mode=WAL;", "PRAGMA synchronous=FULL;",
                                    ".import --csv \(csvPath) recipient"])
        }
        print("sqlite3 .import:           \(Bench.f(baseline)) s")

        // The import as an operator runs it: `salurctl recipients import` (this process runs the
        // command's own code), reading the file, checking every row, storing them.
        let database = folder + "/salur/salur.sqlite"
        let config = folder + "/salur.toml"
        try "[database]\npath = \"\(database)\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let (code, total) = await Bench.time { await Salurctl.main(arguments: ["recipients", "import", csvPath, "--config", config]) }
        guard code == 0 else { throw ValidationError("salurctl recipients import exited \(code)") }
        print("salurctl recipients import: \(Bench.f(total)) s")
        print("ratio import / sqlite3:     \(Bench.f(total / baseline)) (goal ≤ 3.00)")
        let (_, checkOnly) = try Bench.time { try RecipientFile.parse(bytes: csv, file: csvPath) }
        print("  (of which reading and checking the file alone takes \(Bench.f(checkOnly)) s; it overlaps the storing)")

        let ledger = try SQLiteLedger(path: database)
        let results = try OpeningResultFile.parse(bytes: data.resultsCSV(), file: "results.csv")
        let (_, export) = try Bench.time { try ledger.exportOpeningRequests(actor: "bench") { _ in "-" } }
        let (_, apply) = try Bench.time {
            try ledger.applyOpeningResults(results, source: SourceFile(path: "results.csv", sha256: "-"), actor: "bench")
        }
        print("accounts export-requests (store part): \(Bench.f(export)) s; import-results (store part): \(Bench.f(apply)) s")
        var timings: [Double] = []
        var status = OpeningStatus(group: nil)
        for _ in 0..<7 {
            let (s, t) = try Bench.time { try ledger.openingStatus(by: nil) }
            status = s[0]
            timings.append(t)
        }
        timings.sort()
        let (_, byDistrict) = try Bench.time { try ledger.openingStatus(by: .district) }
        print("accounts status at \(status.total): median \(Bench.f(timings[3] * 1000, 1)) ms over 7 runs (goal < 100 ms); "
              + "--by district \(Bench.f(byDistrict * 1000, 1)) ms; opened \(status.opened), rejected \(status.rejected)")
        print("peak RSS \(Bench.f(Bench.peakRSSMiB(), 0)) MiB")
    }
}
