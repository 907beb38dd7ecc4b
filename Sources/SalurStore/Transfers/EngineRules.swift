package import SalurCore

/// Which transfers the engine's own queries take, by state — once, for both stores, which render
/// these lists into their SQL (`StoreSQL.list`).
package enum EngineRules {
    /// What an approved batch still has to pay before it starts (its balance check covers these).
    package static let toPay: [TransferState] = [.approved, .retryWait]
    /// What a posting batch may still take from the source account.
    package static let mayStillTake: [TransferState] = [.approved, .retryWait, .sending, .inDoubt]
    /// Transfers an answer applies to: the attempt it answers is still theirs (`BatchRules.unresolved`).
    package static let answerable: [TransferState] = BatchRules.unresolved
    /// Transfers that wait for a time (`next_action_at`): a retry's backoff, an inquiry's delay.
    package static let waitingForTime: [TransferState] = [.retryWait, .inDoubt]
    /// Transfers that keep the engine busy whatever their batch: to be batched, on the wire, in doubt, to be retried.
    package static let keepEngineBusy: [TransferState] = [.pending, .sending, .inDoubt, .retryWait]
}
