import ArgumentParser
import Foundation
import SalurCLI
import SalurCore
import SalurSQLite
import SalurStore

/// Issue figures: importing N recipients (validating every row) with the real `salurctl` (built
/// next to this binary, run as a child process: its time and peak RSS) against `sqlite3 .import`
/// of the same CSV into a plain table on the same disk; the opening requests exported with the real
/// `salurctl accounts export-requests` (its time and peak RSS) beside the same file built whole in
/// memory in a child process of its own (up to 1,000,000 recipients); the bank's opening results applied with the real
/// `salurctl accounts import-results` (its time and peak RSS); and `accounts status` at that size.
struct ImportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Recipients import vs sqlite3 .import, its peak RSS, and accounts status, at 1,000,000 recipients.")

    @Option(help: "How many recipients (default 1,000,000; 10000000 runs the national figure).") var count: Int?
    @Option(help: "How many recipients (the same as --count).") var recipients: Int?
    @Option(help: "Folder for the files (default: the temporary folder); use the disk the database will live on.") var dir: String?
    @Option(help: "The sqlite3 shell.") var sqlite3 = "/usr/bin/sqlite3"
    @Option(help: .hidden) var wholeInMemory: String?
    @Option(help: .hidden) var output: String?
    /// Writes the recipients file only, to profile the import by hand.
    @Option(help: .hidden) var writeRecipients: String?

    /// The goals of issue 16.
    static let goalRatio = 2.0
    static let goalRSSMiB = 256.0

    func run() async throws {
        if let wholeInMemory, let output { return try Self.wholeRequests(database: wholeInMemory, output: output) }
        let recipients = count ?? self.recipients ?? 1_000_000
        guard recipients > 0 else { throw ValidationError("--count must be above zero") }
        if let writeRecipients { _ = try Self.writeRecipients(recipients, to: writeRecipients); return }
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
        do {
            // The bank's answers for every recipient, applied as an operator applies them: the
            // requests exported, then `salurctl accounts import-results` on the file.
            var data = DemoData(recipients: recipients, opened: recipients * 857 / 1000, seed: 1)
            let resultsPath = folder + "/results.csv"
            guard FileManager.default.createFile(atPath: resultsPath, contents: Data(data.resultsCSV())) else {
                throw ValidationError("cannot write \(resultsPath)")
            }
            // The requests exported as an operator exports them, after the same file built whole
            // in memory (the store's transaction then rolled back, so both export the same recipients).
            let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            let requestsPath = folder + "/requests.csv", wholePath = folder + "/requests-whole.csv"
            // Above 1,000,000 the baseline is not run: it holds every request and the whole file.
            let whole = recipients > 1_000_000 ? nil
                : try Bench.childThroughTime(exe, ["import", "--whole-in-memory", database, "--output", wholePath],
                                             peakFile: folder + "/whole.peak")
            if let whole, whole.status != 0 { throw ValidationError("the whole-in-memory export of requests exited \(whole.status)") }
            let exported = try Bench.childThroughTime(salurctl, ["accounts", "export-requests", "-o", requestsPath, "--config", config],
                                                      peakFile: folder + "/export-requests.peak")
            guard exported.status == 0 else { throw ValidationError("salurctl accounts export-requests exited \(exported.status)") }
            let size = (try? FileManager.default.attributesOfItem(atPath: requestsPath)[.size] as? Int) ?? 0
            print("salurctl accounts export-requests (\(recipients) rows, \(Bench.f(Double(size) / 1_048_576, 1)) MiB): "
                  + "\(Bench.f(exported.seconds)) s, peak RSS \(Bench.f(exported.peakMiB, 0)) MiB")
            if let whole {
                let same = FileManager.default.contentsEqual(atPath: requestsPath, andPath: wholePath) ? "same bytes" : "BYTES DIFFER"
                print("  baseline, every request and the whole file in memory then written: \(Bench.f(whole.seconds)) s, "
                      + "peak RSS \(Bench.f(whole.peakMiB, 0)) MiB (\(same)); RSS / baseline \(Bench.f(exported.peakMiB / whole.peakMiB))")
            } else {
                print("  baseline (every request and the whole file in memory) not run above 1,000,000 recipients")
            }
            try? FileManager.default.removeItem(atPath: requestsPath)
            try? FileManager.default.removeItem(atPath: wholePath)
            let applied = try Bench.childThroughTime(salurctl, ["accounts", "import-results", resultsPath, "--config", config],
                                                     peakFile: folder + "/import-results.peak")
            guard applied.status == 0 else { throw ValidationError("salurctl accounts import-results exited \(applied.status)") }
            print("salurctl accounts import-results: \(Bench.f(applied.seconds)) s, peak RSS \(Bench.f(applied.peakMiB, 0)) MiB "
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

    /// The request file as it was built before it streamed: every request read, the whole file's
    /// bytes in memory, written at once, then hashed; the store's transaction is then rolled back,
    /// so the recipients stay `not_requested`.
    static func wholeRequests(database: String, output: String) throws {
        struct RollBack: Error {}
        let ledger = try SQLiteLedger(path: database)
        do {
            _ = try ledger.exportOpeningRequests(actor: "bench") { requests in
                var writer = CSVWriter()
                writer.write(["nik", "name", "district", "phone"])
                for r in requests { writer.write([.numeral(r.nik), .text(r.name), .text(r.district), .numeral(r.phone)]) }
                try Output.writeAtomically(writer.output, to: output)
                _ = AuditChain.sha256Hex(writer.output)
                throw RollBack()
            }
        } catch is RollBack {}
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

    /// Runs `executable` through /usr/bin/time, which forks: a child spawned straight from a large
    /// process starts its peak RSS at that process's (posix_spawn shares its memory until exec).
    /// The peak is the one /usr/bin/time writes to `peakFile`.
    static func childThroughTime(_ executable: String, _ arguments: [String], peakFile: String) throws -> ChildRun {
        let run = try child("/usr/bin/time", ["-f", "%M", "-o", peakFile, executable] + arguments, quiet: true)
        let peakKiB = Double((try? String(contentsOfFile: peakFile, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        return ChildRun(status: run.status, seconds: run.seconds, peakMiB: peakKiB / 1024)
    }
}
