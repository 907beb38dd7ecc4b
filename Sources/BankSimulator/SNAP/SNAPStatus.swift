/// One outcome of a SNAP request: HTTP status, case code and message.
///
/// `responseCode` = HTTP status (3 digits) + service code (2) + case code (2), so the same outcome
/// reads `4011701` for an intrabank transfer and `4011801` for an interbank one.
package struct SNAPStatus: Sendable, Equatable {
    /// The HTTP status of the answer.
    package let httpStatus: Int
    /// The last two digits of `responseCode`.
    package let caseCode: Int
    /// `responseMessage`.
    package let message: String

    /// An outcome with the given parts.
    package init(_ httpStatus: Int, _ caseCode: Int, _ message: String) {
        self.httpStatus = httpStatus
        self.caseCode = caseCode
        self.message = message
    }

    /// The seven-digit `responseCode` for `service`.
    package func responseCode(for service: SNAPService) -> String {
        "\(httpStatus)\(service.code)\(caseCode < 10 ? "0" : "")\(caseCode)"
    }

    /// 200xx00.
    package static let successful = SNAPStatus(200, 0, "Successful")
    /// 202xx00: accepted, not yet final.
    package static let inProgress = SNAPStatus(202, 0, "Request In Progress")
    /// 400xx00: the body could not be read at all.
    package static func badRequest(_ reason: String) -> SNAPStatus { SNAPStatus(400, 0, "Bad Request. \(reason)") }
    /// 400xx01.
    package static func invalidFieldFormat(_ field: String) -> SNAPStatus { SNAPStatus(400, 1, "Invalid Field Format \(field)") }
    /// 400xx02.
    package static func invalidMandatoryField(_ field: String) -> SNAPStatus { SNAPStatus(400, 2, "Invalid Mandatory Field \(field)") }
    /// 401xx00: signature, client or partner not accepted.
    package static func unauthorized(_ reason: String) -> SNAPStatus { SNAPStatus(401, 0, "Unauthorized. \(reason)") }
    /// 401xx01: access token unknown or expired; the client should fetch a new one.
    package static let invalidToken = SNAPStatus(401, 1, "Invalid Token (B2B)")
    /// 401xx03: no such access token at all.
    package static let tokenNotFound = SNAPStatus(401, 3, "Token Not Found (B2B)")
    /// 403xx02.
    package static let exceedsAmountLimit = SNAPStatus(403, 2, "Exceeds Transaction Amount Limit")
    /// 403xx14.
    package static let insufficientFunds = SNAPStatus(403, 14, "Insufficient Funds")
    package static let accountLimitExceeded = SNAPStatus(403, 23, "Account Limit Exceed")
    /// 403xx15.
    package static func notPermitted(_ reason: String) -> SNAPStatus { SNAPStatus(403, 15, "Transaction Not Permitted. \(reason)") }
    /// 403xx06: the bank's cut-off; nothing is booked.
    package static let cutOff = SNAPStatus(403, 6, "Feature Not Allowed At This Time. [Cut off In Progress]")
    /// 403xx18.
    package static let inactiveAccount = SNAPStatus(403, 18, "Inactive Card/Account/Customer")
    /// 404xx02: no service at that path.
    package static let invalidRouting = SNAPStatus(404, 2, "Invalid Routing")
    /// 404xx11.
    package static func invalidAccount(_ field: String) -> SNAPStatus { SNAPStatus(404, 11, "Invalid Card/Account/Customer \(field)") }
    /// 404xx18: the same `partnerReferenceNo` with other content; for a credit transfer SNAP says the
    /// reference is "considered as success" (it was processed before).
    package static let inconsistentRequest = SNAPStatus(404, 18, "Inconsistent Request")
    /// 405xx00.
    package static let functionNotSupported = SNAPStatus(405, 0, "Requested Function Is Not Supported")
    /// 409xx00: `X-EXTERNAL-ID` already used today.
    package static let conflict = SNAPStatus(409, 0, "Conflict")
    /// 409xx01.
    package static let duplicatePartnerReference = SNAPStatus(409, 1, "Duplicate partnerReferenceNo")
    /// 413xx00: the simulator's own refusal of an oversized request (no SNAP case exists).
    package static let payloadTooLarge = SNAPStatus(413, 0, "Request Entity Too Large")
    /// 429xx00.
    package static let tooManyRequests = SNAPStatus(429, 0, "Too Many Requests")
    /// 500xx00.
    package static let generalError = SNAPStatus(500, 0, "General Error")
    /// 504xx00.
    package static let timeout = SNAPStatus(504, 0, "Timeout")
}
