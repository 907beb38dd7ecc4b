import ArgumentParser
import Foundation
import SalurCLI
import SalurCore
import SalurPostgres
import SalurSQLite
import SalurStore
import SalurTestSupport

/// Issue figures: queueing and approving N transfers (one per recipient, batches of 1,000, the
/// checker not the maker) through the stores' own `transfers queue` and `batches approve` paths,
/// beside the floor of writing as many rows with one plain `INSERT … SELECT` in the same database;
/// and `queue status` and `batches list` at that size.
struct QueueBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "Queue and approve 1,000,000 transfers; queue status and batches list at that size.")

    @Option(help: "How many transfers (one per recipient).") var transfers = 1_000_000
    @Option(help: "Folder for the database (default: the temporary folder).") var dir: String?
    @Option(help: "The sqlite3 shell.") var sqlite3 = "/usr/bin/sqlite3"
    @Option(help: "Which store: sqlite, postgres, or both.") var store = "sqlite"
    @Option(help: "PostgreSQL: an admin database URL on a loopback cluster (default: $SALUR_TEST_POSTGRES_URL).") var postgresUrl: String?
    @Option(help: "PostgreSQL: its password file (default: $SALUR_TEST_POSTGRES_PASSWORD_FILE).") var passwordFile: String?

    func validate() throws {
        guard ["sqlite", "postgres", "both"].contains(store) else { throw ValidationError("--store must be sqlite, postgres or both") }
    }

    static let rules = BatchingRules(maxItems: 1_000, maxAmount: Rupiah(1_000_000_000), approvalRequired: true)

    func run() async throws {
        let folder = try Bench.folder(dir, "queue")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        if store != "postgres" {
            let ledger = try SQLiteLedger(path: folder + "/salur/salur.sqlite")
            let (_, setup) = try Bench.time { try DemoTreasury.seedRecipients(ledger, count: transfers, seed: 9) }
            print("SQLite set-up (import and open \(transfers) recipients): \(Bench.f(setup)) s")
            let (_, floor) = try Bench.time {
                try Bench.run(sqlite3, [ledger.path, "PRAGMA synchronous=FULL;", """
                    CREATE TABLE plain_transfer AS SELECT id, nik, name, account_no, program, 300000 AS amount, created_at FROM recipient;
                    """])
            }
            try await measure(label: "SQLite", ledger: ledger, floor: floor)
        }
        if store != "sqlite" {
            guard let admin = postgresUrl ?? PostgresScratch.adminURL else {
                throw ValidationError("--store postgres needs --postgres-url or $SALUR_TEST_POSTGRES_URL (e.g. under scripts/pg-test-cluster.sh run --)")
            }
            let (url, file) = try await PostgresScratch.freshDatabase(prefix: "benchq", adminURL: admin,
                                                                      passwordFile: passwordFile ?? PostgresScratch.passwordFile)
            let ledger = try await PostgresLedger(target: try PostgresTarget(url: url, passwordFile: file))
            let (_, setup) = try await Bench.time { try await DemoTreasury.seedRecipients(store: ledger, count: transfers, seed: 9) }
            print("PostgreSQL set-up (import and open \(transfers) recipients): \(Bench.f(setup)) s")
            let (_, floor) = try await Bench.time {
                try await ledger.withConnection("bench") { connection in
                    _ = try await ledger.execute(connection, """
                        CREATE TABLE plain_transfer AS SELECT id, nik, name, account_no, program, 300000 AS amount, created_at FROM recipient
                        """)
                }
            }
            try await measure(label: "PostgreSQL", ledger: ledger, floor: floor)
            ledger.shutdown()
        }
        print("peak RSS of this process: \(Bench.f(Bench.peakRSSMiB(), 0)) MiB")
    }

    func measure(label: String, ledger: any Ledger & TransferLedger & EngineLedger, floor: Double) async throws {
        print("\(label) floor: one INSERT … SELECT of \(transfers) rows: \(Bench.f(floor)) s")
        let (summary, queue) = try await Bench.time {
            try await ledger.enqueueProgram(program: "BANSOS-NT", period: Period("2026-11")!, amount: Rupiah(300_000),
                                            remark: "BANSOS-NT 2026-11", actor: "maker", rules: Self.rules)
        }
        let (approved, approve) = try await Bench.time {
            try await ledger.approve(ids: [], all: true, actor: "checker", distinctApprover: true)
        }
        print("\(label) transfers queue: \(summary.queued) transfers in \(summary.batches.count) batches, \(Bench.f(queue)) s; "
              + "batches approve --all: \(approved.count) batches, \(Bench.f(approve)) s")
        print("\(label) queue and approve: \(Bench.f(queue + approve)) s (goal ≤ 6 s); / floor: \(Bench.f((queue + approve) / floor))")
        let timings = try await Self.statusTimings(ledger)
        let (batches, list) = try await Bench.time { try await ledger.batches(state: nil, id: nil) }
        print("\(label) queue status at \(transfers): median \(Bench.f(timings[3] * 1000, 1)) ms over 7 runs (goal < 100 ms); "
              + "batches list (\(batches.count) batches): \(Bench.f(list * 1000, 1)) ms")
    }

    /// Seven `queue status` readings, sorted: the median is the fourth.
    static func statusTimings(_ ledger: any Ledger & TransferLedger & EngineLedger) async throws -> [Double] {
        var timings: [Double] = []
        for _ in 0..<7 { timings.append(try await Bench.time { try await ledger.queueStatus() }.1) }
        return timings.sorted()
    }
}
