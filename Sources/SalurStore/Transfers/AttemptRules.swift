/// When a transfer has used up its attempts, and what it says then — for the engine deciding after
/// an answer (`OutcomePolicy`) and for the stores, which fail at claim time a transfer whose attempts
/// ran out while it waited (`max_attempts` lowered by a reload).
package enum AttemptRules {
    /// Whether a transfer whose `round`-th attempt since it was queued (or last re-queued by an
    /// operator) proved that nothing was booked has used up `maxAttempts`.
    package static func isExhausted(round: Int, maxAttempts: Int) -> Bool { round >= maxAttempts }

    /// The reason it fails with, after the answer that used up its last attempt.
    package static func gaveUp(after attempts: Int, reason: String) -> String { "gave up after \(attempts) attempts: \(reason)" }

    /// The reason it fails with when found out of attempts at claim time; `last`: its last answer.
    package static func gaveUpWaiting(after attempts: Int, last: String?) -> String { "gave up after \(attempts) attempts; last: \(last ?? "")" }
}
