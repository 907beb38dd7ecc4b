/// `--strict`: every request checked against the standard's field tables (ASPI's pages for services
/// 73, 11, 15, 17, 18, 22, 23 and 36) before anything else is done with it — its mandatory headers,
/// and each body field's presence (M), type, length and format — and refused with the standard's
/// codes: 400xx02 "Invalid Mandatory Field {field}" for a mandatory field absent, null or empty,
/// 400xx01 "Invalid Field Format {field}" for one of the wrong type, too long or malformed.
///
/// A field the table does not define is not refused (the standard gives no code for it; banks ignore
/// such fields), but noted per service (`BankSimulator.fieldsOutsideTheStandard`). Conditional fields (C) are checked as optional, except balance inquiry's `accountNo`,
/// which is mandatory when no card token is sent.
package enum StrictSchema {
    /// A body field: its name, whether the standard makes it mandatory, and its kind.
    struct Field {
        let name: String
        let mandatory: Bool
        let kind: Kind

        static func string(_ name: String, _ mandatory: Bool, _ maxLength: Int, _ format: Format = .any) -> Field {
            Field(name: name, mandatory: mandatory, kind: .string(maxLength: maxLength, format: format))
        }
        static func object(_ name: String, _ mandatory: Bool, _ fields: [Field]) -> Field {
            Field(name: name, mandatory: mandatory, kind: .object(fields))
        }
    }

    indirect enum Kind {
        case string(maxLength: Int, format: Format)
        case object([Field])
        /// An object whose content the standard leaves open (`additionalInfo`).
        case anyObject
        case arrayOfStrings
    }

    /// What a string's text must look like beyond its length.
    enum Format {
        case any
        /// ASCII digits only.
        case digits
        /// SNAP's amount: up to 16 digits, a point, 2 digits (`16,2`).
        case amount
        /// ISO 4217: three capital letters.
        case currency
        /// ISO 8601 with an offset: `yyyy-MM-ddTHH:mm:ss+07:00` (milliseconds allowed).
        case timestamp
        /// One of these values.
        case oneOf([String])
    }

    static func amount(_ mandatory: Bool) -> Field {
        .object("amount", mandatory, [.string("value", true, 19, .amount), .string("currency", true, 3, .currency)])
    }

    static let additionalInfo = Field(name: "additionalInfo", mandatory: false, kind: .anyObject)

    /// The optional fields every credit transfer's table has.
    static let transferCommon: [Field] = [
        .string("beneficiaryEmail", false, 50), .string("currency", false, 3, .currency),
        .string("customerReference", false, 30), .string("feeType", false, 25),
        .string("sourceAccountNo", true, 19), .string("transactionDate", true, 25, .timestamp), additionalInfo,
    ]

    /// The fields of `service`'s request body, from the standard's request table.
    static func fields(of service: SNAPService) -> [Field] {
        switch service {
        case .accessToken:
            return [.string("grantType", true, 64, .oneOf(["client_credentials"])), additionalInfo]
        case .balanceInquiry:
            return [.string("partnerReferenceNo", false, 64), .string("bankCardToken", false, 128),
                    .string("accountNo", true, 16), Field(name: "balanceTypes", mandatory: false, kind: .arrayOfStrings),
                    additionalInfo]
        case .accountInquiryInternal:
            return [.string("partnerReferenceNo", false, 64), .string("beneficiaryAccountNo", true, 34), additionalInfo]
        case .accountInquiryExternal:
            return [.string("beneficiaryBankCode", true, 11), .string("beneficiaryAccountNo", true, 34),
                    .string("partnerReferenceNo", false, 64), additionalInfo]
        case .transferIntrabank:
            return [.string("partnerReferenceNo", true, 64), amount(true), .string("beneficiaryAccountNo", true, 34),
                    .string("remark", false, 50)] + transferCommon
        case .transferInterbank:
            return [.string("partnerReferenceNo", true, 64), amount(true), .string("beneficiaryAccountName", true, 100),
                    .string("beneficiaryAccountNo", true, 34), .string("beneficiaryAddress", false, 100),
                    .string("beneficiaryBankCode", true, 11), .string("beneficiaryBankName", false, 50)] + transferCommon
        case .transferRTGS, .transferSKN:
            return [.string("partnerReferenceNo", true, 64), amount(service == .transferRTGS),
                    .string("beneficiaryAccountName", true, 100), .string("beneficiaryAccountNo", true, 34),
                    .string("beneficiaryAddress", false, 100), .string("beneficiaryBankCode", true, 11),
                    .string("beneficiaryBankName", false, 50),
                    .string("beneficiaryCustomerResidence", true, 1, .oneOf(["1", "2"])),
                    .string("beneficiaryCustomerType", true, 1, .oneOf(["1", "2", "3"])),
                    .string("kodepos", false, 10), .string("receiverPhone", false, 20), .string("remark", false, 50),
                    .string("senderCustomerResidence", false, 1, .oneOf(["1", "2"])),
                    .string("senderCustomerType", false, 1, .oneOf(["1", "2", "3"])), .string("senderPhone", false, 20)]
                + transferCommon
        case .transferStatus:
            return [.string("originalPartnerReferenceNo", false, 64), .string("originalReferenceNo", false, 64),
                    .string("originalExternalId", false, 32), .string("serviceCode", true, 2, .digits),
                    .string("transactionDate", false, 25, .timestamp), amount(false), additionalInfo]
        }
    }

    /// The headers the standard makes mandatory for `service`, each with its longest length (0: any).
    static func headers(of service: SNAPService) -> [(name: String, maxLength: Int)] {
        switch service {
        case .accessToken:
            return [("Content-Type", 0), ("X-TIMESTAMP", 25), ("X-CLIENT-KEY", 0), ("X-SIGNATURE", 0)]
        default:
            return [("Content-Type", 0), ("Authorization", 0), ("X-TIMESTAMP", 25), ("X-SIGNATURE", 0),
                    ("X-PARTNER-ID", 36), ("X-EXTERNAL-ID", 36), ("CHANNEL-ID", 5)]
        }
    }

    /// The refusal `request` earns under the standard's tables for `service`, or nil when it conforms.
    static func refusal(_ request: SimulatorRequest, service: SNAPService) -> SNAPStatus? {
        for (name, maxLength) in headers(of: service) {
            guard let value = request.header(name) else { return .invalidMandatoryField(name) }
            if maxLength > 0, value.count > maxLength { return .invalidFieldFormat(name) }
        }
        if !(request.header("Content-Type") ?? "").lowercased().hasPrefix("application/json") {
            return .invalidFieldFormat("Content-Type")
        }
        if let external = request.header("X-EXTERNAL-ID"), !isDigits(external) { return .invalidFieldFormat("X-EXTERNAL-ID") }
        if let timestamp = request.header("X-TIMESTAMP"), !matches(timestamp, .timestamp) { return .invalidFieldFormat("X-TIMESTAMP") }
        guard let body = try? JSONParser.parse(request.body), body.isObject else {
            return .badRequest("the body must be a JSON object")
        }
        return refusal(body, fields(of: service), path: "")
    }

    /// The body fields of `request` that `service`'s table does not define (`amount.x` for one inside
    /// an object): not refused, but noted (`BankSimulator.fieldsOutsideTheStandard`).
    static func undefinedFields(_ request: SimulatorRequest, service: SNAPService) -> [String] {
        guard let body = try? JSONParser.parse(request.body) else { return [] }
        return undefined(body, fields(of: service), path: "")
    }

    static func undefined(_ object: JSONValue, _ fields: [Field], path: String) -> [String] {
        guard case .object(let members) = object else { return [] }
        var found: [String] = []
        for member in members {
            guard let field = fields.first(where: { $0.name == member.key }) else {
                found.append(path + member.key)
                continue
            }
            if case .object(let inner) = field.kind { found += undefined(member.value, inner, path: path + member.key + ".") }
        }
        return found
    }

    static func refusal(_ object: JSONValue, _ fields: [Field], path: String) -> SNAPStatus? {
        for field in fields {
            let name = path + field.name
            guard let value = object[field.name], value != .null, value != .string("") else {
                if field.mandatory { return .invalidMandatoryField(name) }
                continue
            }
            switch field.kind {
            case .string(let maxLength, let format):
                guard let text = value.stringValue, text.count <= maxLength, matches(text, format) else {
                    return .invalidFieldFormat(name)
                }
            case .object(let inner):
                guard value.isObject else { return .invalidFieldFormat(name) }
                if let refusal = refusal(value, inner, path: name + ".") { return refusal }
            case .anyObject:
                guard value.isObject else { return .invalidFieldFormat(name) }
            case .arrayOfStrings:
                guard let elements = value.arrayValue, elements.allSatisfy({ $0.stringValue != nil }) else {
                    return .invalidFieldFormat(name)
                }
            }
        }
        return nil
    }

    static func matches(_ text: String, _ format: Format) -> Bool {
        switch format {
        case .any:
            return true
        case .digits:
            return isDigits(text)
        case .amount:
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 2 && (1...16).contains(parts[0].count) && parts[1].count == 2
                && isDigits(String(parts[0])) && isDigits(String(parts[1]))
        case .currency:
            return text.utf8.count == 3 && text.utf8.allSatisfy { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
        case .timestamp:
            return SNAPTimestamp(parsing: text) != nil
        case .oneOf(let values):
            return values.contains(text)
        }
    }

    static func isDigits(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
