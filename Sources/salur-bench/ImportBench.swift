import ArgumentParser
import Foundation
import SalurCLI
import SalurCore
import SalurSQLite
import SalurStore

/// Issue figures: importing N recipients (validating every row) with the real `salurctl` (built
/// next to this binary, run as a child process: its time and peak RSS) against `sqlite3 .import`
/// of the same CSV into a plain table on the same disk; the bank's opening results applied with the
/// real `salurctl accounts import-results` (its time and peak RSS); and `accounts status` at that size.
struct ImportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Recipients import vs sqlite3 .import, its peak RSS, and accounts status, at 1,000,000 recipients.")

    @Option(help: "How many recipients (default 1,000,000; 10000000 runs the national figure).") var count: Int?
    @Option(help: "How many recipients (the same as --count).") var recipients: Int?
    @Option(help: "Folder for the files (default: the temporary folder); use the disk the database will live on.") var dir: String?
    @Option(help: "The sqlite3 shell.") var sqlite3 = "/usr/bin/sqlite3"

    /// The goals of issue 16.
    static let goalRatio = 2.0
    static let goalRSSMiB = 256.0

    func run() async throws {
        let recipients = count ?? self.recipients ?? 1_000_000
        guard recipients > 0 else { throw ValidationError("--count must be above zero") }
        let salurctl = (CommandLine.arguments[0] as NSString).deletingLastPathComponent + "/salurctl"
        guard FileManager.default.isExecutableFile(atPath: salurctl) else {
            throw ValidationError("salurctl not found at \(salurctl): build it in the same configuration (swift build -c release)")
        }
        let folder = try Bench.folder(dir, "import")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let csvPath = folder + "/recipients.csv"
        let (size, generate) = try Bench.time { try Self.writeRecipients(recipients, to: csvPath) }
        print("generated \(recipients) recipients (\(size / 1_048_576) MiB) in \(Bench.f(generate)) s")

        // Baseline: the sqlite3 shell importing the same file into a plain table, WAL + synchronous FULL like Salur.
        let plain = folder + "/plain.sqlite"
        let baseline = try Bench.child(sqlite3, [plain, "PRAGMA journal_mode=WAL;", "PRAGMA synchronous=FULL;",
                                                 ".import --csv \(csvPath) recipient"])
        guard baseline.status == 0 else { throw ValidationError("sqlite3 exited \(baseline.status)") }
        try? FileManager.default.removeItem(atPath: plain)
        print("sqlite3 .import:            \(Bench.f(baseline.seconds)) s, peak RSS \(Bench.f(baseline.peakMiB, 0)) MiB")

        // The import as an operator runs it: `salurctl recipients import`, reading the file,
        // checking every row, storing them.
        let database = folder + "/salur/salur.sqlite"
        let config = folder + "/salur.toml"
        try "[database]\npath = \"\(database)\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let imported = try Bench.child(salurctl, ["recipients", "import", csvPath, "--config", config], quiet: true)
        guard imported.status == 0 else { throw ValidationError("salurctl recipients import exited \(imported.status)") }
        print("salurctl recipients import: \(Bench.f(imported.seconds)) s, peak RSS \(Bench.f(imported.peakMiB, 0)) MiB "
              + "(goal ≤ \(Bench.f(Self.goalRSSMiB, 0)) MiB; was 1,094 MiB at 1,000,000)")
        print("ratio import / sqlite3:     \(Bench.f(imported.seconds / baseline.seconds)) (goal ≤ \(Bench.f(Self.goalRatio)); was 2.86)")
        let (_, checkOnly) = try Bench.time {
            let file = try RecipientFile.Reading(path: csvPath, file: csvPath)
            while file.nextPart() != nil {}
            try file.finish()
        }
        print("  (of which reading and checking the file alone takes \(Bench.f(checkOnly)) s; it overlaps the storing)")

        let ledger = try SQLiteLedger(path: database)
        if recipients <= 1_000_000 {
            // The bank's answers for every recipient, applied as an operator applies them: the
            // requests exported in the store, then `salurctl accounts import-results` on the file.
            var data = DemoData(recipients: recipients, opened: recipients * 857 / 1000, seed: 1)
            let resultsPath = folder + "/results.csv"
            guard FileManager.default.createFile(atPath: resultsPath, contents: Data(data.resultsCSV())) else {
                throw ValidationError("cannot write \(resultsPath)")
            }
            let (_, export) = try Bench.time { try ledger.exportOpeningRequests(actor: "bench") { _ in "-" } }
            // Through /usr/bin/time, which forks: a child spawned straight from this process starts
            // its peak RSS at this process's (posix_spawn shares its memory until exec).
            let peakFile = folder + "/import-results.peak"
            let applied = try Bench.child("/usr/bin/time", ["-f", "%M", "-o", peakFile, salurctl, "accounts", "import-results", resultsPath,
                                                            "--config", config], quiet: true)
            guard applied.status == 0 else { throw ValidationError("salurctl accounts import-results exited \(applied.status)") }
            let peakKiB = Double((try? String(contentsOfFile: peakFile, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
            print("accounts export-requests (store part): \(Bench.f(export)) s")
            print("salurctl accounts import-results: \(Bench.f(applied.seconds)) s, peak RSS \(Bench.f(peakKiB / 1024, 0)) MiB "
                  + "(goal ≤ \(Bench.f(Self.goalRSSMiB, 0)) MiB)")
        }
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
        print("this process's peak RSS \(Bench.f(Bench.peakRSSMiB(), 0)) MiB")
    }

    /// Writes the demo recipients file of `count` rows, a megabyte at a time; returns its size in bytes.
    static func writeRecipients(_ count: Int, to path: String) throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw ValidationError("cannot write \(path)")
        }
        defer { try? handle.close() }
        // Rows like the demo's (its NIKs, districts and programme, so that its results file
        // answers them), generated a slice at a time so that ten million never sit in memory at once.
        let names = ["Yohanes Ndun", "Maria Bunga", "Petrus Lay", "Theresia Mooy", "Agustinus Tefa", "Yosefina Manafe"]
        var random = SplitMix64(seed: 1)
        var out: [UInt8] = Array("nik,name,program,district,phone\n".utf8)
        var size = 0
        for index in 0..<count {
            out.append(contentsOf: DemoData.nik(index, female: index % 2 == 1).utf8)
            out.append(contentsOf: ",\(names[Int(random.next() % UInt64(names.count))]),BANSOS-NT,".utf8)
            out.append(contentsOf: DemoData.districts[index % DemoData.districts.count].name.utf8)
            out.append(contentsOf: ",0812\(37_000_000 + Int(random.next() % 9_000_000))\n".utf8)
            if out.count >= 1 << 20 || index == count - 1 {
                try handle.write(contentsOf: out)
                size += out.count
                out.removeAll(keepingCapacity: true)
            }
        }
        return size
    }
}

extension Bench {
    /// What a child process took: its exit status, wall time and peak resident set size.
    struct ChildRun {
        let status: Int32
        let seconds: Double
        let peakMiB: Double
    }

    /// Runs `executable` as a child and waits for it with `wait4`, which gives that child's own
    /// peak RSS (`ru_maxrss`). `quiet` sends its standard output to /dev/null.
    static func child(_ executable: String, _ arguments: [String], quiet: Bool = false) throws -> ChildRun {
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if quiet { posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw ValidationError("cannot run \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw ValidationError("waiting for \(executable): \(String(cString: strerror(errno)))") }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        // WIFEXITED / WEXITSTATUS, spelled out (the C macros do not import).
        let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return ChildRun(status: exit, seconds: seconds, peakMiB: Double(usage.ru_maxrss) / 1024)
    }
}
