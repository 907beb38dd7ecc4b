import Crypto
import Foundation

/// The audit hash chain: `hash = sha256(prev_hash || canonical row)`, hex encoded.
///
/// The canonical row length-prefixes every field (`<utf8 length>:<field>;`), so no choice of
/// text in one field can imitate another split of the fields.
package enum AuditChain {
    /// The `prev_hash` of the first row.
    package static let genesis = String(repeating: "0", count: 64)

    /// The hash row `seq` must carry.
    package static func hash(prev: String, seq: Int64, at: String, actor: String, action: String,
                             subject: String, details: String) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(prev.utf8))
        for field in [String(seq), at, actor, action, subject, details] {
            hasher.update(data: Array("\(field.utf8.count):".utf8))
            hasher.update(data: Array(field.utf8))
            hasher.update(data: [UInt8(ascii: ";")])
        }
        return hex(hasher.finalize())
    }

    /// Lowercase hex of a digest.
    package static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// JSON with sorted keys and no insignificant white space: the same facts always give the same text.
    package static func canonicalJSON(_ details: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(details) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// SHA-256 of bytes, hex: how files are named in the audit log.
    package static func sha256Hex(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }
}
