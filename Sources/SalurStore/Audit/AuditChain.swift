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

    /// Checks the chain row by row, read in `seq` order from the first: each row follows the one
    /// before it without a gap, names its hash as `prev_hash`, and carries the hash its content gives.
    package struct Verifier {
        private var expectedPrev = AuditChain.genesis
        private var lastSeq: Int64 = 0
        private var count = 0

        package init() {}

        package mutating func check(seq: Int64, at: String, actor: String, action: String, subject: String, details: String,
                                    prevHash: String, hash stored: String) throws(AuditError) {
            if seq != lastSeq + 1 { throw .gap(after: lastSeq, next: seq) }
            if prevHash != expectedPrev {
                throw .tampered(seq: seq, reason: "prev_hash does not match row \(lastSeq)'s hash")
            }
            let hash = AuditChain.hash(prev: prevHash, seq: seq, at: at, actor: actor, action: action, subject: subject, details: details)
            if hash != stored {
                throw .tampered(seq: seq, reason: "its content does not match its hash")
            }
            expectedPrev = hash
            lastSeq = seq
            count += 1
        }

        /// What the rows checked so far verify.
        package var verification: AuditVerification { AuditVerification(rows: count, headHash: expectedPrev) }
    }
}
