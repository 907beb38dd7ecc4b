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

    package init(batching: BatchingRules, retry: RetryPolicy, breakerThreshold: Int, breakerCooldownMs: Int,
                 chunkSize: Int, maxInFlight: Int, pollIntervalMs: Int) {
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
            batching: BatchingRules(maxItems: c.batching.maxItems, maxAmount: c.batching.maxAmount, approvalRequired: c.batching.approvalRequired),
            retry: RetryPolicy(baseDelayMs: c.retry.baseDelayMs, maxDelayMs: c.retry.maxDelayMs, maxAttempts: c.retry.maxAttempts,
                               inquiryDelayMs: c.retry.inquiryDelayMs, notFoundSettleMs: c.retry.notFoundSettleMs),
            breakerThreshold: c.retry.breakerThreshold, breakerCooldownMs: c.retry.breakerCooldownMs,
            chunkSize: c.engine.chunkSize, maxInFlight: c.bank?.maxInFlight ?? 8, pollIntervalMs: c.engine.pollIntervalMs)
    }
}
