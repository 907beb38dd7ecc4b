import BankSimulator
import Crypto
import _CryptoExtras
import Testing

@Suite("Access token (service 73)")
struct TokenTests {
    @Test("a token is issued for a valid SHA256withRSA signature")
    func issuesToken() async throws {
        try await withBank(authenticate: false) { simulator, client in
            let response = try #require(try client.tokenRequest())
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.header("X-TIMESTAMP") != nil)
            let json = try response.json
            #expect(json["responseCode"] == "2007300")
            #expect(json["responseMessage"] == "Successful")
            #expect(json["tokenType"] == "Bearer")
            #expect(json["expiresIn"] == "900")
            let token = try #require(json["accessToken"]?.stringValue)
            #expect(token.count >= 32)
        }
    }

    @Test("expiresIn follows the configured lifetime")
    func expiresInFromConfig() async throws {
        try await withBank(authenticate: false, { $0.tokenTTLSeconds = 120 }) { _, client in
            let response = try #require(try client.tokenRequest())
            #expect(try response.json["expiresIn"] == "120")
        }
    }

    @Test("a signature by another key is refused with 4017300")
    func wrongKeyRefused() async throws {
        let otherKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        try await withBank(authenticate: false) { _, client in
            let response = try #require(try client.tokenRequest(key: otherKey))
            #expect(response.status == 401)
            #expect(response.responseCode == "4017300")
        }
    }

    @Test("an unknown client key is refused with 4017300")
    func unknownClientRefused() async throws {
        try await withBank(authenticate: false) { _, client in
            let response = try #require(try client.tokenRequest(clientKey: "someone-else"))
            #expect(response.status == 401)
            #expect(response.responseCode == "4017300")
        }
    }

    @Test("a wrong grantType is a bad field, a missing one a missing field")
    func grantType() async throws {
        try await withBank(authenticate: false) { _, client in
            let wrong = try #require(try client.tokenRequest(body: #"{"grantType":"password"}"#))
            #expect(wrong.status == 400)
            #expect(wrong.responseCode == "4007301")
            let missing = try #require(try client.tokenRequest(body: "{}"))
            #expect(missing.responseCode == "4007302")
        }
    }

    @Test("an expired token is refused with 401xx01")
    func expiredToken() async throws {
        try await withBank { simulator, client in
            await simulator.expireTokens()
            let response = try #require(try client.transfer(reference: "EXP-1"))
            #expect(response.status == 401)
            #expect(response.responseCode == "4011701")
            #expect(await simulator.ledger().isEmpty)
        }
    }

    @Test("an unknown bearer token is refused with 401xx01")
    func unknownToken() async throws {
        try await withBank { simulator, client in
            let response = try #require(try client.post(
                "/v1.0/transfer-intrabank", body: SNAPTestClient.transferBody(reference: "T-1"), token: "not-a-token"))
            #expect(response.responseCode == "4011701")
            #expect(await simulator.ledger().isEmpty)
        }
    }
}
