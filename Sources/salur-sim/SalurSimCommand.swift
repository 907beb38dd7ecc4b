import ArgumentParser
import Foundation
import SalurSim

/// `salur-sim`: runs Salur's engine under deterministic simulation, seed after seed.
@main
struct SalurSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "salur-sim",
        abstract: "Run the posting engine under deterministic simulation and check that no one is paid twice or lost.",
        discussion: """
            Each seed draws a treasury, a bank with faults, a network with delays and losses, engine settings, and \
            crashes, freezes and restores of the engine; the real engine, SNAP client, SQLite store and simulated \
            bank then run on simulated time, and the invariants are checked after every step. A failing seed prints \
            its trace; run it again with --seed to see the same run, step for step. Exit 0: every seed held; 1: a \
            seed broke an invariant (with --expect-violation: none did); 64: usage.
            """)

    @Option(help: "How many seeds to run, from --first.")
    var seeds: Int = 100

    @Option(help: "The first seed.")
    var first: UInt64 = 1

    @Option(help: "Run this one seed only.")
    var seed: UInt64?

    @Option(help: "Run the seeds in this many processes at once (seed k of every N in each), e.g. one per core for a long run.")
    var jobs: Int = 1

    @Option(help: .hidden)
    var stride: UInt64 = 1

    @Option(help: "Scheduler steps per seed at most.")
    var steps: Int = 400_000

    @Option(help: "Break one rule on purpose (\(Mutation.allCases.map(\.rawValue).joined(separator: ", "))): the run must find it.")
    var mutation: String?

    @Flag(help: "With --mutation: succeed when a seed breaks an invariant (the simulator found the broken rule), fail when none does.")
    var expectViolation = false

    @Flag(help: "Print every trace line as it happens.")
    var trace = false

    @Option(help: "Trace lines a failing seed prints.")
    var traceLines: Int = 60

    @Option(help: "A folder for the runs' database files (default: a new one under the temporary folder).")
    var scratch: String?

    mutating func validate() throws {
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1") }
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
        guard jobs >= 1, stride >= 1 else { throw ValidationError("--jobs must be at least 1") }
        if jobs > 1, seed != nil || trace { throw ValidationError("--jobs goes with --seeds, not with --seed or --trace") }
        if let mutation, Mutation(rawValue: mutation) == nil {
            throw ValidationError("--mutation must be one of \(Mutation.allCases.map(\.rawValue).joined(separator: ", ")), got \(mutation)")
        }
        if expectViolation, mutation == nil { throw ValidationError("--expect-violation goes with --mutation") }
    }

    mutating func run() throws {
        DeterministicHashing.ensure()
        if jobs > 1 { return try runInProcesses() }
        // Memory-backed when the machine has it: every commit is fsynced, and a run makes thousands.
        let base = FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm/" : NSTemporaryDirectory()
        let folder = scratch ?? (base + "salur-sim-\(getpid())")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if scratch == nil { try? FileManager.default.removeItem(atPath: folder) } }
        var options = SimOptions(scratch: folder)
        options.maxSteps = steps
        options.mutation = mutation.flatMap(Mutation.init(rawValue:))
        options.echo = trace
        options.traceLines = traceLines

        let list: [UInt64] = seed.map { [$0] } ?? (0..<UInt64(seeds)).map { first + $0 * stride }
        let started = ContinuousClock.now
        var totals = (settled: 0, failed: 0, working: 0, crashes: 0, freezes: 0, restores: 0, requests: 0, steps: 0)
        var found: SimResult?
        var ran = 0
        for seed in list {
            let result = try SimRun(seed: seed, options: options).run()
            ran += 1
            totals.settled += result.settled
            totals.failed += result.failed
            totals.working += result.working
            totals.crashes += result.crashes
            totals.freezes += result.freezes
            totals.restores += result.restores
            totals.requests += result.bankRequests
            totals.steps += result.steps
            if result.violation != nil {
                found = result
                break
            }
            if self.seed != nil { print(result.scenario) }
            if ran % 1_000 == 0, ran < list.count {
                let seconds = Self.seconds(since: started)
                print("\(ran) seeds so far, \(String(format: "%.1f", Double(ran) / max(seconds, 0.001))) seeds/s, none broke an invariant")
                fflush(nil)   // a long run's progress shows as it happens, in a log file too
            }
        }
        let seconds = Self.seconds(since: started)
        print("""
            \(ran) seeds in \(String(format: "%.1f", seconds)) s (\(String(format: "%.1f", Double(ran) / max(seconds, 0.001))) seeds/s): \
            \(totals.settled) transfers settled, \(totals.failed) failed, \(totals.working) still being worked on; \
            \(totals.requests) bank requests, \(totals.crashes) crashes, \(totals.freezes) freezes, \(totals.restores) restores, \
            \(totals.steps) steps\(options.mutation.map { "; mutation \($0.rawValue)" } ?? "")
            """)
        if let found {
            print("seed \(found.seed) broke an invariant: \(found.violation!)")
            print("scenario: \(found.scenario)")
            print("trace (last lines):")
            for line in found.trace { print("  \(line)") }
            print("reproduce: salur-sim --seed \(found.seed)\(options.mutation.map { " --mutation \($0.rawValue)" } ?? "")")
            if !expectViolation { throw ExitCode(1) }
        } else if expectViolation {
            print("no seed broke an invariant: the simulator did not find the broken rule")
            throw ExitCode(1)
        }
    }
}

extension SalurSimCommand {
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// `--jobs N`: N copies of this program, copy k running seeds first+k, first+k+N, …; their lines
    /// go to this one's output as they come, and it fails if any copy does.
    func runInProcesses() throws {
        let started = ContinuousClock.now
        var children: [Process] = []
        for k in 0..<jobs where k < seeds {
            let count = (seeds - k + jobs - 1) / jobs
            var arguments = ["--seeds", "\(count)", "--first", "\(first + UInt64(k))", "--stride", "\(UInt64(jobs))",
                             "--steps", "\(steps)", "--trace-lines", "\(traceLines)"]
            if let mutation { arguments += ["--mutation", mutation] }
            if expectViolation { arguments.append("--expect-violation") }
            if let scratch { arguments += ["--scratch", scratch + "/job-\(k)"] }
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
            child.arguments = arguments
            try child.run()
            children.append(child)
        }
        var failed = 0
        for child in children {
            child.waitUntilExit()
            if child.terminationStatus != 0 { failed += 1 }
        }
        let seconds = Self.seconds(since: started)
        print("\(seeds) seeds in \(jobs) processes in \(String(format: "%.1f", seconds)) s (\(String(format: "%.1f", Double(seeds) / max(seconds, 0.001))) seeds/s); \(failed) of them failed")
        if failed > 0 { throw ExitCode(1) }
    }
}

/// Swift seeds its hash function per process, so a dictionary's order differs from run to run; a
/// seed must replay exactly, so salur-sim runs with `SWIFT_DETERMINISTIC_HASHING` set, starting itself
/// again with it when it is not.
enum DeterministicHashing {
    static func ensure() {
        guard getenv("SWIFT_DETERMINISTIC_HASHING") == nil else { return }
        setenv("SWIFT_DETERMINISTIC_HASHING", "1", 1)
        let arguments = CommandLine.arguments
        var argv = arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &argv)
        // execv returned: carry on without it (a run is then repeatable only within the process).
        FileHandle.standardError.write(Data("salur-sim: could not restart with SWIFT_DETERMINISTIC_HASHING set; runs may not replay exactly\n".utf8))
    }
}
