public import SalurCore

/// One transfer the simulated bank received and decided on, as `/admin/ledger` lists it.
public struct LedgerEntry: Sendable, Equatable {
    /// Where the transfer stands.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Money moved; status inquiry answers `00`.
        case settled
        /// Booked and debited, not yet final; status inquiry answers `03`. Settles by itself.
        case pending
        /// Refused by a business rule (limit, funds, account); no money moved; status inquiry answers `06`.
        case failed
    }

    /// Position in the ledger, from 1.
    public let seq: Int
    /// 17 (intrabank) or 18 (interbank).
    public let service: SNAPService
    /// The client's reference, as sent.
    public let partnerReferenceNo: String
    /// The request's `X-EXTERNAL-ID`.
    public let externalId: String
    /// The bank's own reference.
    public let referenceNo: String
    /// The account debited.
    public let sourceAccountNo: String
    /// The account credited.
    public let beneficiaryAccountNo: String
    /// The beneficiary's bank, for interbank transfers.
    public let beneficiaryBankCode: String?
    /// Whole rupiah.
    public let amount: Rupiah
    /// See `Status`.
    public internal(set) var status: Status
    /// When the bank booked it, ISO 8601 in WIB.
    public let bookedAt: String

    /// The entry as `/admin/ledger` writes it; `amount` is an integer of whole rupiah.
    package var json: JSONValue {
        [
            "seq": .number(String(seq)),
            "service": .string(service.code),
            "partnerReferenceNo": .string(partnerReferenceNo),
            "externalId": .string(externalId),
            "referenceNo": .string(referenceNo),
            "sourceAccountNo": .string(sourceAccountNo),
            "beneficiaryAccountNo": .string(beneficiaryAccountNo),
            "beneficiaryBankCode": beneficiaryBankCode.map(JSONValue.string) ?? .null,
            "amount": .number(String(amount.value)),
            "status": .string(status.rawValue),
            "bookedAt": .string(bookedAt),
        ]
    }
}
