package import Foundation
package import SalurCore

/// The bank as the engine sees it: four questions with answers already classified for the
/// exactly-once protocol (DESIGN §4). The engine never sees HTTP, curl or SNAP codes directly.
package protocol BankAdapter: Sendable {
    /// Sends one transfer attempt.
    func transfer(_ instruction: TransferInstruction) async -> TransferOutcome
    /// Asks what became of an earlier attempt (SNAP service 36).
    func inquire(_ query: StatusQuery) async -> InquiryOutcome
    /// The source account's available balance (SNAP service 11).
    func availableBalance() async -> BalanceOutcome
    /// Whether an account exists and is active, and its holder's name (SNAP service 15).
    func inquireAccount(_ accountNo: String) async -> AccountOutcome
    /// Whether an account at another bank exists, and its holder's name (SNAP service 16), asked
    /// before the first payment to it by 18, 22 or 23.
    func inquireExternalAccount(bankCode: String, accountNo: String) async -> AccountOutcome
}

/// One attempt of one transfer, as sent.
package struct TransferInstruction: Sendable, Equatable {
    package enum Service: Sendable, Equatable {
        /// SNAP 17: to an account at the same bank.
        case intrabank
        /// SNAP 18: to another bank (e.g. BPJS's account), with its bank code.
        case interbank(bankCode: String)
        /// SNAP 22: to another bank through BI-RTGS.
        case rtgs(bankCode: String)
        /// SNAP 23: to another bank through SKNBI.
        case skn(bankCode: String)

        /// The SNAP service code: `17`, `18`, `22` or `23`.
        package var code: String {
            switch self {
            case .intrabank: "17"
            case .interbank: "18"
            case .rtgs: "22"
            case .skn: "23"
            }
        }

        /// The beneficiary's bank, for a transfer to another bank.
        package var bankCode: String? {
            switch self {
            case .intrabank: nil
            case .interbank(let code), .rtgs(let code), .skn(let code): code
            }
        }
    }

    /// SNAP `beneficiaryCustomerType` (RTGS and SKN): who is paid.
    package enum CustomerType: String, Sendable, Equatable {
        /// `1`: a person (an aid recipient, a worker).
        case individual = "1"
        /// `2`: a company or institution (BPJS Ketenagakerjaan).
        case corporate = "2"
        /// `3`: a government body.
        case government = "3"
    }

    package var service: Service
    /// Who is paid (sent by RTGS and SKN only).
    package var beneficiaryType: CustomerType = .individual
    package var partnerReferenceNo: String
    package var externalID: String
    package var beneficiaryAccount: String
    package var beneficiaryName: String
    package var amount: Rupiah
    package var remark: String
    /// The transfer's own date (SNAP `transactionDate`), the same on every attempt so that a resend
    /// is the same request; nil sends the time of sending (no stored date to go by).
    package var transactionDate: Date?
    /// Fence at departure (DESIGN §4.8): the request must not begin to leave after this instant of the
    /// monotonic clock — the end of the lease the attempt was claimed under. Nil: no limit.
    package var sendBy: ContinuousClock.Instant? = nil

    package init(service: Service, partnerReferenceNo: String, externalID: String, beneficiaryAccount: String,
                 beneficiaryName: String, amount: Rupiah, remark: String, transactionDate: Date? = nil,
                 sendBy: ContinuousClock.Instant? = nil, beneficiaryType: CustomerType = .individual) {
        self.beneficiaryType = beneficiaryType
        self.transactionDate = transactionDate
        self.sendBy = sendBy
        self.service = service
        self.partnerReferenceNo = partnerReferenceNo
        self.externalID = externalID
        self.beneficiaryAccount = beneficiaryAccount
        self.beneficiaryName = beneficiaryName
        self.amount = amount
        self.remark = remark
    }
}

/// What an attempt's answer proves.
package enum TransferOutcome: Sendable, Equatable {
    /// The bank booked it.
    case settled(bankReference: String?, code: String)
    /// The bank may or may not have booked it: ask (service 36) before anything else.
    case inDoubt(code: String?, reason: String)
    /// The bank provably did nothing: a new attempt is safe after `retryAfter` (if given).
    /// `bankUnavailable` feeds the circuit breaker. `neverLeft`: the request was never handed to the
    /// network at all (cancelled while queued, the client shut down, fenced, not encodable) — such an
    /// attempt says nothing about the bank and counts neither towards `max_attempts` nor the breaker.
    /// A refused connection did reach for the bank, so it is not `neverLeft`.
    case notProcessed(code: String?, reason: String, retryAfterSeconds: Int?, bankUnavailable: Bool, neverLeft: Bool = false)
    /// The bank refused it for good (invalid or inactive account, over the limit, bad field).
    case rejected(code: String, reason: String)
    /// The source account cannot cover it: hold the batch for an operator.
    case insufficientFunds(code: String, reason: String)
    /// The bank's cut-off (SNAP `403xx06`, "feature not allowed at this time"): nothing was booked;
    /// the transfer waits until the bank's window reopens, and the wait counts towards no limit.
    case afterCutOff(code: String, reason: String)
    /// A limit of the bank refused it, booking nothing: the amount limit per transaction (`403xx02`),
    /// which holds the batch for an operator, or a daily limit (`403xx20` merchant, `403xx23`
    /// account), which lifts at the bank's next day. `limit` names it in the operator's words.
    case overLimit(code: String, reason: String, limit: String, daily: Bool)
}

/// A status inquiry about one attempt, with what was sent: an answer is believed only when it is
/// about that (DESIGN §4.7) — the same reference, service, amount and beneficiary account.
package struct StatusQuery: Sendable, Equatable {
    package var partnerReferenceNo: String
    package var externalID: String
    /// Service 18 (interbank) rather than 17 (intrabank).
    package var interbank: Bool
    /// The SNAP service the transfer was sent by (`17`, `18`, `22`, `23`): the inquiry's `serviceCode`.
    package var serviceCode: String
    /// The amount sent; nil when not known (the answer's amount is then not checked).
    package var amount: Rupiah?
    /// The beneficiary account sent; nil when not known (the answer's account is then not checked).
    package var beneficiaryAccount: String?
    package init(partnerReferenceNo: String, externalID: String, interbank: Bool, amount: Rupiah? = nil,
                 beneficiaryAccount: String? = nil, serviceCode: String? = nil) {
        self.partnerReferenceNo = partnerReferenceNo
        self.externalID = externalID
        self.interbank = interbank
        self.serviceCode = serviceCode ?? (interbank ? "18" : "17")
        self.amount = amount
        self.beneficiaryAccount = beneficiaryAccount
    }
}

/// What a status inquiry says.
package enum InquiryOutcome: Sendable, Equatable {
    /// `00`: booked.
    case settled(bankReference: String?)
    /// `04` refunded, `05` cancelled, `06` failed: no money moved.
    case failed(status: String, reason: String)
    /// `07`: the bank has no such transaction; a new attempt is safe.
    case notFound
    /// `01`/`02`/`03`: still being processed; ask again later.
    case pending(status: String)
    /// No usable answer; ask again later.
    case unknown(reason: String, bankUnavailable: Bool)
}

/// The balance inquiry's answer.
package enum BalanceOutcome: Sendable, Equatable {
    case available(Rupiah)
    /// No usable answer; ask again later.
    case unavailable(reason: String)
    /// The bank says the source account cannot pay (restricted, frozen, dormant, closed): batches are
    /// held with the reason, for an operator.
    case notUsable(reason: String)
}

/// The account inquiry's answer, with `beneficiaryAccountStatus` read by the bank's wordings
/// (`AccountStatusWordings`).
package enum AccountOutcome: Sendable, Equatable {
    /// Exists and can be credited (status absent or an active wording).
    case active(name: String)
    /// Exists but cannot be credited: an inactive, dormant, blocked, frozen or closed wording.
    /// `status` is the bank's own text, when it gave one.
    case inactive(name: String?, status: String?)
    /// The bank does not know the account (404).
    case unknown
    /// No usable answer; ask again later.
    case unavailable(reason: String)
    /// A status wording Salur does not know: not paid until an operator decides, shown with the text.
    case unrecognised(status: String, name: String?)
}

extension TransferOutcome {
    /// Whether the answer says the bank itself is unavailable (a 5xx, or no answer at all), for the
    /// circuit breaker; read from the SNAP code here, where SNAP codes are read.
    package var bankUnavailable: Bool {
        switch self {
        case .settled, .rejected, .insufficientFunds, .overLimit: false
        case .afterCutOff: true
        case .notProcessed(_, _, _, let unavailable, _): unavailable
        case .inDoubt(let code, _): (code.flatMap(SNAPResponseCode.init)?.httpStatus ?? 500) >= 500
        }
    }
}
