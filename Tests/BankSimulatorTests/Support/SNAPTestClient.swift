import BankSimulator
import Crypto
import _CryptoExtras
import SalurCore
import Synchronization
import Testing

/// Serial of `X-EXTERNAL-ID`s, shared by every test client so that none repeats another's.
private let externalIDSerial = Mutex<UInt64>(0)

/// The client's RSA key pair, made once for the whole test run (key generation is slow).
let testClientKey: _RSA.Signing.PrivateKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

/// A SNAP-BI client for tests: signs requests as Salur will, over one kept-alive connection.
struct SNAPTestClient {
    static let clientKey = "salur-test-client"
    static let clientSecret = "s3cr3t-HMAC-key-for-tests"
    static let partnerID = "SALURTEST01"
    static let sourceAccount = "1234567890"

    let connection: TestHTTPConnection
    let pathPrefix: String
    var accessToken: String?

    init(port: Int, pathPrefix: String = "") throws {
        connection = try TestHTTPConnection(port: port)
        self.pathPrefix = pathPrefix
    }

    /// A fresh numeric `X-EXTERNAL-ID`.
    func nextExternalID() -> String {
        let serial = externalIDSerial.withLock { serial in
            serial += 1
            return serial
        }
        return String(serial + 41_807_553_358_950_000)
    }

    static func timestamp() -> String { "2026-11-23T10:15:30+07:00" }

    /// Service 73, signed with `key` (the right one unless a test says otherwise).
    func tokenRequest(
        key: _RSA.Signing.PrivateKey = testClientKey, clientKey: String = SNAPTestClient.clientKey,
        body: String = #"{"grantType":"client_credentials"}"#
    ) throws -> TestHTTPResponse? {
        let timestamp = Self.timestamp()
        let signature = try key.signature(for: Array("\(clientKey)|\(timestamp)".utf8), padding: .insecurePKCS1v1_5)
        return try connection.request("POST", pathPrefix + "/v1.0/access-token/b2b", headers: [
            ("Content-Type", "application/json"),
            ("X-TIMESTAMP", timestamp),
            ("X-CLIENT-KEY", clientKey),
            ("X-SIGNATURE", Base64.encode(Array(signature.rawRepresentation))),
        ], body: Array(body.utf8))
    }

    /// Fetches a token and keeps it for the following requests.
    mutating func authenticate() throws {
        let response = try #require(try tokenRequest())
        guard response.status == 200, let token = try JSONParser.parse(response.body)["accessToken"]?.stringValue else {
            throw TestHTTPError(description: "no token: \(response.status) \(response.bodyText)")
        }
        accessToken = token
    }

    /// A transactional POST: `body` is sent as is; the signature covers `signedBody` (the
    /// minified `body` unless given) and `secret`. `omit` leaves headers out.
    mutating func post(
        _ path: String, body: String, signedBody: String? = nil, secret: String = SNAPTestClient.clientSecret,
        externalID: String? = nil, token: String? = nil, omit: Set<String> = [],
        partnerID: String = SNAPTestClient.partnerID, channelID: String = "95221"
    ) throws -> TestHTTPResponse? {
        let fullPath = pathPrefix + path
        let token = token ?? accessToken ?? ""
        let timestamp = Self.timestamp()
        let hashed = signedBody ?? String(decoding: JSONMinifier.minify(Array(body.utf8)), as: UTF8.self)
        let stringToSign = "POST:\(fullPath):\(token):\(Hex.lowercase(SHA256.hash(data: Array(hashed.utf8)))):\(timestamp)"
        let mac = HMAC<SHA512>.authenticationCode(for: Array(stringToSign.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        let headers: [(String, String)] = [
            ("Content-Type", "application/json"),
            ("Authorization", "Bearer \(token)"),
            ("X-TIMESTAMP", timestamp),
            ("X-SIGNATURE", Base64.encode(Array(mac))),
            ("X-PARTNER-ID", partnerID),
            ("X-EXTERNAL-ID", externalID ?? nextExternalID()),
            ("CHANNEL-ID", channelID),
        ].filter { !omit.contains($0.0) }
        return try connection.request("POST", fullPath, headers: headers, body: Array(body.utf8))
    }

    /// An intrabank (or, with `bankCode`, interbank) transfer body, minified.
    static func transferBody(
        reference: String, amount: String = "300000.00", beneficiary: String = "9876543210",
        source: String = sourceAccount, currency: String = "IDR", bankCode: String? = nil
    ) -> String {
        var members: [JSONMember] = [
            JSONMember("partnerReferenceNo", .string(reference)),
            JSONMember("amount", ["value": .string(amount), "currency": .string(currency)]),
            JSONMember("beneficiaryAccountNo", .string(beneficiary)),
        ]
        if let bankCode {
            members.append(JSONMember("beneficiaryBankCode", .string(bankCode)))
            members.append(JSONMember("beneficiaryAccountName", "BPJS KETENAGAKERJAAN"))
        }
        members += [
            JSONMember("sourceAccountNo", .string(source)),
            JSONMember("transactionDate", "2026-11-23T10:15:30+07:00"),
            JSONMember("remark", "BANSOS-NT 2026-11"),
        ]
        return JSONValue.object(members).serializedString
    }

    /// Service 17 with `transferBody`.
    mutating func transfer(
        reference: String, amount: String = "300000.00", beneficiary: String = "9876543210",
        externalID: String? = nil
    ) throws -> TestHTTPResponse? {
        try post("/v1.0/transfer-intrabank",
                 body: Self.transferBody(reference: reference, amount: amount, beneficiary: beneficiary),
                 externalID: externalID)
    }

    /// Service 36 by partner reference (and external ID when given).
    mutating func status(reference: String, externalID: String? = nil, serviceCode: String = "17") throws -> TestHTTPResponse? {
        var members = [JSONMember("originalPartnerReferenceNo", .string(reference))]
        if let externalID { members.append(JSONMember("originalExternalId", .string(externalID))) }
        members.append(JSONMember("serviceCode", .string(serviceCode)))
        return try post("/v1.0/transfer/status", body: JSONValue.object(members).serializedString)
    }

    /// GET or POST on an admin path, parsed.
    func admin(_ method: String, _ path: String) throws -> JSONValue {
        let response = try #require(try connection.request(method, path))
        guard response.status == 200 else { throw TestHTTPError(description: "\(path): \(response.status)") }
        return try JSONParser.parse(response.body)
    }
}
