package import SalurCore

/// Re-paying failed transfers (`salurctl transfers retry --failed`), decided here once for both stores.
///
/// Re-payment is maker-checker, as a first payment is: the failed transfers chosen go into a new batch
/// (`B-YYYY-MM-nnnn`, formed as any batch), awaiting a checker's approval when approval is required, the
/// operator who asked for the retry being one of its makers (so `distinct_approver` refuses them). Each
/// keeps its partnerReferenceNo, and each is asked about at the bank (service 36) before it is sent, as a
/// restore recovery asks (`RestoreRecovery`): it goes `in_doubt` with its settle point at the retry and
/// the ask reason `retry`. The answer decides:
/// - `00` booked → settled: it was paid after all, and is never sent again;
/// - `07` not found twice past the settle point → `retry_wait`, sent once its batch is approved and posting;
/// - `01`/`02`/`03` → asked again later;
/// - `04` refunded, `05` cancelled, `06` failed → `retry_wait`: no money stayed with the beneficiary, so it
///   may be paid again — only here. Asked about for any other reason (a timeout, a restart), the same
///   answer makes the transfer `failed`, and the engine never sends a failed transfer by itself.
/// A new attempt clears the ask reason: an answer about that attempt is read as any other.
package enum RetryFailed {
    /// The stand-in external id prefix (+ the transfer's id) for a failed transfer that never had an
    /// attempt: it pairs the inquiry's answer with the transfer and is never sent (inquiries go by
    /// partnerReferenceNo).
    package static let standInExternalIDPrefix = "retry-"

    /// The SQL condition, on a transfer `t`, that no statement shows it debited: a failed transfer a
    /// statement shows debited was booked by the bank, and is neither re-paid nor cancelled.
    package static let notDebited = "NOT EXISTS (SELECT 1 FROM statement_entry e WHERE e.transfer_id = t.id AND e.direction = 'debit')"

    /// What the store does, named in its errors.
    package static let operation = "re-queueing failed transfers"

    /// The audit details of a retry: how many transfers, from which batches, into which new ones.
    package static func auditDetails(transfers: Int, from: [String], batches: [String]) -> [String: String] {
        ["transfers": String(transfers), "from": from.joined(separator: " "), "batches": batches.joined(separator: " ")]
    }

    /// The transfer's `last_message` while it is asked about.
    package static func message(actor: String) -> String {
        "re-payment queued by \(actor): asking the bank before it is sent again"
    }

    /// What a "failed at the bank" answer (`04`, `05`, `06`) to a status inquiry makes of a transfer
    /// asked about for `reason`: the state it goes to, and the message it carries.
    package static func afterFailedAnswer(status: String, reason: String, askedFor: AskReason?) -> (next: TransferState, message: String) {
        switch askedFor {
        case .retry?:
            return (.retryWait, "re-payment: the bank reports it \(Self.describe(status)) (\(reason)); no money moved, sending it again")
        case nil:
            return (.failed, reason)
        }
    }

    static func describe(_ status: String) -> String {
        switch status {
        case "04": "refunded"
        case "05": "cancelled"
        default: "failed"
        }
    }
}

/// Why a transfer in doubt is being asked about, when that changes what an answer means
/// (`transfer.ask_reason`; none for a transfer in doubt after an attempt).
package enum AskReason: String, Sendable, Equatable, Codable {
    /// Queued again by `transfers retry --failed`: a `04`/`05`/`06` answer means "send".
    case retry
}

/// What `transfers retry --failed` did.
package struct RetrySummary: Sendable, Equatable, Codable {
    /// How many failed transfers were put in new batches.
    package var transfers: Int
    /// The new batches, in id order.
    package var batches: [String]
    /// Whether the new batches await a checker's approval.
    package var awaitingApproval: Bool

    package init(transfers: Int = 0, batches: [String] = [], awaitingApproval: Bool = false) {
        self.transfers = transfers
        self.batches = batches
        self.awaitingApproval = awaitingApproval
    }
}
