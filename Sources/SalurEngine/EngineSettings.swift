import SalurCore
package import SalurStore
package import SalurConfig

/// The engine's knobs, taken from `salur.toml` and replaceable on reload.
package struct EngineSettings: Sendable {
    package var batching: BatchingRules
    package var retry: RetryPolicy
    package var breakerThreshold: Int
    package var breakerCooldownMs: Int
    package var chunkSize: Int
    package var maxInFlight: Int
    package var pollIntervalMs: Int
    /// The bank client's request timeout; with `retry.notFoundSettleMs` it bounds how long a claimed
    /// attempt may wait before it leaves (`departureWindowMs`). Nil: unknown (no such bound).
    package var requestTimeoutMs: Int?
    /// Days after which a checked account is asked about again (`[engine] account_recheck_days`); 0: never by age.
    package var accountRecheckDays: Int = 30

    package init(batching: BatchingRules, retry: RetryPolicy, breakerThreshold: Int, breakerCooldownMs: Int,
                 chunkSize: Int, maxInFlight: Int, pollIntervalMs: Int, requestTimeoutMs: Int? = nil) {
        self.requestTimeoutMs = requestTimeoutMs
        self.batching = batching
        self.retry = retry
        self.breakerThreshold = breakerThreshold
        self.breakerCooldownMs = breakerCooldownMs
        self.chunkSize = chunkSize
        self.maxInFlight = maxInFlight
        self.pollIntervalMs = pollIntervalMs
    }

    /// The settings a configuration file gives.
    package init(_ c: SalurConfiguration) {
        self.init(
            batching: BatchingRules(c),
            retry: RetryPolicy(baseDelayMs: c.retry.baseDelayMs, maxDelayMs: c.retry.maxDelayMs, maxAttempts: c.retry.maxAttempts,
                               inquiryDelayMs: c.retry.inquiryDelayMs, notFoundSettleMs: c.retry.notFoundSettleMs),
            breakerThreshold: c.retry.breakerThreshold, breakerCooldownMs: c.retry.breakerCooldownMs,
            chunkSize: c.engine.chunkSize, maxInFlight: c.bank?.maxInFlight ?? 8, pollIntervalMs: c.engine.pollIntervalMs,
            requestTimeoutMs: c.bank?.requestTimeoutMs)
        accountRecheckDays = c.engine.accountRecheckDays
    }

    /// How long after its claim an attempt may still begin to leave: the settle time less the request
    /// timeout, so that by the settle point every request of the attempt has ended — whatever it waited
    /// for first (the chunk's other claims, a token, a connection). Past it the attempt is not sent
    /// (and counts as never having left). Nil when the request timeout is not known.
    package var departureWindowMs: Int? {
        requestTimeoutMs.map { max(0, retry.notFoundSettleMs - $0) }
    }
}

extension BatchingRules {
    /// The rules `[batching]` and `[bank.routing]` give (the standard routing without a `[bank]`).
    package init(_ c: SalurConfiguration) {
        let r = c.bank?.routing ?? SalurConfiguration.Routing()
        func limit(_ value: Int64) -> Rupiah? { value == 0 ? nil : Rupiah(value) }
        let routing = ServiceRouting(
            intrabankMax: limit(r.intrabankMax), interbankMax: Rupiah(r.interbankMax), rtgsMin: Rupiah(r.rtgsMin),
            rtgsMax: limit(r.rtgsMax), sknMax: Rupiah(r.sknMax),
            interbankOrder: r.interbankOrder.compactMap(TransferService.init(rawValue:)), noBIFastBanks: Set(r.noBIFastBanks))
        self.init(maxItems: c.batching.maxItems, maxAmount: c.batching.maxAmount, approvalRequired: c.batching.approvalRequired,
                  routing: routing)
    }
}
