import Crypto
import _CryptoExtras

extension Bank {
    /// Service 73: checks the client's SHA256withRSA signature over `client_key|X-TIMESTAMP` and
    /// issues a bearer token.
    func issueToken(_ request: SimulatorRequest) throws(Refusal) -> SimulatorAnswer {
        let service = SNAPService.accessToken
        guard let timestamp = request.header("X-TIMESTAMP") else { throw Refusal(.invalidMandatoryField("X-TIMESTAMP")) }
        guard let clientKey = request.header("X-CLIENT-KEY") else { throw Refusal(.invalidMandatoryField("X-CLIENT-KEY")) }
        guard let signature = request.header("X-SIGNATURE") else { throw Refusal(.invalidMandatoryField("X-SIGNATURE")) }
        guard SNAPTimestamp(parsing: timestamp) != nil else { throw Refusal(.invalidFieldFormat("X-TIMESTAMP")) }
        guard clientKey == config.clientKey else { throw Refusal(.unauthorized("Unknown client")) }
        guard SignatureCheck.isValidTokenSignature(
            signature, clientKey: clientKey, timestamp: timestamp, publicKey: publicKey)
        else { throw Refusal(.unauthorized("Signature")) }

        let body = try parseBody(request.body)
        guard let grantType = body["grantType"], grantType != .null else {
            throw Refusal(.invalidMandatoryField("grantType"))
        }
        guard grantType.stringValue == "client_credentials" else { throw Refusal(.invalidFieldFormat("grantType")) }

        let token = Self.randomToken()
        let now = clock.now
        let expiry = now.advanced(by: .seconds(config.tokenTTLSeconds))
        state.withLock { state in
            state.tokens = state.tokens.filter { $0.value > now }
            state.tokens[token] = expiry
        }
        return answer(.successful, for: service, [
            JSONMember("accessToken", .string(token)),
            JSONMember("tokenType", "Bearer"),
            JSONMember("expiresIn", .string(String(config.tokenTTLSeconds))),
        ], headers: [("X-CLIENT-KEY", config.clientKey)])
    }

    /// Whether `token` was issued here and has not expired.
    func isLiveToken(_ token: String) -> Bool {
        let now = clock.now
        return state.withLock { state in
            guard let expiry = state.tokens[token] else { return false }
            return expiry > now
        }
    }

    /// 43 characters of base64url from 32 random bytes.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return String(Base64.encode(bytes).compactMap { character -> Character? in
            switch character {
            case "+": "-"
            case "/": "_"
            case "=": nil
            default: character
            }
        })
    }
}
