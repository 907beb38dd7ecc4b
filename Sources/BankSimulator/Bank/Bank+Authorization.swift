import SalurCore

extension Bank {
    /// The checks every transactional service makes, in a strict bank's order: mandatory headers,
    /// their format, the partner, the bearer token, the HMAC signature over the minified body,
    /// `X-EXTERNAL-ID` unused today by this partner, and finally a JSON object body.
    ///
    /// The external ID is claimed once the request is authenticated, whatever happens next, so
    /// every attempt needs a fresh one.
    func authorize(_ request: SimulatorRequest, service: SNAPService) throws(Refusal) -> AuthorizedRequest {
        for name in ["Authorization", "X-TIMESTAMP", "X-SIGNATURE", "X-PARTNER-ID", "X-EXTERNAL-ID", "CHANNEL-ID"]
        where request.header(name) == nil {
            throw Refusal(.invalidMandatoryField(name))
        }
        let timestamp = request.header("X-TIMESTAMP")!
        let signature = request.header("X-SIGNATURE")!
        let partnerID = request.header("X-PARTNER-ID")!
        let externalID = request.header("X-EXTERNAL-ID")!
        let authorization = request.header("Authorization")!

        guard SNAPTimestamp(parsing: timestamp) != nil else { throw Refusal(.invalidFieldFormat("X-TIMESTAMP")) }
        guard externalID.utf8.count <= 36, externalID.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { throw Refusal(.invalidFieldFormat("X-EXTERNAL-ID")) }
        guard partnerID.utf8.count <= 36 else { throw Refusal(.invalidFieldFormat("X-PARTNER-ID")) }
        if let expected = config.partnerID, partnerID != expected { throw Refusal(.unauthorized("Unknown partner")) }

        let scheme = "bearer "
        guard authorization.count > scheme.count, authorization.prefix(scheme.count).lowercased() == scheme else {
            throw Refusal(.invalidToken)
        }
        let token = String(authorization.dropFirst(scheme.count)).trimmingEdges(of: " ")
        guard isLiveToken(token) else { throw Refusal(state.withLock { $0.staleTokenAnswer }) }

        let stringToSign = SignatureCheck.stringToSign(
            method: request.method.rawValue, path: request.path, accessToken: token, body: request.body, timestamp: timestamp)
        guard SignatureCheck.isValidServiceSignature(signature, stringToSign: stringToSign, clientSecret: config.clientSecret)
        else { throw Refusal(.unauthorized("Signature")) }

        let receivedAt = SNAPTimestamp.now()
        let key = "\(partnerID)|\(receivedAt.day)|\(externalID)"
        let received = ReceivedExternalID(service: service, externalID: externalID, partnerID: partnerID)
        guard state.withLock({ state in
            state.receivedExternalIDs.append(received)
            return state.claimExternalID(key)
        }) else { throw Refusal(.conflict) }

        let body = try parseBody(request.body)
        return AuthorizedRequest(body: body, externalID: externalID, partnerID: partnerID, receivedAt: receivedAt)
    }

    /// The body as a JSON object, or 400xx00.
    func parseBody(_ bytes: [UInt8]) throws(Refusal) -> JSONValue {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw Refusal(.badRequest("\(error)"))
        }
        guard value.isObject else { throw Refusal(.badRequest("the body must be a JSON object")) }
        return value
    }
}

extension JSONValue {
    /// A mandatory string member: absent, null or empty → 400xx02; not a string or longer than
    /// `maxLength` → 400xx01. `path` names it in the message.
    func requiredString(_ key: String, maxLength: Int, path: String? = nil) throws(Refusal) -> String {
        let name = path ?? key
        guard let text = try optionalString(key, maxLength: maxLength, path: name), !text.isEmpty else {
            throw Refusal(.invalidMandatoryField(name))
        }
        return text
    }

    /// An optional string member: absent or null → `nil`; not a string or too long → 400xx01.
    func optionalString(_ key: String, maxLength: Int, path: String? = nil) throws(Refusal) -> String? {
        let name = path ?? key
        guard let value = self[key], value != .null else { return nil }
        guard let text = value.stringValue else { throw Refusal(.invalidFieldFormat(name)) }
        guard text.count <= maxLength else { throw Refusal(.invalidFieldFormat(name)) }
        return text
    }

    /// A mandatory account number: 6 to 20 digits.
    func accountNumber(_ key: String) throws(Refusal) -> String {
        let text = try requiredString(key, maxLength: 34)
        guard BankAccount.isWellFormed(text) else { throw Refusal(.invalidFieldFormat(key)) }
        return text
    }

    /// A mandatory SNAP amount `{"value":"300000.00","currency":"IDR"}`: the value must match
    /// `^\d+\.\d{2}$`, be whole rupiah and more than zero; the currency must be IDR.
    func amount(_ key: String = "amount") throws(Refusal) -> Rupiah {
        guard let amount = self[key], amount != .null else { throw Refusal(.invalidMandatoryField(key)) }
        guard amount.isObject else { throw Refusal(.invalidFieldFormat(key)) }
        let text = try amount.requiredString("value", maxLength: 19, path: "\(key).value")
        guard Self.isSNAPAmount(text), let rupiah = Rupiah(snapValue: text), rupiah > .zero else {
            throw Refusal(.invalidFieldFormat("\(key).value"))
        }
        let currency = try amount.requiredString("currency", maxLength: 3, path: "\(key).currency")
        guard currency == "IDR" else { throw Refusal(.invalidFieldFormat("\(key).currency")) }
        return rupiah
    }

    /// `^\d+\.\d{2}$`.
    static func isSNAPAmount(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 4, bytes[bytes.count - 3] == UInt8(ascii: ".") else { return false }
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        return bytes[..<(bytes.count - 3)].allSatisfy(isDigit) && bytes[(bytes.count - 2)...].allSatisfy(isDigit)
    }

    /// A mandatory ISO 8601 timestamp.
    func timestamp(_ key: String) throws(Refusal) -> String {
        let text = try requiredString(key, maxLength: 35)
        guard SNAPTimestamp(parsing: text) != nil else { throw Refusal(.invalidFieldFormat(key)) }
        return text
    }
}
