package import _CryptoExtras
import Foundation

/// What Salur proves itself to the bank with. Never logged: `description` hides the secrets.
package struct SNAPCredentials: Sendable, CustomStringConvertible {
    package let partnerID: String
    package let clientKey: String
    package let channelID: String
    package let clientSecret: [UInt8]
    package let privateKey: _RSA.Signing.PrivateKey

    /// The type of the key that signs access-token requests.
    package typealias PrivateKey = _RSA.Signing.PrivateKey

    package init(partnerID: String, clientKey: String, channelID: String, clientSecret: [UInt8], privateKey: _RSA.Signing.PrivateKey) {
        self.partnerID = partnerID
        self.clientKey = clientKey
        self.channelID = channelID
        self.clientSecret = clientSecret
        self.privateKey = privateKey
    }

    /// Builds credentials from a PEM private key (PKCS#1 or PKCS#8).
    package init(partnerID: String, clientKey: String, channelID: String, clientSecret: [UInt8], privateKeyPEM: String) throws {
        let key: _RSA.Signing.PrivateKey
        do {
            key = try Self.privateKey(pem: privateKeyPEM)
        } catch {
            throw SNAPError.badCredentials("the private key file " + error.reason)
        }
        self.init(partnerID: partnerID, clientKey: clientKey, channelID: channelID, clientSecret: clientSecret, privateKey: key)
    }

    /// Why a private key file was not accepted: a phrase that follows "the private key file".
    package struct KeyProblem: Error, Sendable, CustomStringConvertible {
        package let reason: String
        package var description: String { reason }
    }

    /// The RSA private key that signs access-token requests, from its PEM text (PKCS#1 or PKCS#8),
    /// exactly as salurd loads it; the one place such a key is parsed.
    package static func privateKey(pem: String) throws(KeyProblem) -> _RSA.Signing.PrivateKey {
        let expected = "it must be the unencrypted RSA private key in PEM form (\"-----BEGIN PRIVATE KEY-----\" or "
            + "\"-----BEGIN RSA PRIVATE KEY-----\"), 2048 bits or more"
        if pem.contains("PUBLIC KEY-----") || pem.contains("BEGIN CERTIFICATE-----") {
            throw KeyProblem(reason: "holds a public key or certificate, not the private key (the public key is what the bank is given); " + expected)
        }
        if pem.contains("BEGIN ENCRYPTED PRIVATE KEY-----") || pem.contains("Proc-Type: 4,ENCRYPTED") {
            throw KeyProblem(reason: "holds an encrypted private key, which salurd cannot use without a passphrase; " + expected
                             + " (the file's mode protects it)")
        }
        do {
            return try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        } catch {
            throw KeyProblem(reason: "is not a usable RSA private key; " + expected)
        }
    }

    package var description: String { "SNAPCredentials(partner: \(partnerID), client key: \(clientKey), secrets: redacted)" }
}

/// Problems with the bank set-up (not with one transfer).
package enum SNAPError: Error, CustomStringConvertible {
    case badCredentials(String)
    case tokenRefused(code: String?, message: String)

    package var description: String {
        switch self {
        case .badCredentials(let why): "bank credentials: \(why)"
        case .tokenRefused(let code, let message): "the bank refused the access token request\(code.map { " (\($0))" } ?? ""): \(message)"
        }
    }
}
