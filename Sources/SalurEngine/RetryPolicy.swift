package import Foundation

/// Exponential backoff with full jitter (a random delay between 0 and `base × 2^(n-1)`, capped),
/// never shorter than what the bank asked for in `Retry-After`.
package struct RetryPolicy: Sendable, Equatable {
    package var baseDelayMs: Int
    package var maxDelayMs: Int
    package var maxAttempts: Int
    package var inquiryDelayMs: Int
    /// How long after an attempt left a "not found" answer is believed (and only when a second
    /// inquiry agrees): a bank may still be processing a request it has not yet recorded.
    package var notFoundSettleMs: Int

    package init(baseDelayMs: Int, maxDelayMs: Int, maxAttempts: Int, inquiryDelayMs: Int, notFoundSettleMs: Int = 60_000) {
        self.baseDelayMs = baseDelayMs
        self.maxDelayMs = maxDelayMs
        self.maxAttempts = maxAttempts
        self.inquiryDelayMs = inquiryDelayMs
        self.notFoundSettleMs = notFoundSettleMs
    }

    /// The wait before try `n` (1-based count of tries so far), in milliseconds.
    package func delayMs<R: RandomNumberGenerator>(after tries: Int, retryAfterSeconds: Int?, using random: inout R) -> Int {
        let exponent = min(max(tries - 1, 0), 30)
        let ceiling = min(maxDelayMs, baseDelayMs.multipliedReportingOverflow(by: 1 << exponent).overflow ? maxDelayMs : baseDelayMs << exponent)
        let jittered = ceiling <= 0 ? 0 : Int.random(in: 0...ceiling, using: &random)
        // A bank's Retry-After is honoured up to the longest backoff: a huge value must neither
        // overflow nor park a transfer for years.
        let floor = min(max(retryAfterSeconds ?? 0, 0), maxDelayMs / 1000) * 1000
        return max(jittered, floor)
    }

    package func date<R: RandomNumberGenerator>(after tries: Int, retryAfterSeconds: Int?, from now: Date, using random: inout R) -> Date {
        now.addingTimeInterval(Double(delayMs(after: tries, retryAfterSeconds: retryAfterSeconds, using: &random)) / 1000)
    }
}

/// Stops hammering a bank that is down: after `threshold` consecutive "bank unavailable"
/// outcomes, no new attempt is started for `cooldown`; then one chunk probes it.
package struct CircuitBreaker: Sendable {
    package var threshold: Int
    package var cooldownMs: Int
    private(set) var consecutiveFailures = 0
    private(set) var openUntil: Date?

    package init(threshold: Int, cooldownMs: Int) {
        self.threshold = threshold
        self.cooldownMs = cooldownMs
    }

    /// Whether new attempts may start now.
    package func allows(_ now: Date) -> Bool { openUntil.map { now >= $0 } ?? true }

    /// When the breaker closes again, if open.
    package var reopensAt: Date? { openUntil }

    package mutating func record(bankUnavailable: Bool, now: Date) {
        if bankUnavailable {
            consecutiveFailures += 1
            if consecutiveFailures >= threshold { openUntil = now.addingTimeInterval(Double(cooldownMs) / 1000) }
        } else {
            consecutiveFailures = 0
            openUntil = nil
        }
    }
}
