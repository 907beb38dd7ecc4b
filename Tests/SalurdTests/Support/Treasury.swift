import BankSimulator
import Foundation
import GRDB
import SalurBank
import SalurCLI
import SalurCore
import SalurSQLite
import SalurStore
import SalurTestSupport

/// One treasury for one test: a temporary folder with a database of `count` approved transfers
/// (opened recipients, one payment each), SNAP keys and a client secret (0600), an in-process bank
/// simulator on an ephemeral loopback port, and a config file for salurd pointing at all of it.
struct Treasury {
    let directory: String
    let simulator: BankSimulator
    let count: Int
    var config: String { directory + "/salur.toml" }
    var database: String { directory + "/state/salur.sqlite" }
    var secretFile: String { directory + "/secrets/client_secret" }
    let secret: String
    /// Every account number a transfer goes to.
    let accounts: [String]

    /// The keys of `config`'s tables the tests change; the rest is fixed below.
    struct Settings {
        var logLevel = "info"
        var maxInFlight = 16
        var requestTimeoutMs = 5_000
        var retryMaxAttempts = 20
        var retryBaseDelayMs = 5
        var inquiryDelayMs = 20
        var pollIntervalMs = 50
        var chunkSize = 128
        var shutdownTimeoutMs = 10_000
        var watchdogIntervalMs = 0
        var databasePath: String?
        /// PostgreSQL instead of the SQLite file (with the cluster's password file).
        var databaseURL: String?
        var passwordFile: String?
        var leaseMs: Int?
        // Above the request timeout (the config refuses less); attempts may leave within the difference.
        var notFoundSettleMs = 12_000
        /// Instead of the simulator's address.
        var baseURL: String?
        var extra = ""
    }

    static func make(count: Int, latencyMs: Int = 0, faults: FaultRates = .none, inactiveEvery: Int? = nil,
                     settings: Settings = Settings()) async throws -> Treasury {
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("salurd-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        let directory = String(cString: made)
        try FileManager.default.createDirectory(atPath: directory + "/secrets", withIntermediateDirectories: true)

        var accounts: [String] = []
        if count > 0 {
            let ledger = try SQLiteLedger(path: directory + "/state/salur.sqlite", clock: .testDay)
            var data = DemoData(recipients: count, opened: count, seed: 11)
            let rows = try RecipientFile.parse(bytes: data.recipientsCSV(), file: "recipients.csv")
            _ = try ledger.importRecipients(rows, source: SourceFile(path: "recipients.csv", sha256: "-"), actor: "maker")
            _ = try ledger.exportOpeningRequests(actor: "maker") { _ in "-" }
            let results = try OpeningResultFile.parse(bytes: data.resultsCSV(), file: "results.csv")
            _ = try ledger.applyOpeningResults(results, source: SourceFile(path: "results.csv", sha256: "-"), actor: "maker")
            _ = try ledger.enqueueProgram(program: "BANSOS-NT", period: Period("2026-11")!, amount: Rupiah(300_000), remark: "test",
                                          actor: "maker", rules: BatchingRules(maxItems: 500, maxAmount: Rupiah(1_000_000_000), approvalRequired: true))
            _ = try ledger.approve(ids: [], all: true, actor: "checker", distinctApprover: true)
            accounts = try ledger.transferRecords(from: nil, to: nil).map(\.accountNo)
        }

        let keys = try SNAPKeys.generate()
        let secret = "salurd-test-secret-\(UUID().uuidString)"
        try write(secret + "\n", to: directory + "/secrets/client_secret", mode: 0o600)
        try write(keys.privatePEM, to: directory + "/secrets/private_key.pem", mode: 0o600)
        var bank = BankSimulatorConfig(clientKey: "salurd-test", clientPublicKeyPEM: keys.publicPEM, clientSecret: secret)
        bank.partnerID = "KUPANG-BPKAD"
        bank.sourceAccountNo = "0011999999"
        bank.sourceBalance = Rupiah(1_000_000_000_000)
        bank.latencyMilliseconds = latencyMs
        bank.faults = faults
        bank.seed = 5
        bank.retryAfterSeconds = 0
        bank.settleAfterMilliseconds = 30
        bank.eventLoopThreads = 2
        if let inactiveEvery {
            bank.accounts = accounts.enumerated().map { index, account in
                BankAccount(accountNo: account, name: "NASABAH", status: index % inactiveEvery == 0 ? .inactive : .active)
            }
        }
        let simulator = try await BankSimulator.start(bank)
        let treasury = Treasury(directory: directory, simulator: simulator, count: count, secret: secret, accounts: accounts)
        try treasury.writeConfig(settings)
        return treasury
    }

    /// Writes `salur.toml` (atomically, as an operator's editor would replace it).
    func writeConfig(_ s: Settings) throws {
        try Treasury.write("""
            [database]
            path = "\(s.databasePath ?? "state/salur.sqlite")"
            \(s.databaseURL.map { "url = \"\($0)\"" } ?? "")
            \(s.passwordFile.map { "password_file = \"\($0)\"" } ?? "")

            [bank]
            base_url = "\(s.baseURL ?? "http://127.0.0.1:\(simulator.port)")"
            partner_id = "KUPANG-BPKAD"
            client_key = "salurd-test"
            client_secret_file = "secrets/client_secret"
            private_key_file = "secrets/private_key.pem"
            source_account = "0011999999"
            max_in_flight = \(s.maxInFlight)
            connect_timeout_ms = 2000
            request_timeout_ms = \(s.requestTimeoutMs)

            [batching]
            max_items = 500
            max_amount = 1000000000
            distinct_approver = false

            [retry]
            base_delay_ms = \(s.retryBaseDelayMs)
            max_delay_ms = 200
            max_attempts = \(s.retryMaxAttempts)
            inquiry_delay_ms = \(s.inquiryDelayMs)
            not_found_settle_ms = \(s.notFoundSettleMs)
            breaker_threshold = 10000
            breaker_cooldown_ms = 20

            [engine]
            poll_interval_ms = \(s.pollIntervalMs)
            chunk_size = \(s.chunkSize)
            shutdown_timeout_ms = \(s.shutdownTimeoutMs)
            watchdog_interval_ms = \(s.watchdogIntervalMs)
            \(s.leaseMs.map { "lease_ms = \($0)" } ?? "")

            [log]
            level = "\(s.logLevel)"
            \(s.extra)
            """, to: config, mode: 0o600)
    }

    /// Overwrites `path` through a temporary file and a rename.
    static func write(_ text: String, to path: String, mode: mode_t) throws {
        let temp = path + ".tmp"
        try text.write(toFile: temp, atomically: false, encoding: .utf8)
        chmod(temp, mode)
        guard rename(temp, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// A short, unique socket path in the folder (sockaddr_un holds 107 bytes).
    var socketPath: String { directory + "/notify.sock" }

    /// Transfer counts per state, read over a connection of the test's own.
    func transferStates() throws -> [String: Int] {
        try DatabaseQueue(path: database).read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM transfer GROUP BY state") { out[row["state"]] = row["n"] }
            return out
        }
    }

    /// Checks Salur's records against the simulator's ledger: every transfer settled, each booked
    /// exactly once, amounts equal. Returns the problems found (empty when all is well).
    func exactlyOnceProblems() async throws -> [String] {
        var problems: [String] = []
        let records = try await DatabaseQueue(path: database).read { db in
            try Row.fetchAll(db, sql: "SELECT partner_reference_no, amount, state FROM transfer").map {
                (ref: $0["partner_reference_no"] as String, amount: $0["amount"] as Int64, state: $0["state"] as String)
            }
        }
        if records.count != count { problems.append("\(records.count) transfers in the database, expected \(count)") }
        let unsettled = records.filter { $0.state != "settled" }
        if !unsettled.isEmpty { problems.append("\(unsettled.count) not settled, e.g. \(unsettled.prefix(3).map { "\($0.ref) \($0.state)" })") }
        let booked = await simulator.ledger().filter { $0.status == .settled }
        var byRef: [String: [LedgerEntry]] = [:]
        for entry in booked { byRef[entry.partnerReferenceNo, default: []].append(entry) }
        let twice = byRef.filter { $0.value.count > 1 }.keys.sorted()
        if !twice.isEmpty { problems.append("booked more than once: \(twice.prefix(5))") }
        for record in records where record.state == "settled" {
            guard let entry = byRef[record.ref]?.first else { problems.append("settled but not booked: \(record.ref)"); continue }
            if entry.amount.value != record.amount { problems.append("\(record.ref): booked \(entry.amount), recorded \(record.amount)") }
        }
        if booked.count != records.filter({ $0.state == "settled" }).count {
            problems.append("the bank booked \(booked.count), Salur settled \(records.filter { $0.state == "settled" }.count)")
        }
        return problems
    }

    func close() async {
        try? await simulator.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
