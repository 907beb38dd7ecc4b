import Crypto
package import _CryptoExtras
package import Foundation

/// SNAP-BI's two signatures (ASPI "Keamanan"):
/// - asymmetric, for the B2B token: base64 SHA256withRSA over `client_key + "|" + X-TIMESTAMP`;
/// - symmetric, for transactions: base64 HMAC-SHA512(client secret,
///   `METHOD:<relative path>:<token>:<lowercase hex SHA-256 of the minified body>:<X-TIMESTAMP>`).
package enum SNAPSignature {
    /// The token request's `X-SIGNATURE`.
    package static func asymmetric(clientKey: String, timestamp: String, privateKey: _RSA.Signing.PrivateKey) throws -> String {
        let message = Array("\(clientKey)|\(timestamp)".utf8)
        let signature = try privateKey.signature(for: message, padding: .insecurePKCS1v1_5)
        return Data(signature.rawRepresentation).base64EncodedString()
    }

    /// A transaction's `X-SIGNATURE` over exactly `body` (which Salur always sends minified).
    package static func symmetric(method: String, path: String, accessToken: String, body: [UInt8], timestamp: String,
                                  clientSecret: [UInt8]) -> String {
        let message = stringToSign(method: method, path: path, accessToken: accessToken, body: body, timestamp: timestamp)
        let mac = HMAC<SHA512>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: clientSecret))
        return Data(mac).base64EncodedString()
    }

    /// The text the symmetric signature covers.
    package static func stringToSign(method: String, path: String, accessToken: String, body: [UInt8], timestamp: String) -> String {
        let bodyHash = hex(SHA256.hash(data: minify(body)))
        return "\(method.uppercased()):\(path):\(accessToken):\(bodyHash):\(timestamp)"
    }

    /// JSON without insignificant white space: what a bank hashes, whatever indentation was sent.
    package static func minify(_ json: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(json.count)
        var inString = false
        var escaped = false
        for byte in json {
            if inString {
                out.append(byte)
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            case UInt8(ascii: "\""): inString = true; out.append(byte)
            default: out.append(byte)
            }
        }
        return out
    }

    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 0x0F)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// `X-TIMESTAMP` and `transactionDate`: ISO 8601 in Western Indonesia Time, `2026-11-23T10:15:30+07:00`.
package enum SNAPTimestamp {
    package static func string(_ date: Date = Date()) -> String {
        var time = time_t(date.timeIntervalSince1970.rounded(.down)) + 7 * 3600
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ v: Int32, _ w: Int = 2) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))+07:00"
    }
}
