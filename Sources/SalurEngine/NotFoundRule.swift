package import Foundation

/// When the bank's "not found" (status `07`) may be believed, so that a transfer in doubt is sent
/// again (DESIGN §4.3, §4.5): only from answers received after the attempt's settle point — the moment
/// by which the bank must have recorded anything sent — and only when two such answers agree.
///
/// An attempt's age is measured on the wall clock from its start (or from a recovery, which is its
/// settle point then: `settle_from`), and never taken as more than the monotonic time this engine has
/// known the attempt's request to be over — since its request ended (however long it waited to leave), or
/// since the engine started for attempts of an earlier process or of another engine. So a wall clock stepped forward (NTP, an operator, a restored VM)
/// cannot make an attempt look older than it is; one stepped back only makes it look younger, which
/// delays the resend and never hastens it.
package struct NotFoundRule {
    package init(settleSeconds: TimeInterval, inquiryDelaySeconds: TimeInterval) {
        self.settleSeconds = settleSeconds
        self.inquiryDelaySeconds = inquiryDelaySeconds
    }

    /// How long after an attempt's start the bank must have recorded it.
    package var settleSeconds: TimeInterval
    /// The shortest wait between two inquiries.
    package var inquiryDelaySeconds: TimeInterval

    /// What one "not found" answer decides.
    package enum Verdict: Equatable {
        /// Two answers after the settle point agree: a new attempt is safe.
        case believe
        /// Ask again at `next`; `counts` says whether this answer came after the settle point.
        case askAgain(next: Date, counts: Bool)
    }

    /// - Parameters:
    ///   - startedAt: the attempt's start, or the transfer's settle point when later (wall clock).
    ///   - knownFor: how long, by the monotonic clock, this engine has known the attempt's request to be over.
    ///   - countedSoFar: earlier "not found" answers that came after the settle point.
    package func judge(startedAt: Date?, knownFor: TimeInterval, countedSoFar: Int, now: Date) -> Verdict {
        let wallAge = startedAt.map { now.timeIntervalSince($0) } ?? 0
        let age = min(wallAge, knownFor)
        let settled = age >= settleSeconds
        if settled, countedSoFar >= 1 { return .believe }
        let untilSettled = max(0, settleSeconds - age)
        return .askAgain(next: now.addingTimeInterval(max(inquiryDelaySeconds, untilSettled)), counts: settled)
    }
}
