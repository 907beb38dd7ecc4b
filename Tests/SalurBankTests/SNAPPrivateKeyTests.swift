import SalurBank
import Testing

/// The private key that signs access-token requests is parsed in one place
/// (`SNAPCredentials.privateKey(pem:)`), by salurd and by the config checks alike; what is not an
/// unencrypted RSA private key is refused with the reason.
@Suite("SNAP private key loading")
struct SNAPPrivateKeyTests {
    @Test("an RSA private key in PEM form is accepted, PKCS#1 or PKCS#8")
    func accepted() throws {
        let keys = try SNAPKeys.generate()
        let key = try SNAPCredentials.privateKey(pem: keys.privatePEM)
        #expect(key.publicKey.pemRepresentation == keys.publicPEM)
        let pkcs8 = key.pkcs8PEMRepresentation
        #expect(pkcs8.contains("-----BEGIN PRIVATE KEY-----"))
        #expect(try SNAPCredentials.privateKey(pem: pkcs8).publicKey.pemRepresentation == keys.publicPEM)
    }

    @Test("a public key, a certificate, an encrypted key or anything else is refused, saying which")
    func refused() throws {
        let keys = try SNAPKeys.generate()
        let cases: [(String, String)] = [
            (keys.publicPEM, "holds a public key or certificate, not the private key"),
            ("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "holds a public key or certificate"),
            ("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n", "holds an encrypted private key"),
            ("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n", "is not a usable RSA private key"),
            ("", "is not a usable RSA private key"),
        ]
        for (pem, reason) in cases {
            do {
                _ = try SNAPCredentials.privateKey(pem: pem)
                Issue.record("accepted: \(pem)")
            } catch {
                #expect(error.reason.hasPrefix(reason), "\(error.reason)")
                #expect(error.reason.contains("BEGIN PRIVATE KEY"), "the message shows what is expected: \(error.reason)")
            }
        }
        #expect(throws: (any Error).self) {
            try SNAPCredentials(partnerID: "P", clientKey: "K", channelID: "95221", clientSecret: Array("s".utf8), privateKeyPEM: keys.publicPEM)
        }
    }
}
