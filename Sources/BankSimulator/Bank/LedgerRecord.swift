/// A ledger entry with what only the bank keeps: when a pending one settles, and what it answered.
struct LedgerRecord: Sendable {
    var entry: LedgerEntry
    /// When a pending entry becomes settled.
    var settlesAt: ContinuousClock.Instant?
    /// The `responseCode` the transfer request was answered with (`nil` when the connection was
    /// dropped), reported as `previousResponseCode` by status inquiry.
    var answeredCode: String?
    /// The request's `transactionDate`.
    var transactionDate: String
    /// `04` refunded or `05` cancelled once the bank has reversed the booking (`Bank.reverse`):
    /// what a status inquiry reports instead of `06` for the failed entry.
    var reversedStatus: String? = nil
}
