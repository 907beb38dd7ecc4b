/// Where a non-cash transfer stands. See DESIGN §4: a transfer is paid once, or not at all.
///
/// `pending → awaiting_approval → approved → sending → settled`, with `in_doubt` whenever an
/// answer does not prove what the bank did, `retry_wait` when it proves the bank did nothing,
/// and `held` / `cancelled` / `failed` where an operator or the bank stops it.
public enum TransferState: String, Sendable, CaseIterable, Codable {
    /// Queued, not yet in a batch.
    case pending
    /// In a batch that waits for a checker's approval.
    case awaitingApproval = "awaiting_approval"
    /// Approved; will be sent when its batch is posted.
    case approved
    /// An attempt is committed and its request may be on the wire.
    case sending
    /// The bank may or may not have booked it: only a status inquiry may decide; never resent before.
    case inDoubt = "in_doubt"
    /// The bank provably did nothing; a new attempt waits for its backoff.
    case retryWait = "retry_wait"
    /// Booked by the bank.
    case settled
    /// Refused by the bank, or out of attempts.
    case failed
    /// Stopped by an operator or for lack of funds; `release` resumes it.
    case held
    /// Stopped for good before any booking.
    case cancelled
    /// Booked, then credited back by the bank (a reversal or return on the statement); the
    /// recipient needs an operator's attention.
    case returned

    /// No further work will happen without an operator.
    public var isTerminal: Bool { self == .settled || self == .failed || self == .cancelled || self == .returned }

    /// States whose money may still leave the source account.
    public var mayStillPay: Bool { !isTerminal }

    /// Whether the engine may move a transfer from `self` to `next` (operators' moves included).
    public func allows(_ next: TransferState) -> Bool {
        switch (self, next) {
        case (.pending, .awaitingApproval), (.pending, .approved), (.pending, .cancelled): true
        case (.awaitingApproval, .approved), (.awaitingApproval, .held), (.awaitingApproval, .cancelled): true
        case (.approved, .sending), (.approved, .held), (.approved, .cancelled): true
        case (.sending, .settled), (.sending, .inDoubt), (.sending, .retryWait), (.sending, .failed), (.sending, .held): true
        case (.inDoubt, .settled), (.inDoubt, .failed), (.inDoubt, .retryWait), (.inDoubt, .inDoubt): true
        case (.retryWait, .sending), (.retryWait, .held), (.retryWait, .cancelled), (.retryWait, .failed): true
        case (.held, .approved), (.held, .awaitingApproval), (.held, .cancelled): true
        case (.failed, .approved): true   // operator retry: a new attempt of the same transfer
        case (.settled, .returned): true  // reconciliation found the money credited back
        default: false
        }
    }

    /// Every state a transfer in `state` can come to by moves `allows`, `state` itself included.
    public static func reachable(from state: TransferState) -> Set<TransferState> {
        var seen: Set<TransferState> = [state]
        var frontier = [state]
        while let current = frontier.popLast() {
            for next in allCases where current.allows(next) && !seen.contains(next) {
                seen.insert(next)
                frontier.append(next)
            }
        }
        return seen
    }

    /// The states a transfer can be in at rest (everything but `sending`, which only exists in flight).
    public static let operatorStoppable: [TransferState] = [.pending, .awaitingApproval, .approved, .retryWait, .held]
}

/// Where a batch stands.
public enum BatchState: String, Sendable, CaseIterable, Codable {
    /// Formed; waits for a checker.
    case awaitingApproval = "awaiting_approval"
    /// Approved; the engine will check the source balance and start posting.
    case approved
    /// Balance checked; its transfers are being sent.
    case posting
    /// Stopped by an operator or for lack of funds.
    case held
    /// Stopped for good.
    case cancelled
    /// Every transfer is settled, failed or cancelled.
    case done
}
