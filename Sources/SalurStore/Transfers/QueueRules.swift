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

    /// What `transfers enqueue --program` makes of one recipient of the programme: a transfer to its
    /// opened account, or — no opened account, or one the bank's last check found not payable — a
    /// skipped recipient, listed with why.
    package static func programTransfer(_ recipient: ProgramRecipient, program: String, period: Period, amount: Rupiah,
                                        remark: String) -> ProgramPayment {
        guard recipient.openingState == "opened", let account = recipient.account else {
            return .skip(SkippedRecipient.make(nik: recipient.nik, name: recipient.name, state: recipient.openingState,
                                               reason: recipient.rejectionReason))
        }
        if let check = recipient.accountCheck.flatMap(AccountCheck.init), !check.payable {
            return .skip(SkippedRecipient.make(nik: recipient.nik, name: recipient.name, state: "opened",
                                               reason: notPayable(account: account, check: check)))
        }
        return .queue(NewTransfer(kind: .intrabank, dedupeKey: aidKey(nik: recipient.nik, program: program, period: period),
                                  recipientID: recipient.id, nik: recipient.nik, beneficiaryName: recipient.name,
                                  beneficiaryAccount: account, beneficiaryBankCode: nil, program: program,
                                  period: period.description, amount: amount, remark: remark))
    }

    /// The transfers of `transfers` to store — those whose key is neither stored already (`stored`
    /// holds the terms of every one of their keys the store has) nor given earlier in the list —
    /// numbered from `firstID` in the order asked. The others are counted as already queued, and
    /// where their terms differ from the queued ones, noted (a key repeated in the list is compared
    /// with its first, not yet stored: `pending`). Adds the new ones to `summary`'s count and total.
    package static func fresh(_ transfers: [NewTransfer], stored: [String: QueuedTerms], firstID: Int64,
                              into summary: inout EnqueueSummary) throws -> [(id: Int64, transfer: NewTransfer)] {
        var fresh: [(id: Int64, transfer: NewTransfer)] = []
        fresh.reserveCapacity(transfers.count)
        var freshIndex: [String: Int] = [:]
        var total = summary.queuedAmount
        for transfer in transfers {
            if let index = freshIndex[transfer.dedupeKey] {
                let first = fresh[index].transfer
                summary.alreadyQueued += 1
                note(queued: QueuedTerms(amount: first.amount, remark: first.remark, account: first.beneficiaryAccount,
                                         state: TransferState.pending.rawValue), asked: transfer, into: &summary)
            } else if let terms = stored[transfer.dedupeKey] {
                summary.alreadyQueued += 1
                note(queued: terms, asked: transfer, into: &summary)
            } else {
                freshIndex[transfer.dedupeKey] = fresh.count
                fresh.append((firstID + Int64(fresh.count), transfer))
                summary.queued += 1
                total = try total.adding(transfer.amount)
            }
        }
        summary.queuedAmount = total
        return fresh
    }

    /// How many dedupe keys a store asks about in one query when it looks up `fresh`'s `stored`.
    package static let keysPerLookup = 500

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

/// A recipient of a programme as `transfers enqueue --program` reads it from the store.
package struct ProgramRecipient: Sendable {
    package let id: Int64
    package let nik: String
    package let name: String
    package let openingState: String
    package let account: String?
    package let rejectionReason: String?
    package let accountCheck: String?

    package init(id: Int64, nik: String, name: String, openingState: String, account: String?, rejectionReason: String?,
                 accountCheck: String?) {
        self.id = id
        self.nik = nik
        self.name = name
        self.openingState = openingState
        self.account = account
        self.rejectionReason = rejectionReason
        self.accountCheck = accountCheck
    }
}

/// What `QueueRules.programTransfer` makes of a recipient.
package enum ProgramPayment: Sendable {
    case queue(NewTransfer)
    case skip(SkippedRecipient)
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
