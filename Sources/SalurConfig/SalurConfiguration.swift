import Foundation
public import SalurCore

/// Everything `salur.toml` says. Decoded strictly: an unknown key, a wrong type or a value out of
/// range is an error naming the key, its line and what is allowed.
public struct SalurConfiguration: Sendable, Equatable {
    /// The file it was read from.
    public var file: String
    public var database: Database
    /// Absent when the file has no `[bank]` table (enough for recipient work in `salurctl`).
    public var bank: Bank?
    public var batching: Batching
    public var retry: Retry
    public var engine: Engine
    public var log: Log
    public var premiums: Premiums
    /// `[reconciliation]`
    public var reconciliation = Reconciliation()
    /// `[operators]`
    public var operators = Operators()
    /// `[metrics]`
    public var metrics = Metrics()

    /// `[database]`
    public struct Database: Sendable, Equatable {
        /// The SQLite file; its folder should be the database's own (systemd `StateDirectory=`).
        /// Unused (and optional) when `url` names a PostgreSQL server.
        public var path: String
        public var busyTimeoutMs: Int
        /// `postgres://USER@HOST[:PORT]/DB[?sslmode=…]`: a shared PostgreSQL database instead of the SQLite file.
        public var url: String? = nil
        /// The file holding the PostgreSQL user's password (never the config file itself).
        public var passwordFile: String? = nil
        /// The most connections one process opens to PostgreSQL.
        public var maxConnections: Int = 8
        /// PostgreSQL only: what the commit of a claim waits for before its requests leave —
        /// `on` (this server's disk), `remote_write` or `remote_apply` (a synchronous standby too).
        public var synchronousCommit: String = "on"

        /// Whether this configuration selects PostgreSQL.
        public var isPostgres: Bool { url != nil }
        /// The store as messages name it: the SQLite file, or the server without its password.
        public var displayName: String { redactedURL ?? path }
        /// `url` without a password written into it.
        public var redactedURL: String? {
            guard let url else { return nil }
            guard var components = URLComponents(string: url) else { return "postgres (unparseable url)" }
            components.password = nil
            return components.string ?? "postgres"
        }
    }

    /// `[bank]`: the bank's SNAP-BI API and Salur's credentials there.
    public struct Bank: Sendable, Equatable {
        public var baseURL: String
        public var pathPrefix: String
        public var paths: Paths
        public var partnerID: String
        public var clientKey: String
        public var clientSecretFile: String
        public var privateKeyFile: String
        public var channelID: String
        /// The treasury's source account (rekening kas daerah) every transfer is debited from.
        public var sourceAccount: String
        /// PEM CA bundle trusted instead of the system's store (never in addition to it).
        public var caFile: String?
        public var clientCertFile: String?
        public var clientKeyFile: String?
        public var maxInFlight: Int
        public var connectTimeoutMs: Int
        public var requestTimeoutMs: Int
        /// Seconds before `expiresIn` at which a cached token is refreshed.
        public var tokenRefreshMarginSeconds: Int
        /// `[bank.account_status]`: this bank's wordings of an account's status.
        public var accountStatus = AccountStatus()
        /// `tls_allow_1_2`: TLS 1.2 (with the SNAP standard's four suites only) where the bank cannot
        /// do TLS 1.3. Default false: TLS 1.3 only.
        public var tlsAllow12: Bool = false
        /// `proxy`: `http://host:port` to reach the bank through; nil for none (the environment's
        /// `http_proxy`/`https_proxy` are never used).
        public var proxy: String? = nil
        /// `[bank.routing]`: which SNAP service carries a transfer.
        public var routing = Routing()
        /// `max_requests_per_second`: every request to the bank at most at this rate; 0: no limit.
        public var maxRequestsPerSecond = 0
    }

    /// `[bank.routing]`: the service per transfer from its amount and the beneficiary's bank, with
    /// the bank's published limits as defaults (whole rupiah; 0 means no such limit).
    public struct Routing: Sendable, Equatable {
        /// `intrabank_max`: the bank's cap on one intrabank transfer (17); 0: none.
        public var intrabankMax: Int64 = 0
        /// `interbank_max`: BI-FAST's Rp 250 juta per transaction (18), or the bank's lower cap.
        public var interbankMax: Int64 = 250_000_000
        /// `rtgs_min`: the smallest RTGS transfer (22): above Rp 100 juta.
        public var rtgsMin: Int64 = 100_000_001
        /// `rtgs_max`: a cap on RTGS; 0: none.
        public var rtgsMax: Int64 = 0
        /// `skn_max`: SKNBI's Rp 1 miliar per transaction (23).
        public var sknMax: Int64 = 1_000_000_000
        /// `interbank_order`: the services tried in order for a transfer to another bank.
        public var interbankOrder: [String] = ["18", "22", "23"]
        /// `no_bifast_banks`: bank codes 18 cannot reach.
        public var noBIFastBanks: [String] = []
        public init() {}
    }

    /// `[bank.account_status]`: how this bank words `beneficiaryAccountStatus` in its account
    /// inquiry answer, beyond Salur's built-in wordings (compared case-insensitively, trimmed,
    /// punctuation as spaces). A wording in neither list holds payments to that account for an operator.
    public struct AccountStatus: Sendable, Equatable {
        /// Wordings that mean the account can be credited (e.g. "Rekening aktif").
        public var active: [String] = []
        /// Wordings that mean it cannot (inactive, dormant, blocked, frozen, closed…).
        public var notPayable: [String] = []
        public init(active: [String] = [], notPayable: [String] = []) {
            self.active = active
            self.notPayable = notPayable
        }
    }

    /// `[bank.paths]`: full paths per service, for banks that depart from SNAP's standard ones.
    public struct Paths: Sendable, Equatable {
        public var token: String
        public var transferIntrabank: String
        public var transferInterbank: String
        public var transferRTGS = "/v1.0/transfer-rtgs"
        public var transferSKN = "/v1.0/transfer-skn"
        public var accountInquiryExternal = "/v1.0/account-inquiry-external"
        public var transferStatus: String
        public var accountInquiryInternal: String
        public var balanceInquiry: String
    }

    /// `[batching]`
    public struct Batching: Sendable, Equatable {
        public var maxItems: Int
        public var maxAmount: Rupiah
        public var approvalRequired: Bool
        public var distinctApprover: Bool
    }

    /// `[retry]`
    public struct Retry: Sendable, Equatable {
        public var baseDelayMs: Int
        public var maxDelayMs: Int
        public var maxAttempts: Int
        /// How long to wait before asking the bank again about a transfer in doubt.
        public var inquiryDelayMs: Int
        /// How long after an attempt a "not found" status answer is believed (twice in a row) before sending again.
        public var notFoundSettleMs: Int
        /// Consecutive "bank unavailable" outcomes that open the circuit breaker.
        public var breakerThreshold: Int
        public var breakerCooldownMs: Int
    }

    /// `[engine]`
    public struct Engine: Sendable, Equatable {
        public var pollIntervalMs: Int
        /// Attempts committed together (one fsync) before their requests leave.
        public var chunkSize: Int
        public var shutdownTimeoutMs: Int
        public var watchdogIntervalMs: Int
        /// PostgreSQL only: how long what an engine claims stays its own without a renewal; an engine
        /// silent for longer (killed, cut off) has its transfers taken over by the others.
        public var leaseMs: Int = 30_000
        /// Days after which an account checked with the bank (service 15) is checked again; 0: never
        /// by age (a new period's first payment still checks it again).
        public var accountRecheckDays: Int = 30
    }

    /// `[log]`
    public struct Log: Sendable, Equatable {
        public var level: String
    }

    /// `[operators]`: who may act on the treasury through salurctl.
    public struct Operators: Sendable, Equatable {
        /// Logins refused every command that changes the treasury (e.g. root and salurd's own
        /// account `salur`): shared accounts would make maker and checker the same name in the audit log.
        public var refuseAccounts: [String] = []
        public init(refuseAccounts: [String] = []) { self.refuseAccounts = refuseAccounts }
    }

    /// `[premiums]`: BPJS Ketenagakerjaan premiums.
    public struct Premiums: Sendable, Equatable {
        /// A rates file replacing the built-in table (`config/bpjs-rates.toml` in the source tree),
        /// read by `BPJSRatesFile`; nil: the built-in table.
        public var ratesFile: String?
    }
}

extension SalurConfiguration {
    /// Where the config file is: `--config`, else `$SALUR_CONFIG`, else `/etc/salur/salur.toml`.
    public static func resolvePath(flag: String?, environment: [String: String]? = nil) -> String {
        flag ?? (environment ?? ProcessInfo.processInfo.environment)["SALUR_CONFIG"] ?? "/etc/salur/salur.toml"
    }

    /// Reads and validates the file at `path`.
    public static func load(path: String) throws(ConfigErrors) -> SalurConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigErrors([ConfigError(file: path, line: 0, key: "file",
                                            reason: "cannot read the configuration file (pass --config FILE or set SALUR_CONFIG)")])
        }
        guard let text = String(validating: Array(data), as: UTF8.self) else {
            throw ConfigErrors([ConfigError(file: path, line: 0, key: "file", reason: "not valid UTF-8")])
        }
        return try parse(text: text, file: path)
    }

    /// Parses configuration text; relative paths in it are resolved against the file's folder.
    public static func parse(text: String, file: String) throws(ConfigErrors) -> SalurConfiguration {
        let root = try ConfigReader.parse(text: text, file: file)
        let base = (file as NSString).deletingLastPathComponent
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") || base.isEmpty ? path : (base as NSString).appendingPathComponent(path)
        }

        let db = root.table("database")
        if !db.isPresent { root.fail("database", "required table [database] is missing") }
        let url = db.string("url")
        if let url, !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
            db.fail("url", "must be a postgres:// URL, e.g. postgres://salur@db.example:5432/salur?sslmode=verify-full")
        }
        let rawPath = db.string("path", required: db.isPresent && url == nil)
        if rawPath == "" { db.fail("path", "must name the SQLite file, e.g. /var/lib/salur/salur.sqlite") }
        var database = Database(
            path: resolve(rawPath ?? "/var/lib/salur/salur.sqlite"),
            busyTimeoutMs: db.int("busy_timeout_ms", default: 5_000, range: 0...600_000))
        database.url = url
        database.passwordFile = db.string("password_file").map(resolve)
        database.maxConnections = db.int("max_connections", default: 8, range: 1...200)
        database.synchronousCommit = db.oneOf("synchronous_commit", default: "on", allowed: ["on", "remote_write", "remote_apply"])

        let b = root.table("bank")
        var bank: Bank?
        if b.isPresent {
            let p = b.table("paths")
            func path(_ key: String, _ standard: String) -> String {
                guard let value = p.string(key) else { return standard }
                if let problem = SalurConfiguration.pathProblem(value) { p.fail(key, problem) }
                return value
            }
            var paths = Paths(
                token: path("token", "/v1.0/access-token/b2b"),
                transferIntrabank: path("transfer_intrabank", "/v1.0/transfer-intrabank"),
                transferInterbank: path("transfer_interbank", "/v1.0/transfer-interbank"),
                transferStatus: path("transfer_status", "/v1.0/transfer/status"),
                accountInquiryInternal: path("account_inquiry_internal", "/v1.0/account-inquiry-internal"),
                balanceInquiry: path("balance_inquiry", "/v1.0/balance-inquiry"))
            paths.transferRTGS = path("transfer_rtgs", "/v1.0/transfer-rtgs")
            paths.transferSKN = path("transfer_skn", "/v1.0/transfer-skn")
            paths.accountInquiryExternal = path("account_inquiry_external", "/v1.0/account-inquiry-external")
            let baseURL = b.string("base_url", required: true) ?? ""
            if !baseURL.isEmpty, !(baseURL.hasPrefix("https://") || baseURL.hasPrefix("http://")) {
                b.fail("base_url", "must start with https:// (or http:// for a loopback simulator)")
            } else if !baseURL.isEmpty, let problem = SalurConfiguration.baseURLProblem(baseURL) {
                b.fail("base_url", problem)
            } else if baseURL.hasPrefix("http://"), !SalurConfiguration.isLoopbackURL(baseURL) {
                b.fail("base_url", "plain http is allowed only for loopback hosts; use https:// for a bank")
            }
            let pathPrefix = b.string("path_prefix") ?? ""
            if let problem = SalurConfiguration.pathPrefixProblem(pathPrefix) { b.fail("path_prefix", problem) }
            let proxy = b.string("proxy")
            if let proxy, let problem = SalurConfiguration.proxyProblem(proxy) { b.fail("proxy", problem) }
            let source = b.string("source_account", required: true) ?? ""
            if !source.isEmpty, let problem = Validate.accountNo(source) {
                b.fail("source_account", problem)
            } else if source.utf8.count > SNAPBounds.balanceAccountNo {
                b.fail("source_account", "\(source.utf8.count) digits; SNAP's balance inquiry (11) takes an accountNo of at most "
                       + "\(SNAPBounds.balanceAccountNo) (and transfers a sourceAccountNo of at most \(SNAPBounds.sourceAccountNo))")
            }
            let partnerID = b.string("partner_id", required: true) ?? ""
            if partnerID.utf8.count > SNAPBounds.partnerID || partnerID.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value > 0x7E }) {
                b.fail("partner_id", "X-PARTNER-ID is at most \(SNAPBounds.partnerID) printable characters without spaces, found \(partnerID.count)")
            }
            let channelID = b.string("channel_id") ?? "95221"
            if channelID.isEmpty || channelID.utf8.count > SNAPBounds.channelID || !channelID.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                b.fail("channel_id", "CHANNEL-ID is 1 to \(SNAPBounds.channelID) digits (the bank assigns it, e.g. \"95221\"), found \"\(channelID)\"")
            }
            bank = Bank(
                baseURL: baseURL,
                pathPrefix: pathPrefix,
                paths: paths,
                partnerID: partnerID,
                clientKey: b.string("client_key", required: true) ?? "",
                clientSecretFile: resolve(b.string("client_secret_file", required: true) ?? ""),
                privateKeyFile: resolve(b.string("private_key_file", required: true) ?? ""),
                channelID: channelID,
                sourceAccount: source,
                caFile: b.string("ca_file").map(resolve),
                clientCertFile: b.string("client_cert_file").map(resolve),
                clientKeyFile: b.string("client_key_file").map(resolve),
                maxInFlight: b.int("max_in_flight", default: 8, range: 1...256),
                connectTimeoutMs: b.int("connect_timeout_ms", default: 5_000, range: 100...120_000),
                requestTimeoutMs: b.int("request_timeout_ms", default: 30_000, range: 100...600_000),
                tokenRefreshMarginSeconds: b.int("token_refresh_margin_seconds", default: 60, range: 0...3_600),
                tlsAllow12: b.bool("tls_allow_1_2", default: false),
                proxy: proxy)
            let statusTable = b.table("account_status")
            let statusWordings = AccountStatus(active: statusTable.strings("active"), notPayable: statusTable.strings("not_payable"))
            let both = Set(statusWordings.active.map { $0.lowercased().trimmingCharacters(in: .whitespaces) })
                .intersection(statusWordings.notPayable.map { $0.lowercased().trimmingCharacters(in: .whitespaces) })
            if let wording = both.sorted().first {
                statusTable.fail("not_payable", "\"\(wording)\" is also listed as active; a wording means one thing")
            }
            bank?.accountStatus = statusWordings
            bank?.routing = Self.readRouting(b.table("routing"))
            bank?.maxRequestsPerSecond = b.int("max_requests_per_second", default: 0, range: 0...10_000)
        }

        let bt = root.table("batching")
        let batching = Batching(
            maxItems: bt.int("max_items", default: 500, range: 1...100_000),
            maxAmount: Rupiah(bt.int64("max_amount", default: 5_000_000_000, range: 1...1_000_000_000_000_000)),
            approvalRequired: bt.bool("approval_required", default: true),
            distinctApprover: bt.bool("distinct_approver", default: true))

        let r = root.table("retry")
        let retry = Retry(
            baseDelayMs: r.int("base_delay_ms", default: 500, range: 1...3_600_000),
            maxDelayMs: r.int("max_delay_ms", default: 60_000, range: 1...86_400_000),
            maxAttempts: r.int("max_attempts", default: 8, range: 1...100),
            inquiryDelayMs: r.int("inquiry_delay_ms", default: 2_000, range: 0...3_600_000),
            notFoundSettleMs: r.int("not_found_settle_ms", default: 60_000, range: 0...86_400_000),
            breakerThreshold: r.int("breaker_threshold", default: 20, range: 1...10_000),
            breakerCooldownMs: r.int("breaker_cooldown_ms", default: 30_000, range: 10...3_600_000))
        if retry.maxDelayMs < retry.baseDelayMs { r.fail("max_delay_ms", "must not be below base_delay_ms (\(retry.baseDelayMs))") }

        let e = root.table("engine")
        var engine = Engine(
            pollIntervalMs: e.int("poll_interval_ms", default: 1_000, range: 10...600_000),
            chunkSize: e.int("chunk_size", default: 256, range: 1...10_000),
            shutdownTimeoutMs: e.int("shutdown_timeout_ms", default: 60_000, range: 100...3_600_000),
            watchdogIntervalMs: e.int("watchdog_interval_ms", default: 0, range: 0...3_600_000))
        engine.leaseMs = e.int("lease_ms", default: 30_000, range: 300...3_600_000)
        engine.accountRecheckDays = e.int("account_recheck_days", default: 30, range: 0...3_650)
        if !database.isPostgres, let bank, retry.notFoundSettleMs <= bank.requestTimeoutMs {
            r.fail("not_found_settle_ms", "must be above bank.request_timeout_ms (\(bank.requestTimeoutMs)): a \"not found\" is believed "
                   + "only once every request of the attempt has ended, and an attempt may leave only within not_found_settle_ms "
                   + "less request_timeout_ms of its claim")
        }
        if database.isPostgres, let bank {
            let floor = Self.longestAttemptMs(leaseMs: engine.leaseMs, requestTimeoutMs: bank.requestTimeoutMs)
            if retry.notFoundSettleMs < floor {
                r.fail("not_found_settle_ms", "with several engines ([database] url) it must be at least engine.lease_ms + bank.request_timeout_ms "
                       + "(\(engine.leaseMs) + \(bank.requestTimeoutMs) = \(floor)): the longest an attempt can take from its claim "
                       + "to the end of its request, queueing included")
            }
        }

        let l = root.table("log")
        let log = Log(level: l.oneOf("level", default: "info", allowed: ["trace", "debug", "info", "notice", "warning", "error", "critical"]))

        let pr = root.table("premiums")
        let ratesFile = pr.string("rates_file")
        if ratesFile?.isEmpty == true {
            pr.fail("rates_file", "must name a BPJS rates file, e.g. /etc/salur/bpjs-rates.toml, or be left out to use the built-in table")
        }
        let premiums = Premiums(ratesFile: ratesFile.map(resolve))
        let reconciliation = readReconciliation(root)
        let metrics = readMetrics(root)
        let op = root.table("operators")
        let operators = Operators(refuseAccounts: op.strings("refuse_accounts"))
        if operators.refuseAccounts.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            op.fail("refuse_accounts", "must list login names, e.g. [\"root\", \"salur\"]")
        }

        let errors = root.finish()
        if !errors.isEmpty { throw ConfigErrors(errors) }
        var configuration = SalurConfiguration(file: file, database: database, bank: bank, batching: batching, retry: retry, engine: engine,
                                               log: log, premiums: premiums, reconciliation: reconciliation)
        configuration.operators = operators
        configuration.metrics = metrics
        return configuration
    }

    /// The settle-time rule, in one place: with several engines (PostgreSQL), the longest an attempt
    /// can spend between the commit of its claim and the end of its request, which
    /// `retry.not_found_settle_ms` must not be below — another engine that took the transfer over
    /// believes the bank's "not found" only after that long.
    ///
    /// Every wait before the request leaves — for a chunk's other claims, an access token, one of
    /// `bank.max_in_flight` connections (up to 3 × max_in_flight attempts are committed ahead), or a
    /// process frozen by SIGSTOP or a paused VM — ends at the attempt's send deadline: the end of the
    /// lease as renewed before the claim, so at most `lease_ms` after the claim's commit, checked by
    /// libcurl right before the first byte is written (DESIGN §4.8). libcurl's request timeout runs
    /// from when the transfer starts, which is before that deadline; so the request has ended, one way
    /// or the other, `lease_ms + request_timeout_ms` after the commit at the latest.
    public static func longestAttemptMs(leaseMs: Int, requestTimeoutMs: Int) -> Int {
        leaseMs + requestTimeoutMs
    }

    /// Whether a URL's host is a loopback address (127.0.0.0/8, ::1, localhost).
    public static func isLoopbackURL(_ url: String) -> Bool {
        guard let host = URLComponents(string: url)?.host?.lowercased() else { return false }
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        // 127.0.0.0/8 as a literal address only: a DNS name like 127.0.0.1.example is not loopback.
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127"
            && octets.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) && Int($0)! <= 255 }
    }
}

extension SalurConfiguration {
    /// `[bank.routing]`, strictly: amounts in whole rupiah, services among 18, 22 and 23, each once.
    static func readRouting(_ r: ConfigReader) -> Routing {
        var routing = Routing()
        let limit: ClosedRange<Int64> = 0...1_000_000_000_000_000
        routing.intrabankMax = r.int64("intrabank_max", default: routing.intrabankMax, range: limit)
        routing.interbankMax = r.int64("interbank_max", default: routing.interbankMax, range: limit)
        routing.rtgsMin = r.int64("rtgs_min", default: routing.rtgsMin, range: limit)
        routing.rtgsMax = r.int64("rtgs_max", default: routing.rtgsMax, range: limit)
        routing.sknMax = r.int64("skn_max", default: routing.sknMax, range: limit)
        let order = r.strings("interbank_order", default: routing.interbankOrder)
        if let bad = order.first(where: { !["18", "22", "23"].contains($0) }) {
            r.fail("interbank_order", "\"\(bad)\" is not a transfer service to another bank; use \"18\", \"22\" and \"23\"")
        } else if Set(order).count != order.count || order.isEmpty {
            r.fail("interbank_order", "must name each of \"18\", \"22\", \"23\" at most once, and at least one")
        } else {
            routing.interbankOrder = order
        }
        if routing.rtgsMax != 0, routing.rtgsMax < routing.rtgsMin {
            r.fail("rtgs_max", "\(routing.rtgsMax) is below rtgs_min (\(routing.rtgsMin))")
        }
        routing.noBIFastBanks = r.strings("no_bifast_banks")
        for code in routing.noBIFastBanks where !code.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isLetter) }) || code.count > 11 {
            r.fail("no_bifast_banks", "\"\(code)\" is not a bank code (digits or a BIC, at most 11 characters)")
        }
        return routing
    }
}
