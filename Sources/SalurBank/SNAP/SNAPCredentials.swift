package import _CryptoExtras
import Foundation

/// What Salur proves itself to the bank with. Never logged: `description` hides the secrets.
package struct SNAPCredentials: Sendable, CustomStringConvertible {
    package let partnerID: String
    package let clientKey: String
    package let channelID: String
    package let clientSecret: [UInt8]
    package let privateKey: _RSA.Signing.PrivateKey

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
            key = try _RSA.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        } catch {
            throw SNAPError.badCredentials("the private key file is not an RSA private key in PEM form")
        }
        self.init(partnerID: partnerID, clientKey: clientKey, channelID: channelID, clientSecret: clientSecret, privateKey: key)
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
