import _CryptoExtras

/// A fresh RSA key pair for SNAP's token signature, as PEM text: the private key stays with
/// Salur, the public key goes to the bank.
package enum SNAPKeys {
    package static func generate() throws -> (privatePEM: String, publicPEM: String) {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        return (key.pemRepresentation, key.publicKey.pemRepresentation)
    }
}
