/// What the bank decided about one transfer, under its lock.
enum TransferOutcome: Sendable {
    /// Refused; nothing booked (a business refusal is kept in the ledger as `failed`).
    case refused(SNAPStatus, fault: SimulatedFault?)
    /// A "before" fault that closes the connection; nothing booked.
    case dropped
    /// Booked (settled or pending); `fault` says how the answer is spoiled, if at all.
    case booked(LedgerEntry, fault: SimulatedFault?)
}
