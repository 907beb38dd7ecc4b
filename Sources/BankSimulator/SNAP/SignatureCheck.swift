import Crypto
import _CryptoExtras

/// SNAP's two request signatures, checked as a bank checks them.
package enum SignatureCheck {
    /// Access token (service 73): `X-SIGNATURE` is base64 of SHA256withRSA (PKCS #1 v1.5) over
    /// the UTF-8 of `clientKey + "|" + timestamp`.
    static func isValidTokenSignature(
        _ signature: String, clientKey: String, timestamp: String, publicKey: _RSA.Signing.PublicKey
    ) -> Bool {
        guard let raw = Base64.decode(signature) else { return false }
        let message = Array("\(clientKey)|\(timestamp)".utf8)
        return publicKey.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: raw), for: message, padding: .insecurePKCS1v1_5)
    }

    /// The string a transactional request's HMAC covers:
    /// `METHOD:path:token:hex(sha256(minify(body))):timestamp`.
    package static func stringToSign(
        method: String, path: String, accessToken: String, body: [UInt8], timestamp: String
    ) -> String {
        let bodyHash = Hex.lowercase(SHA256.hash(data: JSONMinifier.minify(body)))
        return "\(method):\(path):\(accessToken):\(bodyHash):\(timestamp)"
    }

    /// Transactional services: `X-SIGNATURE` is base64 of HMAC-SHA512 keyed with the client
    /// secret over `stringToSign`. Compared in constant time.
    package static func isValidServiceSignature(_ signature: String, stringToSign: String, clientSecret: String) -> Bool {
        guard let raw = Base64.decode(signature) else { return false }
        return HMAC<SHA512>.isValidAuthenticationCode(
            raw, authenticating: Array(stringToSign.utf8), using: SymmetricKey(data: Array(clientSecret.utf8)))
    }

    /// The `X-SIGNATURE` a client sends for `stringToSign`.
    package static func serviceSignature(stringToSign: String, clientSecret: String) -> String {
        let code = HMAC<SHA512>.authenticationCode(
            for: Array(stringToSign.utf8), using: SymmetricKey(data: Array(clientSecret.utf8)))
        return Base64.encode(Array(code))
    }
}
