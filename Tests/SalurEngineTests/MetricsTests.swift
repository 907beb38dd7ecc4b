import Foundation
import Logging
import Prometheus
import SalurBank
import SalurCLI
import SalurCore
import SalurEngine
import SalurSQLite
import SalurStore
import SalurTestSupport
import Testing

/// What the metrics say, read back in Prometheus's text format from a registry of the test's own:
/// the bank's answers counted by outcome and SNAP code family, the store's state as gauges, ages
/// measured on an injected clock.
@Suite("Metrics: bank calls counted, store state as gauges")
struct MetricsTests {
    /// The value of the sample `name{labels}` (labels as Prometheus writes them, in order), if present.
    static func sample(_ text: String, _ name: String, _ labels: String = "") -> Double? {
        let key = labels.isEmpty ? name + " " : name + "{" + labels + "} "
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return nil }
        return Double(line.dropFirst(key.count))
    }

    /// A bank that answers each call as told.
    struct ScriptedBank: BankAdapter {
        var transferOutcome: TransferOutcome
        func transfer(_ instruction: TransferInstruction) async -> TransferOutcome { transferOutcome }
        func inquire(_ query: StatusQuery) async -> InquiryOutcome { .notFound }
        func availableBalance() async -> BalanceOutcome { .available(Rupiah(1_000_000)) }
        func inquireAccount(_ accountNo: String) async -> AccountOutcome { .active(name: "MARIA") }
        func inquireExternalAccount(bankCode: String, accountNo: String) async -> AccountOutcome { .unavailable(reason: "not offered") }
    }

    static func instruction(_ account: String) -> TransferInstruction {
        TransferInstruction(service: .intrabank, partnerReferenceNo: "SLRTEST0000000007", externalID: "20261102000000000007",
                            beneficiaryAccount: account, beneficiaryName: "Maria", amount: Rupiah(300_000), remark: "BANSOS")
    }

    @Test("each answer is counted by service, outcome and SNAP code family, and timed; no account number in a label")
    func bankCalls() async throws {
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        let booked = MeteredBank(ScriptedBank(transferOutcome: .settled(bankReference: "REF1", code: "2001700")), factory: factory)
        let timedOut = MeteredBank(ScriptedBank(transferOutcome: .inDoubt(code: "5041700", reason: "timeout")), factory: factory)
        let unsent = MeteredBank(ScriptedBank(transferOutcome: .notProcessed(code: nil, reason: "connect refused", retryAfterSeconds: nil,
                                                                             bankUnavailable: true)), factory: factory)
        for _ in 0..<3 { _ = await booked.transfer(Self.instruction("001100000007")) }
        _ = await timedOut.transfer(Self.instruction("001100000008"))
        _ = await unsent.transfer(Self.instruction("001100000009"))
        _ = await booked.inquire(StatusQuery(partnerReferenceNo: "SLRTEST0000000007", externalID: "20261102000000000007", interbank: false))
        _ = await booked.availableBalance()
        _ = await booked.inquireAccount("001100000007")

        let text = registry.emitToString()
        #expect(Self.sample(text, "salur_bank_attempts_total", #"service="transfer_intrabank",outcome="settled",code_family="200""#) == 3, "\(text)")
        #expect(Self.sample(text, "salur_bank_attempts_total", #"service="transfer_intrabank",outcome="in_doubt",code_family="504""#) == 1)
        #expect(Self.sample(text, "salur_bank_attempts_total", #"service="transfer_intrabank",outcome="not_processed",code_family="none""#) == 1)
        #expect(Self.sample(text, "salur_bank_inquiries_total", #"outcome="not_found""#) == 1)
        #expect(Self.sample(text, "salur_bank_balance_inquiries_total", #"outcome="available""#) == 1)
        #expect(Self.sample(text, "salur_bank_account_inquiries_total", #"outcome="active""#) == 1)
        #expect(Self.sample(text, "salur_bank_request_duration_seconds_count", #"service="transfer_intrabank""#) == 5)
        #expect(Self.sample(text, "salur_bank_request_duration_seconds_count", #"service="transfer_status""#) == 1)
        #expect(Self.sample(text, "salur_bank_request_duration_seconds_bucket", #"service="balance_inquiry",le="+Inf""#) == 1)
        for account in ["001100000007", "001100000008", "001100000009", "SLRTEST", "REF1", "MARIA"] {
            #expect(!text.contains(account), "\(account) in the metrics")
        }
    }

    @Test("the store's gauges: every state present, heartbeat age on the injected clock, reconciliation never run")
    func storeGauges() async throws {
        let directory = NSTemporaryDirectory() + "salur-metrics-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try SQLiteLedger(path: directory + "/salur.sqlite", clock: .testDay)
        try await ledger.registerEngine(pid: 4242, host: "treasury-1", version: "test")

        let registry = PrometheusCollectorRegistry()
        let later = WallClock.fixed(WallClock.testDay.now.addingTimeInterval(90))
        await StoreGauges(ledger: ledger, engine: nil, pid: 4242, host: "treasury-1", clock: later,
                          factory: PrometheusMetricsFactory(registry: registry)).refresh()
        let text = registry.emitToString()
        #expect(Self.sample(text, "salur_store_up") == 1, "\(text)")
        #expect(Self.sample(text, "salur_engine_heartbeat_age_seconds") == 90)
        for state in TransferState.allCases {
            #expect(Self.sample(text, "salur_transfers", #"state="\#(state.rawValue)""#) == 0, "\(state)")
            #expect(Self.sample(text, "salur_transfers_amount_rupiah", #"state="\#(state.rawValue)""#) == 0, "\(state)")
        }
        for state in BatchState.allCases {
            #expect(Self.sample(text, "salur_batches", #"state="\#(state.rawValue)""#) == 0, "\(state)")
        }
        #expect(Self.sample(text, "salur_oldest_in_doubt_age_seconds") == 0)
        #expect(Self.sample(text, "salur_reconciliation_last_run_timestamp_seconds") == 0)
        for kind in ExceptionKind.allCases {
            #expect(Self.sample(text, "salur_reconciliation_open_exceptions", #"kind="\#(kind.rawValue)""#) == 0, "\(kind)")
        }
    }

    @Test("the breaker gauge: 0 while the bank answers, 1 once \"bank unavailable\" answers opened it")
    func breakerGauge() async throws {
        let directory = NSTemporaryDirectory() + "salur-metrics-breaker-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try SQLiteLedger(path: directory + "/salur.sqlite")
        let rules = BatchingRules(maxItems: 10, maxAmount: Rupiah(1_000_000_000), approvalRequired: false)
        try DemoTreasury.seed(ledger, count: 1, seed: 1, amount: Rupiah(100_000), rules: rules)
        let down = ScriptedBank(transferOutcome: .notProcessed(code: "5031700", reason: "service unavailable", retryAfterSeconds: nil,
                                                               bankUnavailable: true))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        // A breaker that opens for an hour on the first "bank unavailable".
        let engine = Engine(ledger: ledger, bank: down, settings: EngineSettings(
            batching: rules, retry: RetryPolicy(baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 5, inquiryDelayMs: 0),
            breakerThreshold: 1, breakerCooldownMs: 3_600_000, chunkSize: 10, maxInFlight: 4, pollIntervalMs: 10), logger: logger)
        let registry = PrometheusCollectorRegistry()
        let gauges = StoreGauges(ledger: ledger, engine: engine, pid: 1, host: "h", factory: PrometheusMetricsFactory(registry: registry))
        await gauges.refresh()
        #expect(Self.sample(registry.emitToString(), "salur_circuit_breaker_open") == 0)
        #expect(try await engine.pass().sent == 1)
        await gauges.refresh()
        let text = registry.emitToString()
        #expect(Self.sample(text, "salur_circuit_breaker_open") == 1, "\(text)")
        #expect(Self.sample(text, "salur_transfers", #"state="retry_wait""#) == 1)
    }

    @Test("the README's table lists every metric, and the example alert rules use only those")
    func documented() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let readme = try String(contentsOfFile: root + "/README.md", encoding: .utf8)
        let table = Set(readme.matches(of: /\n\| `(salur_[a-z_]+)` \|/).map { String($0.1) })
        #expect(table == Set(MetricName.all), "README table: \(table.sorted()), metrics: \(MetricName.all.sorted())")
        let alerts = try String(contentsOfFile: root + "/config/salur-alerts.yml", encoding: .utf8)
        let used = Set(alerts.matches(of: /\bsalur_[a-z_]+/).map { name in
            String(name.output).replacing(/_(bucket|count|sum)$/, with: "")
        })
        #expect(!used.isEmpty && used.isSubset(of: Set(MetricName.all)), "\(used.subtracting(MetricName.all).sorted())")
        for name in [MetricName.oldestInDoubt, MetricName.breakerOpen, MetricName.heartbeatAge, MetricName.openExceptions] {
            #expect(used.contains(name), "no alert on \(name)")
        }
    }

    @Test("a SNAP code's family is its HTTP status part; no code is none; anything else is other")
    func codeFamily() {
        #expect(MetricName.codeFamily("2001800") == "200")
        #expect(MetricName.codeFamily("4031814") == "403")
        #expect(MetricName.codeFamily(nil) == "none")
        #expect(MetricName.codeFamily("OK") == "other")
    }
}
