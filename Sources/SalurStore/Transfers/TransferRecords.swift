package import Foundation
package import SalurCore

/// How batches are formed: the `[batching]` settings the store needs.
package struct BatchingRules: Sendable {
    package var maxItems: Int
    package var maxAmount: Rupiah
    package var approvalRequired: Bool
    /// `[bank.routing]`: the service each transfer is queued for.
    package var routing: ServiceRouting
    package init(maxItems: Int, maxAmount: Rupiah, approvalRequired: Bool, routing: ServiceRouting = .standard) {
        self.maxItems = maxItems
        self.maxAmount = maxAmount
        self.approvalRequired = approvalRequired
        self.routing = routing
    }
}

/// What `transfers enqueue` did.
package struct EnqueueSummary: Sendable, Codable, Equatable {
    package var queued = 0
    package var queuedAmount = Rupiah.zero
    package var alreadyQueued = 0
    /// Recipients of the programme without an opened account: never queued.
    package var skipped: [SkippedRecipient] = []
    package var batches: [String] = []
    /// Already queued transfers (same recipient, programme and period) whose amount, remark or account
    /// differ from what was asked: the first `QueueRules.shownDifferences`, and how many in all.
    package var differing: [DifferingTransfer] = []
    package var differingCount = 0
    package init() {}
}

/// A recipient that could not be paid, and why.
package struct SkippedRecipient: Sendable, Codable, Equatable {
    package let nik: String
    package let name: String
    package let state: String
    package let reason: String?
}

/// A new transfer to a bank account, as the store is asked to queue it.
package struct NewTransfer: Sendable {
    package var kind: TransferKind
    package var dedupeKey: String
    package var recipientID: Int64?
    package var nik: String?
    package var beneficiaryName: String
    package var beneficiaryAccount: String
    package var beneficiaryBankCode: String?
    package var program: String
    package var period: String
    package var amount: Rupiah
    package var remark: String
    package init(kind: TransferKind, dedupeKey: String, recipientID: Int64?, nik: String?, beneficiaryName: String,
                 beneficiaryAccount: String, beneficiaryBankCode: String?, program: String, period: String,
                 amount: Rupiah, remark: String) {
        self.kind = kind
        self.dedupeKey = dedupeKey
        self.recipientID = recipientID
        self.nik = nik
        self.beneficiaryName = beneficiaryName
        self.beneficiaryAccount = beneficiaryAccount
        self.beneficiaryBankCode = beneficiaryBankCode
        self.program = program
        self.period = period
        self.amount = amount
        self.remark = remark
    }
}

/// SNAP service a transfer goes through: 17 within the bank, 18 to another bank (e.g. BPJS).
package enum TransferKind: String, Sendable, Codable {
    case intrabank, interbank
}

/// A batch as listed.
package struct BatchSummary: Sendable, Codable, Equatable {
    package let id: String
    package let program: String
    package let period: String
    package let state: String
    package let itemCount: Int
    package let amount: Rupiah
    package let makers: String
    package let approvedBy: String?
    package let approvedAt: String?
    package let holdReason: String?
    package let createdAt: String
    /// Count and amount per transfer state inside the batch.
    package var transfers: [String: StateTotal]
}

/// A count and an amount.
package struct StateTotal: Sendable, Codable, Equatable {
    package var count: Int
    package var amount: Int64
    package init(count: Int = 0, amount: Int64 = 0) {
        self.count = count
        self.amount = amount
    }
}

/// `queue status`.
package struct QueueStatus: Sendable, Codable, Equatable {
    package var transfers: [String: StateTotal]
    package var batches: [String: StateTotal]
    /// Seconds since the oldest pending (not yet posted) transfer was queued.
    package var oldestPendingAgeSeconds: Int?
    package var oldestInDoubtAgeSeconds: Int?
    package init(transfers: [String: StateTotal], batches: [String: StateTotal], oldestPendingAgeSeconds: Int?, oldestInDoubtAgeSeconds: Int?) {
        self.transfers = transfers
        self.batches = batches
        self.oldestPendingAgeSeconds = oldestPendingAgeSeconds
        self.oldestInDoubtAgeSeconds = oldestInDoubtAgeSeconds
    }
}

/// One transfer as the reconciliation export shows it.
package struct TransferRecord: Sendable, Codable, Equatable {
    package let transferID: Int64
    package let partnerReferenceNo: String
    package let externalID: String?
    package let bankReferenceNo: String?
    package let batchID: String?
    package let kind: String
    package let program: String
    package let period: String
    package let nik: String?
    package let name: String
    package let accountNo: String
    package let bankCode: String?
    package let amount: Rupiah
    package let state: String
    package let attempts: Int
    package let createdAt: String
    package let settledAt: String?
    package let failureCode: String?
    package let failureMessage: String?
    /// The SNAP service it is queued for (`17`, `18`, `22`, `23`).
    package var service: String? = nil
}

/// An attempt committed as `sending`: everything needed to send it.
package struct ClaimedAttempt: Sendable, Equatable {
    package let transferID: Int64
    package let attemptNo: Int
    /// Attempts since the transfer was queued or last re-queued by an operator.
    package let roundAttempt: Int
    package let externalID: String
    package let partnerReferenceNo: String
    package let kind: TransferKind
    package let beneficiaryAccount: String
    package let beneficiaryName: String
    package let beneficiaryBankCode: String?
    package let amount: Rupiah
    package let remark: String
    package let batchID: String
    /// When the transfer was created: its SNAP `transactionDate`, the same on every attempt.
    package let createdAt: Date?
    /// The SNAP service it was queued for.
    package let service: TransferService
    /// Whether it pays a person (a recipient, with a NIK) rather than an institution (BPJS):
    /// RTGS and SKN send the beneficiary's customer type.
    package let paysPerson: Bool
    package init(transferID: Int64, attemptNo: Int, roundAttempt: Int, externalID: String, partnerReferenceNo: String, kind: TransferKind,
                 beneficiaryAccount: String, beneficiaryName: String, beneficiaryBankCode: String?, amount: Rupiah, remark: String,
                 batchID: String, createdAt: Date? = nil, service: String? = nil, paysPerson: Bool = true) {
        self.createdAt = createdAt
        self.service = TransferService.stored(service, kind: kind)
        self.paysPerson = paysPerson
        self.transferID = transferID
        self.attemptNo = attemptNo
        self.roundAttempt = roundAttempt
        self.externalID = externalID
        self.partnerReferenceNo = partnerReferenceNo
        self.kind = kind
        self.beneficiaryAccount = beneficiaryAccount
        self.beneficiaryName = beneficiaryName
        self.beneficiaryBankCode = beneficiaryBankCode
        self.amount = amount
        self.remark = remark
        self.batchID = batchID
    }
}

/// What the engine decided after an attempt's answer (or an inquiry's).
package struct Resolution: Sendable {
    package let transferID: Int64
    /// The attempt's external id: a resolution applies only if the transfer still carries it.
    package let externalID: String
    package let next: TransferState
    package let code: String?
    package let message: String?
    package let bankReference: String?
    /// When the engine should look at it again (retry or inquiry).
    package let nextActionAt: Date?
    /// Hold the transfer's batch with this reason (e.g. insufficient funds).
    package let holdBatch: String?
    /// This resolution records a "not found" answer that was not yet trusted.
    package let notFoundAnswer: Bool
    /// The attempt never left (cancelled while queued, fenced, client shut down): it is taken back
    /// from the attempts counted towards `retry.max_attempts`.
    package let neverLeft: Bool
    package init(transferID: Int64, externalID: String, next: TransferState, code: String? = nil, message: String? = nil,
                 bankReference: String? = nil, nextActionAt: Date? = nil, holdBatch: String? = nil, notFoundAnswer: Bool = false,
                 neverLeft: Bool = false) {
        self.neverLeft = neverLeft
        self.notFoundAnswer = notFoundAnswer
        self.transferID = transferID
        self.externalID = externalID
        self.next = next
        self.code = code
        self.message = message
        self.bankReference = bankReference
        self.nextActionAt = nextActionAt
        self.holdBatch = holdBatch
    }
}

/// A transfer in doubt whose status the bank must be asked.
package struct InquiryTarget: Sendable, Equatable {
    package let transferID: Int64
    package let externalID: String
    package let partnerReferenceNo: String
    package let kind: TransferKind
    package let amount: Rupiah
    /// The beneficiary account the transfer pays: a status answer about another account is not believed.
    package let beneficiaryAccount: String?
    package let roundAttempts: Int
    package let inquiriesSoFar: Int
    /// When the attempt in doubt was committed (its request left at most a moment later).
    package let attemptStartedAt: Date?
    /// How many inquiries in a row have answered "not found" for this attempt.
    package let notFoundAnswers: Int
    /// Why it is asked about, when that changes what an answer means (`RetryFailed`).
    package let askReason: AskReason?
    /// The SNAP service the transfer was sent by: the inquiry's `serviceCode`.
    package let service: TransferService
    package init(transferID: Int64, externalID: String, partnerReferenceNo: String, kind: TransferKind, amount: Rupiah, roundAttempts: Int,
                 inquiriesSoFar: Int, attemptStartedAt: Date?, notFoundAnswers: Int, beneficiaryAccount: String? = nil,
                 askReason: AskReason? = nil, service: String? = nil) {
        self.askReason = askReason
        self.service = TransferService.stored(service, kind: kind)
        self.beneficiaryAccount = beneficiaryAccount
        self.transferID = transferID
        self.externalID = externalID
        self.partnerReferenceNo = partnerReferenceNo
        self.kind = kind
        self.amount = amount
        self.roundAttempts = roundAttempts
        self.inquiriesSoFar = inquiriesSoFar
        self.attemptStartedAt = attemptStartedAt
        self.notFoundAnswers = notFoundAnswers
    }
}

/// A batch approved and waiting for its balance check.
package struct BatchToStart: Sendable, Equatable {
    package let id: String
    /// What is still to be paid in it.
    package let remaining: Rupiah
    package init(id: String, remaining: Rupiah) {
        self.id = id
        self.remaining = remaining
    }
}

/// An engine as recorded in the database: the one engine of a SQLite file, or each of the
/// engines sharing a PostgreSQL database.
package struct EngineLease: Sendable, Codable, Equatable {
    package let pid: Int
    package let host: String
    package let version: String
    package let startedAt: String
    package let heartbeatAt: String
    package let status: String
    /// The engine's identity (PostgreSQL: one per process start; nil for SQLite's single engine).
    package var id: String? = nil
    /// Until when its claims hold without a new heartbeat (PostgreSQL).
    package var leaseUntil: String? = nil
    /// Whether its lease is still current.
    package var live: Bool? = nil
    /// Transfers it has claimed and is sending now.
    package var holding: Int? = nil

    package init(pid: Int, host: String, version: String, startedAt: String, heartbeatAt: String, status: String,
                 id: String? = nil, leaseUntil: String? = nil, live: Bool? = nil, holding: Int? = nil) {
        self.pid = pid
        self.host = host
        self.version = version
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.status = status
        self.id = id
        self.leaseUntil = leaseUntil
        self.live = live
        self.holding = holding
    }
}
