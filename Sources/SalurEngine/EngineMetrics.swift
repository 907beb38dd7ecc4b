import Foundation
package import Metrics
package import SalurBank
package import SalurCore
package import SalurStore

/// The names salurd's `GET /metrics` shows (README "Metrics"), in one place. Labels carry states,
/// outcomes, services and SNAP code families only: never a secret, an account number, a name or a
/// reference.
package enum MetricName {
    package static let transfers = "salur_transfers"
    package static let transfersAmount = "salur_transfers_amount_rupiah"
    package static let batches = "salur_batches"
    package static let oldestInDoubt = "salur_oldest_in_doubt_age_seconds"
    package static let oldestPending = "salur_oldest_pending_age_seconds"
    package static let attempts = "salur_bank_attempts_total"
    package static let inquiries = "salur_bank_inquiries_total"
    package static let accountInquiries = "salur_bank_account_inquiries_total"
    package static let balanceInquiries = "salur_bank_balance_inquiries_total"
    package static let bankLatency = "salur_bank_request_duration_seconds"
    package static let breakerOpen = "salur_circuit_breaker_open"
    package static let heartbeatAge = "salur_engine_heartbeat_age_seconds"
    package static let leaseRemaining = "salur_engine_lease_remaining_seconds"
    package static let lastReconciliation = "salur_reconciliation_last_run_timestamp_seconds"
    package static let openExceptions = "salur_reconciliation_open_exceptions"
    package static let storeUp = "salur_store_up"

    /// Every name above (the README's table lists them all).
    package static let all = [transfers, transfersAmount, batches, oldestInDoubt, oldestPending, attempts, inquiries, accountInquiries,
                              balanceInquiries, bankLatency, breakerOpen, heartbeatAge, leaseRemaining, lastReconciliation,
                              openExceptions, storeUp]

    /// The latency histogram's buckets: a SNAP call takes tens of milliseconds to tens of seconds.
    package static let latencyBuckets: [Duration] = [.milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                                     .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2_500),
                                                     .seconds(5), .seconds(10), .seconds(30), .seconds(60)]

    /// A SNAP response code's family for a label: its HTTP status part (`200`, `409`, `504`), `none`
    /// when there was no code (the request failed before an answer), `other` when it is not a SNAP code.
    package static func codeFamily(_ code: String?) -> String {
        guard let code else { return "none" }
        return SNAPResponseCode(code).map { "\($0.httpStatus)" } ?? "other"
    }
}

/// The bank as the engine sees it, measured: each call's duration by service, and each answer
/// counted by outcome (and SNAP code family). What the engine decides is unchanged.
package struct MeteredBank: BankAdapter {
    let bank: any BankAdapter
    /// Where the counts go: the process's metrics backend unless a test gives its own.
    let factory: any MetricsFactory

    package init(_ bank: any BankAdapter, factory: (any MetricsFactory)? = nil) {
        self.bank = bank
        self.factory = factory ?? MetricsSystem.factory
    }

    private func timed<T>(_ service: String, _ call: () async -> T) async -> T {
        let started = ContinuousClock.now
        let result = await call()
        Metrics.Timer(label: MetricName.bankLatency, dimensions: [("service", service)], factory: factory)
            .record(duration: ContinuousClock.now - started)
        return result
    }

    private func count(_ name: String, _ labels: [(String, String)]) {
        Counter(label: name, dimensions: labels, factory: factory).increment()
    }

    package func transfer(_ instruction: TransferInstruction) async -> TransferOutcome {
        let service: String
        switch instruction.service {
        case .intrabank: service = "transfer_intrabank"
        case .interbank: service = "transfer_interbank"
        case .rtgs: service = "transfer_rtgs"
        case .skn: service = "transfer_skn"
        }
        let outcome = await timed(service) { await bank.transfer(instruction) }
        let (name, code): (String, String?) = switch outcome {
        case .settled(_, let code): ("settled", code)
        case .inDoubt(let code, _): ("in_doubt", code)
        case .notProcessed(let code, _, _, _, let neverLeft): (neverLeft ? "not_sent" : "not_processed", code)
        case .rejected(let code, _): ("rejected", code)
        case .insufficientFunds(let code, _): ("insufficient_funds", code)
        case .afterCutOff(let code, _): ("after_cut_off", code)
        case .overLimit(let code, _, _, let daily): (daily ? "over_daily_limit" : "over_amount_limit", code)
        }
        count(MetricName.attempts, [("service", service), ("outcome", name), ("code_family", MetricName.codeFamily(code))])
        return outcome
    }

    /// A call timed under `service` and its answer counted in `metric` by `outcome`.
    private func measured<T>(_ service: String, _ metric: String, _ call: () async -> T, outcome: (T) -> String) async -> T {
        let result = await timed(service, call)
        count(metric, [("outcome", outcome(result))])
        return result
    }

    package func inquire(_ query: StatusQuery) async -> InquiryOutcome {
        await measured("transfer_status", MetricName.inquiries, { await bank.inquire(query) }) {
            switch $0 {
            case .settled: "settled"
            case .failed: "failed"
            case .notFound: "not_found"
            case .pending: "pending"
            case .unknown: "unknown"
            }
        }
    }

    package func availableBalance() async -> BalanceOutcome {
        await measured("balance_inquiry", MetricName.balanceInquiries, { await bank.availableBalance() }) {
            if case .available = $0 { "available" } else { "unavailable" }
        }
    }

    package func inquireAccount(_ accountNo: String) async -> AccountOutcome {
        await measured("account_inquiry", MetricName.accountInquiries, { await bank.inquireAccount(accountNo) }, outcome: Self.name)
    }

    package func inquireExternalAccount(bankCode: String, accountNo: String) async -> AccountOutcome {
        await measured("account_inquiry_external", MetricName.accountInquiries,
                       { await bank.inquireExternalAccount(bankCode: bankCode, accountNo: accountNo) }, outcome: Self.name)
    }

    private static func name(_ outcome: AccountOutcome) -> String {
        switch outcome {
        case .active: "active"
        case .inactive: "inactive"
        case .unknown: "unknown"
        case .unavailable: "unavailable"
        case .unrecognised: "unrecognised"
        }
    }
}

/// The gauges that show the store's state, refreshed from it (cheap aggregate reads) when the
/// metrics are scraped: transfers and batches per state, the oldest transfer in doubt, this engine's
/// heartbeat and lease, the circuit breaker, and reconciliation.
package struct StoreGauges: Sendable {
    let ledger: any EngineLedger
    let engine: Engine?
    /// This engine's process, to find its row among the engines sharing the database.
    let pid: Int
    let host: String
    /// The calendar time ages are measured against.
    let clock: WallClock
    /// Where the gauges are kept: the process's metrics backend unless a test gives its own.
    let factory: any MetricsFactory

    package init(ledger: any EngineLedger, engine: Engine?, pid: Int, host: String, clock: WallClock = .system,
                 factory: (any MetricsFactory)? = nil) {
        self.ledger = ledger
        self.engine = engine
        self.pid = pid
        self.host = host
        self.clock = clock
        self.factory = factory ?? MetricsSystem.factory
    }

    private func set(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        Gauge(label: name, dimensions: labels, factory: factory).record(value)
    }

    /// Reads the store and sets every gauge; a store that cannot be read sets `salur_store_up` to 0
    /// and leaves the others as last read.
    package func refresh() async {
        let now = clock.now
        if let engine { set(MetricName.breakerOpen, [], engine.breakerIsOpen ? 1 : 0) }
        do {
            let status = try await ledger.queueStatus(now: now)
            for (state, total) in status.transfers {
                set(MetricName.transfers, [("state", state)], Double(total.count))
                set(MetricName.transfersAmount, [("state", state)], Double(total.amount))
            }
            for (state, total) in status.batches {
                set(MetricName.batches, [("state", state)], Double(total.count))
            }
            set(MetricName.oldestInDoubt, [], Double(status.oldestInDoubtAgeSeconds ?? 0))
            set(MetricName.oldestPending, [], Double(status.oldestPendingAgeSeconds ?? 0))

            let engines = try await ledger.engines()
            if let mine = engines.first(where: { $0.pid == pid && $0.host == host }) ?? (engines.count == 1 ? engines.first : nil) {
                if let beat = Timestamp.parse(mine.heartbeatAt) {
                    set(MetricName.heartbeatAge, [], max(0, now.timeIntervalSince(beat)))
                }
                if let until = mine.leaseUntil.flatMap(Timestamp.parse) {
                    set(MetricName.leaseRemaining, [], until.timeIntervalSince(now))
                }
            }
            if let reconciliation = ledger as? any ReconciliationLedger {
                let gauges = try await reconciliation.reconciliationGauges()
                set(MetricName.lastReconciliation, [], gauges.lastRunAt.flatMap(Timestamp.parse)?.timeIntervalSince1970 ?? 0)
                for (kind, count) in gauges.openExceptions {
                    set(MetricName.openExceptions, [("kind", kind)], Double(count))
                }
            }
            set(MetricName.storeUp, [], 1)
        } catch {
            set(MetricName.storeUp, [], 0)
        }
    }
}
