/// The SNAP-BI services the simulator offers, by their two-digit service code.
public enum SNAPService: String, Sendable, Hashable, CaseIterable, Codable {
    /// 73, `POST /v1.0/access-token/b2b`.
    case accessToken = "73"
    /// 11, `POST /v1.0/balance-inquiry` (informasi saldo).
    case balanceInquiry = "11"
    /// 15, `POST /v1.0/account-inquiry-internal`.
    case accountInquiryInternal = "15"
    /// 17, `POST /v1.0/transfer-intrabank`: a transfer to an account at this bank.
    case transferIntrabank = "17"
    /// 18, `POST /v1.0/transfer-interbank`: a transfer to another bank.
    case transferInterbank = "18"
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
        case .transferIntrabank: "/v1.0/transfer-intrabank"
        case .transferInterbank: "/v1.0/transfer-interbank"
        case .transferStatus: "/v1.0/transfer/status"
        }
    }

    /// Whether the service moves money, and so is subject to fault injection.
    public var isTransfer: Bool { self == .transferIntrabank || self == .transferInterbank }
}
