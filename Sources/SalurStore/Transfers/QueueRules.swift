package import SalurCore

/// What queueing transfers allows, the same whichever store persists them: each store calls these
/// and only reads and writes what they need.
package enum QueueRules {
    /// Why `transfer` may not be queued under `rules`, or nil: its amount within `batching.max_amount`,
    /// its remark one the bank accepts (`TransferRemark`).
    package static func refusal(_ transfer: NewTransfer, rules: BatchingRules) -> String? {
        if transfer.amount.value <= 0 { return "a transfer of \(transfer.amount) is not a payment" }
        if transfer.amount > rules.maxAmount {
            return "a transfer of \(transfer.amount) exceeds batching.max_amount (\(rules.maxAmount)); raise it or split the payment"
        }
        if let problem = TransferRemark.problem(transfer.remark) { return "remark \(problem)" }
        if transfer.kind == .interbank {
            let code = transfer.beneficiaryBankCode ?? ""
            guard !code.isEmpty else { return "a transfer to another bank needs the beneficiary's bank code" }
            guard code.utf8.count <= SNAPBounds.bankCode, code.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }) else {
                return "bank code \"\(code)\" is not a bank code (digits or a BIC, at most \(SNAPBounds.bankCode) characters)"
            }
        }
        if case .failure(let refusal) = service(transfer, rules: rules) { return refusal.description }
        return nil
    }

    /// The SNAP service `transfer` is queued for (`[bank.routing]`), stored with it.
    package static func service(_ transfer: NewTransfer, rules: BatchingRules) -> Result<TransferService, RoutingRefusal> {
        rules.routing.route(kind: transfer.kind, amount: transfer.amount, bankCode: transfer.beneficiaryBankCode)
    }

    /// The service code a store writes with a new transfer (`refusal` was checked before).
    package static func serviceCode(_ transfer: NewTransfer, rules: BatchingRules) -> String {
        ((try? service(transfer, rules: rules).get()) ?? TransferService.stored(nil, kind: transfer.kind)).rawValue
    }

    /// Refuses a queueing that would take the ledger's transfers past `Rupiah.ledgerLimit` in all, so
    /// that no total of transfers (SQL `sum()` included) can overflow. `queuedBefore` is the sum of every
    /// transfer already stored, `adding` those about to be.
    package static func checkLedgerTotal(queuedBefore: Rupiah, adding: [NewTransfer]) throws {
        var total = queuedBefore
        for transfer in adding {
            guard let next = try? total.adding(transfer.amount), next <= Rupiah.ledgerLimit else {
                throw StoreError.refused("queueing these transfers would take the ledger past \(Rupiah.ledgerLimit) in transfers "
                                         + "(\(queuedBefore) already queued); nothing was queued")
            }
            total = next
        }
    }

    /// How an already queued transfer differs from the one asked for with the same key (same recipient,
    /// programme and period), in the operator's words; empty when they agree.
    package static func differences(queued: QueuedTerms, asked: NewTransfer) -> [String] {
        var found: [String] = []
        if queued.amount != asked.amount { found.append("amount \(queued.amount) queued, \(asked.amount) asked") }
        if queued.remark != asked.remark { found.append("remark \"\(queued.remark)\" queued, \"\(asked.remark)\" asked") }
        if queued.account != asked.beneficiaryAccount {
            found.append("account \(Validate.maskedAccount(queued.account)) queued, \(Validate.maskedAccount(asked.beneficiaryAccount)) asked")
        }
        return found
    }

    /// Collects a difference into the summary (the first `shownDifferences` in full, all counted).
    package static func note(queued: QueuedTerms, asked: NewTransfer, into summary: inout EnqueueSummary) {
        let found = differences(queued: queued, asked: asked)
        guard !found.isEmpty else { return }
        summary.differingCount += 1
        if summary.differing.count < shownDifferences {
            summary.differing.append(DifferingTransfer(nik: asked.nik, program: asked.program, period: asked.period,
                                                       state: queued.state, differences: found))
        }
    }

    /// How many differing transfers a summary lists one by one.
    package static let shownDifferences = 20

    /// A programme's transfer is queued once per recipient, programme and period: its dedupe key.
    package static func aidKey(nik: String, program: String, period: Period) -> String { "aid:\(nik):\(program):\(period)" }

    /// `transfers enqueue` of a programme no recipient is in.
    package static func noRecipient(program: String) -> String { "no recipient in programme \(program)" }

    /// Why a recipient with an opened account is not paid: the bank's last check of the account says
    /// it is not payable (`AccountHold`).
    package static func notPayable(account: String, check: AccountCheck) -> String {
        "the bank reports account \(Validate.maskedAccount(account)) \(check.rawValue)"
    }

    /// The audit details of `transfers enqueue` of a programme (`amountEach` to each recipient).
    package static func programDetails(_ summary: EnqueueSummary, amountEach: Rupiah) -> [String: String] {
        var details = queuedDetails(summary)
        details["amount_each"] = String(amountEach.value)
        details["already_queued"] = String(summary.alreadyQueued)
        details["skipped"] = String(summary.skipped.count)
        return details
    }

    /// The audit details of `transfers enqueue` of a file.
    package static func fileDetails(_ summary: EnqueueSummary, source: SourceFile) -> [String: String] {
        var details = queuedDetails(summary)
        details["sha256"] = source.sha256
        details["already_queued"] = String(summary.alreadyQueued)
        return details
    }

    /// The audit details of any queueing: how many, their total, the batches they went to.
    package static func queuedDetails(_ summary: EnqueueSummary) -> [String: String] {
        ["queued": String(summary.queued), "total": String(summary.queuedAmount.value), "batches": summary.batches.joined(separator: " ")]
    }

    /// A transfer cancelled for good gives up its key: `dedupe_key` becomes `key#cancelled-<id>`, so that
    /// its recipient, programme and period may be queued again (with corrected data) while the cancelled
    /// transfer stays on record under its own id and reference. Both stores write `dedupe_key || mark || id`.
    package static let releasedKeyMark = "#cancelled-"
}

/// What a queued transfer holds that an operator may have asked differently.
package struct QueuedTerms: Sendable {
    package let amount: Rupiah
    package let remark: String
    package let account: String
    package let state: String

    package init(amount: Rupiah, remark: String, account: String, state: String) {
        self.amount = amount
        self.remark = remark
        self.account = account
        self.state = state
    }
}

/// An already queued transfer whose terms differ from a new request for the same recipient,
/// programme and period (nothing is changed: the operator decides).
package struct DifferingTransfer: Sendable, Codable, Equatable {
    package let nik: String?
    package let program: String
    package let period: String
    package let state: String
    package let differences: [String]
}

/// What `transfers cancel` did.
package struct CancelSummary: Sendable, Codable, Equatable {
    package var cancelled = 0
    package var amount = Rupiah.zero
    package var batches: [String] = []
    package init() {}

    /// The `last_message` a cancelled failed transfer keeps.
    package static func message(actor: String, reason: String) -> String { "cancelled by \(actor): \(reason)" }

    /// What the store does, named in its errors.
    package static let operation = "cancelling failed transfers"

    /// The audit details of `transfers cancel --failed`: the operator's reason, what was asked for
    /// (`niks`) and the transfers cancelled (`transfers`, by id).
    package func auditDetails(reason: String, niks: [String], transfers: [Int64]) -> [String: String] {
        ["reason": reason, "cancelled": String(cancelled), "amount": String(amount.value), "batches": batches.joined(separator: " "),
         "niks": niks.joined(separator: " "), "transfers": transfers.map(String.init).joined(separator: " ")]
    }
}
