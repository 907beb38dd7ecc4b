/// Request and response bodies of the SNAP-BI services Salur uses. Amounts are SNAP strings
/// (`"300000.00"`) converted to and from `Rupiah` at the edge; nothing here is floating point.
struct SNAPAmount: Codable, Equatable {
    var value: String
    var currency: String
}

struct TokenRequest: Encodable { let grantType = "client_credentials" }

struct TokenResponse: Decodable {
    var responseCode: String?
    var responseMessage: String?
    var accessToken: String?
    var tokenType: String?
    /// Seconds, sent as a string by the standard (some banks send a number).
    var expiresIn: FlexibleInt?
}

/// A number some banks send as `"900"` and others as `900`.
struct FlexibleInt: Decodable {
    let value: Int
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) { value = number; return }
        let text = try container.decode(String.self)
        guard let number = Int(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an integer: \(text)")
        }
        value = number
    }
}

struct TransferRequest: Encodable {
    var partnerReferenceNo: String
    var amount: SNAPAmount
    var beneficiaryAccountNo: String
    var beneficiaryAccountName: String?
    var beneficiaryBankCode: String?
    var sourceAccountNo: String
    var transactionDate: String
    var remark: String?
}

/// Services 22 (RTGS) and 23 (SKN): the interbank fields and the ones these two make mandatory.
struct ClearingTransferRequest: Encodable {
    var partnerReferenceNo: String
    var amount: SNAPAmount
    var beneficiaryAccountName: String
    var beneficiaryAccountNo: String
    var beneficiaryBankCode: String
    /// `1` resident, `2` non-resident: Salur pays residents only.
    var beneficiaryCustomerResidence = "1"
    /// `1` individual, `2` corporate, `3` government.
    var beneficiaryCustomerType: String
    var sourceAccountNo: String
    var transactionDate: String
    var remark: String?
}

struct TransferResponse: Decodable {
    var responseCode: String?
    var responseMessage: String?
    var referenceNo: String?
    var partnerReferenceNo: String?
    /// Services 22 and 23: where the bank says the order stands (`00` done, `03` pending, …).
    var transactionStatus: String?
    var latestTransactionStatus: String?
    /// Echoes of what was sent, where the bank returns them: checked before a success is believed.
    var amount: SNAPAmount?
    var beneficiaryAccountNo: String?
}

struct StatusRequest: Encodable {
    var originalPartnerReferenceNo: String
    /// Left out on purpose: Salur asks what became of the reference, whichever attempt the bank holds.
    var originalExternalId: String?
    var serviceCode: String
    /// What was sent, so that the bank's answer (even "not found") can be checked against it.
    var amount: SNAPAmount?
}

struct StatusResponse: Decodable {
    var responseCode: String?
    var responseMessage: String?
    var originalPartnerReferenceNo: String?
    var originalReferenceNo: String?
    /// The booking the bank describes: believed only when it is the one Salur sent.
    var serviceCode: String?
    var amount: SNAPAmount?
    var beneficiaryAccountNo: String?
    var latestTransactionStatus: String?
    var transactionStatusDesc: String?
}

struct BalanceRequest: Encodable {
    var partnerReferenceNo: String
    var accountNo: String
}

struct BalanceResponse: Decodable {
    struct AccountInfo: Decodable {
        var balanceType: String?
        var amount: SNAPAmount?
        var availableBalance: SNAPAmount?
        /// The account's status: 0001 active, 0002 closed, 0004 new, 0006 restricted, 0007 frozen, 0009 dormant.
        var status: String?
    }
    var responseCode: String?
    var responseMessage: String?
    var accountInfos: [AccountInfo]?
}

struct AccountInquiryRequest: Encodable {
    var partnerReferenceNo: String
    var beneficiaryAccountNo: String
}

/// Service 16: an account at another bank.
struct ExternalAccountInquiryRequest: Encodable {
    var beneficiaryBankCode: String
    var beneficiaryAccountNo: String
    var partnerReferenceNo: String
}

struct AccountInquiryResponse: Decodable {
    var responseCode: String?
    var responseMessage: String?
    var beneficiaryAccountName: String?
    /// Optional free text, up to 16 characters ("Rekening aktif" in the standard's sample).
    var beneficiaryAccountStatus: String?
}
