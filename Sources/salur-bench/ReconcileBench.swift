import ArgumentParser
import Foundation
import SalurCLI
import SalurCore
import SalurPostgres
import SalurReports
import SalurSetup
import SalurStatements
import SalurSQLite
import SalurStore
import SalurTestSupport

/// Issue figures: `salurctl reconcile` of one statement of N entries (MT940, or with `--format` the same
/// statement in camt.053 or as a bank's CSV) against N settled transfers — parse, balance check,
/// store, match, record — with its peak RSS beside the file read and parsed whole; then the same file
/// again (nothing changes) beside the same file read and matched anew; and `reconcile status --period`.
struct ReconcileBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile", abstract: "Reconcile a statement of 1,000,000 entries against 1,000,000 transfers.")

    @Option(help: "Transfers, and entries on the statement.") var count = 1_000_000
    @Option(help: "The statement file's format: mt940, camt053 or csv.") var format = "mt940"
    @Option(help: "Folder for the files (default: the temporary folder).") var dir: String?
    @Option(help: "The sqlite3 shell, used to seed the transfers.") var sqlite3 = "/usr/bin/sqlite3"
    @Option(help: "Also copy the reconciled database into PostgreSQL (salurctl db copy) and read the status there: sqlite or both.")
    var store = "sqlite"
    @Option(help: "PostgreSQL: an admin database URL on a loopback cluster (default: $SALUR_TEST_POSTGRES_URL).") var postgresUrl: String?
    @Option(help: "PostgreSQL: its password file (default: $SALUR_TEST_POSTGRES_PASSWORD_FILE).") var passwordFile: String?
    @Option(help: .hidden) var writeStatement: String?
    @Option(help: .hidden) var salurctlPeak: String?
    @Option(help: .hidden) var wholeFilePeak: String?
    @Argument(help: .hidden) var salurctl: [String] = []

    func run() async throws {
        let format = StatementFormat(rawValue: self.format) ?? .mt940
        if let writeStatement { return try Self.writeStatement(to: writeStatement, count: count, format: format) }
        if let salurctlPeak {
            let code = await Salurctl.main(arguments: salurctl)
            try Bench.f(Bench.peakRSSMiB(), 1).write(toFile: salurctlPeak, atomically: true, encoding: .utf8)
            throw ExitCode(code)
        }
        if let wholeFilePeak, salurctl.count == 2 {
            let run = try Self.wholeFile(database: salurctl[0], statement: salurctl[1], format: format, count: count)
            try Bench.f(Bench.peakRSSMiB(), 1).write(toFile: wholeFilePeak, atomically: true, encoding: .utf8)
            print(String(decoding: try JSONEncoder().encode([["run": run]]), as: UTF8.self))
            return
        }
        let folder = try Bench.folder(dir, "reconcile")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = folder + "/salur/salur.sqlite"
        _ = try SQLiteLedger(path: database) // creates the schema

        // Settled transfers, seeded by SQL: amounts vary so a weak match must find the right one.
        let (_, seed) = try Bench.time {
            let status = try Bench.run(sqlite3, [database, """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(count))
                INSERT INTO transfer (id, partner_reference_no, dedupe_key, kind, beneficiary_name, beneficiary_account, program, period,
                    amount, state, attempts, external_id, bank_reference_no, enqueued_by, created_at, updated_at, settled_at)
                SELECT i, printf('SLR%012d', i), 'bench:' || i, 'intrabank', 'NASABAH ' || i, printf('%010d', 7000000000 + i),
                    'BANSOS-NT', '2026-11', 300000 + (i % 7) * 50000, 'settled', 1, printf('%d', 100000000 + i),
                    printf('20261123%010d', i), 'bench', '2026-11-23T01:00:00.000Z', '2026-11-23T02:00:00.000Z',
                    '2026-11-23T02:00:00.000Z'
                FROM n;
                """])
            guard status == 0 else { throw CLIBenchError("sqlite3 failed seeding transfers (exit \(status))") }
        }
        print("seeded \(count) settled transfers in \(Bench.f(seed)) s")

        // The bank's statement, written by a child process so that its memory is not counted here.
        let path = folder + "/statement." + (format == .mt940 ? "sta" : format == .camt053 ? "xml" : "csv")
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let (_, generate) = try Bench.time {
            let status = try Bench.run(exe, ["reconcile", "--count", String(count), "--format", format.rawValue, "--write-statement", path])
            guard status == 0 else { throw CLIBenchError("writing the statement failed (exit \(status))") }
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print("generated a \(format.rawValue) statement of \(count) entries (\(size / 1_048_576) MiB) in \(Bench.f(generate)) s")

        // `salurctl reconcile FILE` as an operator runs it, in a child process of its own so that its
        // peak RSS is its own.
        let config = folder + "/salur.toml"
        let csvTable = format != .csv ? "" : """

            [reconciliation.csv]
            date = "date"
            date_format = "yyyy-MM-dd"
            amount = "amount"
            bank_reference = "bank_reference"
            customer_reference = "customer_reference"
            description = "description"
            account_no_column = "account"

            """
        try "[database]\npath = \"\(database)\"\n\(csvTable)".write(toFile: config, atomically: true, encoding: .utf8)
        let balances = Self.balances(count: count)
        let salurctl = ["reconcile", path, "--config", config, "--as-of", "2026-11-30", "--json"]
            + (format != .csv ? [] : ["--format", "csv", "--opening-balance", String(balances.opening),
                                      "--closing-balance", String(balances.closing)])
        // Baseline, in this run: the file read whole and parsed whole before it is stored and
        // matched (`StatementFile(bytes:)`, as salurctl read every statement file before), into a
        // copy of the same database.
        let baselineDatabase = folder + "/baseline.sqlite"
        try FileManager.default.copyItem(atPath: database, toPath: baselineDatabase)
        let (whole, wholeTime) = try Bench.time {
            try Self.child(exe, ["reconcile", "--count", String(count), "--format", format.rawValue,
                                 "--whole-file-peak", folder + "/salurctl.peak", "--", baselineDatabase, path], folder: folder,
                           direct: true)
        }
        try? FileManager.default.removeItem(atPath: baselineDatabase)
        let (first, firstTime) = try Bench.time { try Self.child(exe, salurctl, folder: folder) }
        print("salurctl reconcile, \(format.rawValue) (\(count) entries × \(count) transfers): \(Bench.f(firstTime)) s (goal ≤ 12 s), "
              + "peak RSS \(Bench.f(first.peakMiB, 0)) MiB (goal ≤ 512 MiB)")
        print("  baseline, the file read and parsed whole (same run): \(Bench.f(wholeTime)) s, peak RSS \(Bench.f(whole.peakMiB, 0)) MiB; "
              + "same figures: \(whole.run == first.run)")
        print("  " + first.summary)
        let (again, againTime) = try Bench.time { try Self.child(exe, salurctl, folder: folder) }
        print("same file again: \(Bench.f(againTime)) s (goal ≤ 1 s), peak RSS \(Bench.f(again.peakMiB, 0)) MiB")
        print("  " + again.summary)

        // Baseline for the same file again, in this run: reading the file and matching everything anew.
        let ledger = try SQLiteLedger(path: database)
        let today = CalendarDate("2026-11-30")!
        let (full, fullTimings) = try reconcile(path, format: format, ledger: ledger, today: today)
        print("  baseline, the same file read and matched anew: \(Bench.f(fullTimings.total)) s (read+parse+balance check+hash "
              + "\(Bench.f(fullTimings.parse)) s, read+match+record \(Bench.f(fullTimings.store)) s of which match \(Bench.f(fullTimings.match)) s); matches changed \(full.matchesChanged), "
              + "same figures: \(full.matchedByReference == again.run.matchedByReference && full.matchedWeakly == again.run.matchedWeakly)")

        /// `reconcile status --period 2026-11` seven times: its answer and the median time.
        func november() throws -> (status: ReconciliationStatus, median: Double) {
            var timings: [Double] = []
            var status = ReconciliationStatus()
            for _ in 0..<7 {
                let (s, t) = try Bench.time { try ledger.reconciliationStatus(period: Period("2026-11"), utcOffsetHours: 7) }
                status = s
                timings.append(t)
            }
            return (status, timings.sorted()[3])
        }
        let (status, novemberMedian) = try november()
        let (_, allTime) = try Bench.time { try ledger.reconciliationStatus(period: nil, utcOffsetHours: 7) }
        print("reconcile status --period 2026-11: median \(Bench.f(novemberMedian * 1000, 1)) ms over 7 runs (goal < 100 ms); "
              + "for all time \(Bench.f(allTime * 1000, 1)) ms; matched \(status.matched), unmatched \(status.unmatched)")
        if store == "both" { try await postgres(from: ledger, status: status) }

        // This month moves while November is closed: a transfer of December settled and changed, as
        // the engine settles this month's. November still answers from the kept figures; beside it,
        // the same status counted anew (the kept figures put aside), in the same run.
        guard try Bench.run(sqlite3, [database, Self.decemberTransfer(id: count + 1).joined(separator: ";\n")]) == 0 else {
            throw CLIBenchError("sqlite3 failed changing a transfer of December")
        }
        func median(_ label: String) throws {
            let (status, median) = try november()
            print("reconcile status --period 2026-11, \(label): median \(Bench.f(median * 1000, 1)) ms over 7 runs (goal < 100 ms); "
                  + "matched \(status.matched), unmatched \(status.unmatched)")
        }
        try median("a transfer of December changed since the run")
        guard try Bench.run(sqlite3, [database, Self.keptFiguresAside]) == 0 else { throw CLIBenchError("sqlite3 failed") }
        try median("baseline, counted anew (kept figures put aside)")
    }

    /// A settled transfer of December added, then its amount changed (as the PostgreSQL part does).
    static func decemberTransfer(id: Int) -> [String] {
        ["""
        INSERT INTO transfer (id, partner_reference_no, dedupe_key, kind, beneficiary_name, beneficiary_account, program, period,
            amount, state, attempts, external_id, bank_reference_no, enqueued_by, created_at, updated_at, settled_at)
        VALUES (\(id), 'SLRDEC000000001', 'bench:december', 'intrabank', 'NASABAH DESEMBER', '7999999999', 'BANSOS-NT', '2026-12',
            300000, 'settled', 1, '999999999', '20261207000000001', 'bench', '2026-12-07T01:00:00.000Z', '2026-12-07T02:00:00.000Z',
            '2026-12-07T02:00:00.000Z')
        """, "UPDATE transfer SET amount = 350000 WHERE id = \(id)"]
    }

    /// The kept figures put aside: `reconcile status` counts anew.
    static let keptFiguresAside = "UPDATE reconciliation_basis SET transfers_changed = 1, marks_kept = 0"

    func validate() throws {
        guard ["sqlite", "both"].contains(store) else { throw ValidationError("--store must be sqlite or both") }
        guard StatementFormat(rawValue: format) != nil else { throw ValidationError("--format must be mt940, camt053 or csv") }
    }

    /// The reconciled treasury copied into PostgreSQL as `salurctl db copy` copies it, and the status
    /// queries there: from the figures the run kept, then counted anew once a transfer has changed.
    func postgres(from source: SQLiteLedger, status expected: ReconciliationStatus) async throws {
        guard let admin = postgresUrl ?? PostgresScratch.adminURL else {
            throw ValidationError("--store both needs --postgres-url or $SALUR_TEST_POSTGRES_URL (e.g. under scripts/pg-test-cluster.sh run --)")
        }
        let (url, file) = try await PostgresScratch.freshDatabase(prefix: "benchr", adminURL: admin,
                                                                  passwordFile: passwordFile ?? PostgresScratch.passwordFile)
        let ledger = try await PostgresLedger(target: try PostgresTarget(url: url, passwordFile: file))
        defer { ledger.shutdown() }
        let (_, copy) = try await Bench.time { try await DatabaseCopy.run(source: source, to: ledger, actor: "bench") }
        print("PostgreSQL: db copy of the reconciled database: \(Bench.f(copy)) s")
        func median(_ label: String) async throws {
            var timings: [Double] = []
            var status = ReconciliationStatus()
            for _ in 0..<7 {
                let (s, t) = try await Bench.time { try await ledger.reconciliationStatus(period: Period("2026-11"), utcOffsetHours: 7) }
                status = s
                timings.append(t)
            }
            timings.sort()
            print("PostgreSQL reconcile status --period 2026-11, \(label): median \(Bench.f(timings[3] * 1000, 1)) ms over 7 runs "
                  + "(goal < 100 ms); matched \(status.matched), unmatched \(status.unmatched)"
                  + (status.matched == expected.matched && status.unmatched == expected.unmatched ? " (as on SQLite)" : " (DIFFERENT from SQLite)"))
        }
        try await median("from the figures the run kept")
        let queue = try await QueueBench.statusTimings(ledger)
        print("PostgreSQL queue status at \(count): median \(Bench.f(queue[3] * 1000, 1)) ms over 7 runs (goal < 100 ms)")
        // A transfer of December settled and changed: November still answers from the kept figures.
        try await ledger.withConnection("bench") { connection in
            let id = count + 1
            _ = try await ledger.execute(connection, """
                INSERT INTO transfer (id, partner_reference_no, dedupe_key, kind, beneficiary_name, beneficiary_account, program, period,
                    amount, state, attempts, external_id, bank_reference_no, enqueued_by, created_at, updated_at, settled_at)
                VALUES (\(id), 'SLRDEC000000001', 'bench:december', 'intrabank', 'NASABAH DESEMBER', '7999999999', 'BANSOS-NT', '2026-12',
                    300000, 'settled', 1, '999999999', '20261207000000001', 'bench', '2026-12-07T01:00:00.000Z', '2026-12-07T02:00:00.000Z',
                    '2026-12-07T02:00:00.000Z')
                """)
            _ = try await ledger.execute(connection, "UPDATE transfer SET amount = 350000 WHERE id = \(id)")
        }
        try await median("a transfer of December changed since the run")
        // A transfer of November changes (as the engine changes them): November is counted anew.
        try await ledger.withConnection("bench") { connection in
            _ = try await ledger.execute(connection, "UPDATE transfer SET updated_at = updated_at, state = state WHERE id = 1")
            _ = try await ledger.execute(connection, "UPDATE reconciliation_basis SET transfers_changed = 1, marks_kept = 0")
        }
        try await median("counted anew (a transfer changed since the run)")
    }

    /// What one `salurctl` child reported: its run (from `--json`) and its peak RSS.
    struct ChildRun {
        var run: ReconciliationRun
        var peakMiB: Double
        var summary: String {
            "stored \(run.statementsStored) statements (\(run.entriesStored) entries), \(run.statementsUnchanged) already stored; "
                + "matched \(run.matchedByReference) by reference, \(run.matchedWeakly) weakly; matches changed \(run.matchesChanged); "
                + "open exceptions \(run.openExceptions.values.reduce(0, +))"
        }
    }

    /// Runs `salurctl arguments` as a child (this binary, `--salurctl`), reading its JSON and peak RSS.
    static func child(_ exe: String, _ arguments: [String], folder: String, direct: Bool = false) throws -> ChildRun {
        let output = folder + "/salurctl.json", peak = folder + "/salurctl.peak"
        let status = direct
            ? try Bench.run("/bin/sh", ["-c", "o=$1; shift; exec \"$0\" \"$@\" > \"$o\"", exe, output] + arguments)
            : try Bench.run("/bin/sh", ["-c", "p=$1 o=$2; shift 2; exec \"$0\" reconcile --salurctl-peak \"$p\" -- \"$@\" > \"$o\"",
                                        exe, peak, output] + arguments)
        guard status == 0 else { throw CLIBenchError("salurctl \(arguments.joined(separator: " ")) exited \(status)") }
        struct FileRun: Decodable { let run: ReconciliationRun }
        let runs = try JSONDecoder().decode([FileRun].self, from: Data(contentsOf: URL(fileURLWithPath: output)))
        let mib = Double((try? String(contentsOfFile: peak, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        guard let run = runs.last?.run else { throw CLIBenchError("salurctl printed no run") }
        return ChildRun(run: run, peakMiB: mib)
    }

    /// The statement's opening balance, and its closing one after the `count` debits, in rupiah.
    static func balances(count: Int) -> (opening: Int64, closing: Int64) {
        let opening: Int64 = 1_000_000_000_000_000
        var debits: Int64 = 0
        for i in 1...count { debits += 300_000 + Int64(i % 7) * 50_000 }
        return (opening, opening - debits)
    }

    /// The bank's statement for the seeded transfers: most entries carry both references, 1 % only
    /// in the description, 1 % none (found by amount, account and day). In CSV, a row per entry:
    /// `date,amount,bank_reference,customer_reference,description,account`, the amount signed, the
    /// description quoted.
    static func writeStatement(to path: String, count: Int, format: StatementFormat) throws {
        let day = CalendarDate("2026-11-23")!
        var entries: [StatementEntry] = []
        entries.reserveCapacity(count)
        for i in 1...count {
            let amount = Rupiah(300_000 + Int64(i % 7) * 50_000)
            let partner = "SLR" + String(repeating: "0", count: 12 - String(i).count) + String(i)
            let bank = "20261123" + String(repeating: "0", count: 10 - String(i).count) + String(i)
            let account = String(7_000_000_000 + i)
            switch i % 100 {
            case 0:
                entries.append(StatementEntry(valueDate: day, direction: .debit, amount: amount, description: "TRF KE \(account) BANSOS"))
            case 1:
                entries.append(StatementEntry(valueDate: day, direction: .debit, amount: amount, description: "TRF \(partner) KE \(account)"))
            default:
                entries.append(StatementEntry(valueDate: day, direction: .debit, amount: amount, bankReference: bank,
                                              customerReference: partner, description: "TRF \(partner) KE \(account)"))
            }
        }
        let balances = balances(count: count)
        let statement = Statement(accountNo: "0011999999", statementId: "STM20261123", sequence: "00001/001",
                                  openingBalance: Rupiah(balances.opening), closingBalance: Rupiah(balances.closing),
                                  openingDate: day, closingDate: day, entries: entries, format: format)
        switch format {
        case .mt940:
            _ = FileManager.default.createFile(atPath: path, contents: Data(MT940Writer.write([statement]).utf8))
        case .camt053:
            _ = FileManager.default.createFile(atPath: path, contents: Data(Camt053Writer.write([statement]).utf8))
        case .csv:
            guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                throw CLIBenchError("cannot write \(path)")
            }
            defer { try? handle.close() }
            var text = "date,amount,bank_reference,customer_reference,description,account\n"
            for entry in statement.entries {
                let sen = entry.amountSen.value
                let amount = "\(sen / 100)." + (sen % 100 < 10 ? "0" : "") + "\(sen % 100)"
                text += "\(entry.valueDate),-\(amount),\(entry.bankReference),"
                    + "\(entry.customerReference),\"\(entry.description)\",\(statement.accountNo)\n"
                if text.utf8.count > 1 << 20 {
                    try handle.write(contentsOf: Data(text.utf8))
                    text = ""
                }
            }
            try handle.write(contentsOf: Data(text.utf8))
        }
    }

    /// The CSV mapping `salurctl reconcile --format csv` reads the bench's CSV statement with.
    static func csvMapping(count: Int) -> CSVStatementMapping {
        let balances = balances(count: count)
        return CSVStatementMapping(date: "date", dateFormat: "yyyy-MM-dd", amounts: .signed(amount: "amount"),
                                   bankReference: "bank_reference", customerReference: "customer_reference", description: "description",
                                   accountNo: .column("account"), openingBalance: .value(Rupiah(balances.opening)),
                                   closingBalance: .value(Rupiah(balances.closing)))
    }

    /// `salurctl reconcile FILE` with the default configuration, the file read whole and parsed
    /// whole (`StatementFile(bytes:)`): the baseline of the chunked reading.
    static func wholeFile(database: String, statement: String, format: StatementFormat, count: Int) throws -> ReconciliationRun {
        let ledger = try SQLiteLedger(path: database)
        var bytes = try InputFile.read(statement)
        let file = try StatementFile(bytes: bytes, file: statement, format: format == .csv ? .csv : nil,
                                     csvMapping: format == .csv ? csvMapping(count: count) : nil, sourceAccount: nil)
        bytes = []
        let sha256 = file.sha256
        let bankItems = BankItemClassifier()
        return try ledger.reconcile(statements: file.records(sourceFile: statement), alreadyStored: 0,
                                    file: SourceFile(path: statement, sha256: sha256), actor: "bench", today: CalendarDate("2026-11-30")!,
                                    missingAfterDays: 3, utcOffsetHours: 7, matching: Reconciler.matchingKey(bankItems: bankItems),
                                    match: { Reconciler.match($0, bankItems: bankItems) })
    }

    /// The work of `salurctl reconcile FILE`, timed in its two halves.
    private func reconcile(_ path: String, format: StatementFormat, ledger: SQLiteLedger, today: CalendarDate) throws
        -> (ReconciliationRun, (parse: Double, store: Double, match: Double, total: Double)) {
        let ((records, sha256), parse) = try Bench.time { () -> ([StatementRecord], String) in
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            let file = try StatementFile(bytes: bytes, file: path, format: format == .csv ? .csv : nil,
                                         csvMapping: format == .csv ? Self.csvMapping(count: count) : nil, sourceAccount: "0011999999")
            let sha256 = file.sha256
            return (file.records(sourceFile: path), sha256)
        }
        var matching = 0.0
        let (run, store) = try Bench.time {
            try ledger.reconcile(statements: records, file: SourceFile(path: path, sha256: sha256),
                                 actor: "bench", today: today, missingAfterDays: 3, utcOffsetHours: 7, match: { input in
                let (outcome, time) = Bench.time { Reconciler.match(input) }
                matching += time
                return outcome
            })
        }
        return (run, (parse, store, matching, parse + store))
    }
}

/// A benchmark could not set itself up.
struct CLIBenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
