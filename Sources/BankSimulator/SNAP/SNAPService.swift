/// The SNAP-BI services the simulator offers, by their two-digit service code.
public enum SNAPService: String, Sendable, Hashable, CaseIterable, Codable {
    /// 73, `POST /v1.0/access-token/b2b`.
    case accessToken = "73"
    /// 11, `POST /v1.0/balance-inquiry` (informasi saldo).
    case balanceInquiry = "11"
    /// 15, `POST /v1.0/account-inquiry-internal`.
    case accountInquiryInternal = "15"
    /// 16, `POST /v1.0/account-inquiry-external`: an account at another bank.
    case accountInquiryExternal = "16"
    /// 17, `POST /v1.0/transfer-intrabank`: a transfer to an account at this bank.
    case transferIntrabank = "17"
    /// 18, `POST /v1.0/transfer-interbank`: a transfer to another bank.
    case transferInterbank = "18"
    /// 22, `POST /v1.0/transfer-rtgs`: a transfer to another bank through BI-RTGS.
    case transferRTGS = "22"
    /// 23, `POST /v1.0/transfer-skn`: a transfer to another bank through SKNBI, cleared in batches.
    case transferSKN = "23"
    /// 36, `POST /v1.0/transfer/status`.
    case transferStatus = "36"

    /// The two-digit code that sits in the middle of every `responseCode`.
    public var code: String { rawValue }

    /// The path SNAP's standard gives the service, before any bank prefix.
    public var standardPath: String {
        switch self {
        case .accessToken: "/v1.0/access-token/b2b"
        case .balanceInquiry: "/v1.0/balance-inquiry"
        case .accountInquiryInternal: "/v1.0/account-inquiry-internal"
        case .accountInquiryExternal: "/v1.0/account-inquiry-external"
        case .transferIntrabank: "/v1.0/transfer-intrabank"
        case .transferInterbank: "/v1.0/transfer-interbank"
        case .transferRTGS: "/v1.0/transfer-rtgs"
        case .transferSKN: "/v1.0/transfer-skn"
        case .transferStatus: "/v1.0/transfer/status"
        }
    }

    /// Whether the service moves money, and so is subject to fault injection.
    public var isTransfer: Bool { [.transferIntrabank, .transferInterbank, .transferRTGS, .transferSKN].contains(self) }

    /// Whether the service pays another bank's account (18, 22, 23).
    public var isToAnotherBank: Bool { [.transferInterbank, .transferRTGS, .transferSKN].contains(self) }
}
