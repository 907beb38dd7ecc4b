import ArgumentParser
import Foundation
import SalurConfig
import SalurCore
import SalurSQLite
import SalurStore

struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon", abstract: "The engine (salurd): whether it runs, and what it last said.", subcommands: [Status.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Whether an engine holds the database, its PID, version, uptime, last heartbeat, and the queue.",
            discussion: "Works while salurd is down (it says so). Exit 0 either way; --json has \"running\".")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Measure the BPJS rate table's end from this day, YYYY-MM-DD (default: today's local date).") var today: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let configuration = try global.load()
            if let warning = PremiumCLI.rateTableWarning(configuration, today: try PremiumCLI.today(today)) { PremiumCLI.warn(warning) }
            if configuration.database.isPostgres { return try await shared(configuration) }
            let database = configuration.database.path
            let lockPath = EngineLock.path(databasePath: database)
            let probe = EngineLock.probe(databasePath: database)
            let now = Date()
            var lease: EngineLease?
            var queue: QueueStatus?
            var sendMark: SendMarkStatus?
            let exists = FileManager.default.fileExists(atPath: database)
            if exists {
                let ledger = try configuration.sqliteLedger(access: .readOnly)
                lease = try ledger.engineLease()
                queue = try ledger.queueStatus(now: now)
                sendMark = try await ledger.sendMarkStatus()
            }
            func age(_ text: String?) -> Int? {
                text.flatMap(Timestamp.parse).map { max(0, Int(now.timeIntervalSince($0))) }
            }
            let running: Bool
            var pid: Int?
            switch probe {
            case .running(let holder):
                running = true
                pid = holder ?? lease?.pid
            case .notRunning:
                running = false
            case .unknown(let reason):
                throw CLIError("cannot tell whether salurd runs: \(reason) (run it as a member of the database folder's group, e.g. salur)")
            }
            // The lease describes the running engine only when it is the lock holder's.
            let current = running && lease.map { pid == nil || $0.pid == pid } == true
            let report = Report(
                database: database, lock: lockPath, running: running, pid: pid,
                version: current ? lease?.version : nil, host: current ? lease?.host : nil,
                startedAt: current ? lease?.startedAt : nil, uptimeSeconds: current ? age(lease?.startedAt) : nil,
                lastEngine: lease, heartbeatAgeSeconds: age(lease?.heartbeatAt), queue: queue, sendMark: sendMark)
            if json { return try Output.json(report) }
            print(report.text)
        }

        /// On PostgreSQL there is no lock file: every engine registers itself with a lease its
        /// heartbeat renews, and it is live while the lease holds (judged by the server's clock).
        func shared(_ configuration: SalurConfiguration) async throws {
            let opened = try await configuration.openStore(access: .readOnly)
            defer { opened.close() }
            let now = Date()
            let engines = try await opened.store.engines()
            let queue = try await opened.store.queueStatus(now: now)
            func age(_ text: String?) -> Int? {
                text.flatMap(Timestamp.parse).map { max(0, Int(now.timeIntervalSince($0))) }
            }
            let live = engines.filter { $0.live == true }
            let newest = live.first ?? engines.first
            let report = Report(
                database: opened.name, lock: nil, running: !live.isEmpty, pid: live.first?.pid,
                version: live.first?.version, host: live.first?.host, startedAt: live.first?.startedAt,
                uptimeSeconds: age(live.first?.startedAt), lastEngine: newest, heartbeatAgeSeconds: age(newest?.heartbeatAt),
                queue: queue, engines: engines.map { EngineRow($0, heartbeatAge: age($0.heartbeatAt)) },
                sendMark: try await opened.store.sendMarkStatus())
            if json { return try Output.json(report) }
            print(report.text)
        }
    }

    /// One engine in `daemon status` (every engine sharing a PostgreSQL database).
    struct EngineRow: Encodable {
        let id: String?, host: String, pid: Int, version: String, started_at: String, heartbeat_at: String
        let heartbeat_age_seconds: Int?, lease_until: String?, live: Bool, holding: Int?, status: String

        init(_ lease: EngineLease, heartbeatAge: Int?) {
            id = lease.id
            host = lease.host
            pid = lease.pid
            version = lease.version
            started_at = lease.startedAt
            heartbeat_at = lease.heartbeatAt
            heartbeat_age_seconds = heartbeatAge
            lease_until = lease.leaseUntil
            live = lease.live ?? false
            holding = lease.holding
            status = lease.status
        }
    }

    /// `daemon status --json`.
    struct Report: Encodable {
        let database: String
        /// The SQLite file's engine lock (nil on PostgreSQL, where engines hold leases instead).
        let lock: String?
        let running: Bool
        let pid: Int?
        let version: String?
        let host: String?
        let startedAt: String?
        let uptimeSeconds: Int?
        /// What the last engine to run wrote: its PID, version, start, last heartbeat and status line.
        let lastEngine: EngineLease?
        let heartbeatAgeSeconds: Int?
        let queue: QueueStatus?
        /// Every engine the database knows (PostgreSQL); nil on SQLite.
        var engines: [EngineRow]? = nil
        /// The database's send mark and its last restore recovery.
        var sendMark: SendMarkStatus? = nil

        enum CodingKeys: String, CodingKey {
            case database, lock, running, pid, version, host, queue, engines
            case sendMark = "send_mark"
            case startedAt = "started_at", uptimeSeconds = "uptime_seconds", lastEngine = "last_engine"
            case heartbeatAgeSeconds = "heartbeat_age_seconds"
        }

        func encode(to encoder: any Encoder) throws {
            struct Engine: Encodable {
                let pid: Int, host: String, version: String, started_at: String, heartbeat_at: String, status: String
            }
            struct Queue: Encodable {
                let transfers: [String: StateTotal], batches: [String: StateTotal]
                let oldest_pending_age_seconds: Int?, oldest_in_doubt_age_seconds: Int?
            }
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(database, forKey: .database)
            try c.encode(lock, forKey: .lock)
            try c.encode(running, forKey: .running)
            try c.encode(pid, forKey: .pid)
            try c.encode(version, forKey: .version)
            try c.encode(host, forKey: .host)
            try c.encode(startedAt, forKey: .startedAt)
            try c.encode(uptimeSeconds, forKey: .uptimeSeconds)
            try c.encode(lastEngine.map { Engine(pid: $0.pid, host: $0.host, version: $0.version, started_at: $0.startedAt,
                                                 heartbeat_at: $0.heartbeatAt, status: $0.status) }, forKey: .lastEngine)
            try c.encode(heartbeatAgeSeconds, forKey: .heartbeatAgeSeconds)
            try c.encodeIfPresent(engines, forKey: .engines)
            struct Mark: Encodable {
                let claims: Int64, recovered_at: String?, recovered_transfers: Int64?, recovered_by: String?, recovered_reason: String?
            }
            try c.encodeIfPresent(sendMark.map { Mark(claims: $0.claims, recovered_at: $0.recoveredAt, recovered_transfers: $0.recoveredTransfers,
                                                      recovered_by: $0.recoveredBy, recovered_reason: $0.recoveredReason) }, forKey: .sendMark)
            try c.encode(queue.map { Queue(transfers: $0.transfers, batches: $0.batches, oldest_pending_age_seconds: $0.oldestPendingAgeSeconds,
                                           oldest_in_doubt_age_seconds: $0.oldestInDoubtAgeSeconds) }, forKey: .queue)
        }

        var text: String {
            var lines: [String] = []
            if let engines {
                let live = engines.filter(\.live)
                lines.append(live.isEmpty ? "salurd: no live engine on this database"
                                          : "salurd: \(live.count) live engine\(live.count == 1 ? "" : "s") on this database")
                if !engines.isEmpty {
                    lines.append(Output.table(["HOST", "PID", "VERSION", "LIVE", "HEARTBEAT", "AGE", "HOLDING", "STATUS"], engines.map { e in
                        [e.host, String(e.pid), e.version, e.live ? "yes" : "no", e.heartbeat_at,
                         e.heartbeat_age_seconds.map { DaemonCommand.duration($0) } ?? "", e.holding.map(String.init) ?? "", e.status]
                    }, right: [1, 6]))
                }
            } else if running {
                var line = "salurd: running, PID \(pid.map(String.init) ?? "unknown")"
                if let version { line += ", version \(version)" }
                if let host { line += ", on \(host)" }
                if let uptimeSeconds { line += ", up \(DaemonCommand.duration(uptimeSeconds))" }
                lines.append(line)
            } else {
                lines.append("salurd: not running (no engine holds \(lock ?? database))")
            }
            if let lastEngine {
                let ago = heartbeatAgeSeconds.map { " (\(DaemonCommand.duration($0)) ago)" } ?? ""
                let who = running ? "" : " of PID \(lastEngine.pid), version \(lastEngine.version)"
                lines.append("last heartbeat\(who): \(lastEngine.heartbeatAt)\(ago)")
                if !lastEngine.status.isEmpty { lines.append("last status: \(lastEngine.status)") }
            } else {
                lines.append("no engine has run against this database yet")
            }
            lines.append("database: \(database)")
            if let sendMark, let at = sendMark.recoveredAt {
                lines.append("last restore recovery: \(at) by \(sendMark.recoveredBy ?? "?"), "
                             + "\(sendMark.recoveredTransfers ?? 0) transfers asked about (\(sendMark.recoveredReason ?? ""))")
            }
            guard let queue else {
                lines.append("the database does not exist yet")
                return lines.joined(separator: "\n")
            }
            lines.append("")
            lines.append(Output.table(["TRANSFERS", "COUNT", "AMOUNT (Rp)"], TransferState.allCases.compactMap { s in
                let t = queue.transfers[s.rawValue] ?? StateTotal()
                return t.count == 0 ? nil : [s.rawValue, Output.grouped(t.count), Rupiah(t.amount).grouped]
            }, right: [1, 2]))
            lines.append("")
            lines.append(Output.table(["BATCHES", "COUNT", "AMOUNT (Rp)"], BatchState.allCases.compactMap { s in
                let t = queue.batches[s.rawValue] ?? StateTotal()
                return t.count == 0 ? nil : [s.rawValue, Output.grouped(t.count), Rupiah(t.amount).grouped]
            }, right: [1, 2]))
            return lines.joined(separator: "\n")
        }
    }

    /// `3725` → `1 h 2 min`.
    static func duration(_ seconds: Int) -> String {
        if seconds < 60 { return "\(seconds) s" }
        if seconds < 3600 { return "\(seconds / 60) min \(seconds % 60) s" }
        if seconds < 86_400 { return "\(seconds / 3600) h \(seconds % 3600 / 60) min" }
        return "\(seconds / 86_400) d \(seconds % 86_400 / 3600) h"
    }
}
