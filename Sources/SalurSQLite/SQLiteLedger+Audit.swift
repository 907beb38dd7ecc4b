import Foundation
import GRDB
package import SalurStore

extension SQLiteLedger {
    /// Appends one audit row inside the caller's transaction, chained to the previous row.
    static func audit(_ db: Database, actor: String, action: String, subject: String, details: [String: String]) throws {
        let previous = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        let seq: Int64 = (previous?["seq"] as Int64? ?? 0) + 1
        let prev: String = previous?["hash"] ?? AuditChain.genesis
        let at = systemTimestamp()
        let detailText = canonicalJSON(details)
        let hash = AuditChain.hash(prev: prev, seq: seq, at: at, actor: actor, action: action, subject: subject, details: detailText)
        try db.execute(sql: """
            INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [seq, at, actor, action, subject, detailText, prev, hash])
    }

    /// JSON with sorted keys and no insignificant white space: the same facts always give the same text.
    static func canonicalJSON(_ details: [String: String]) -> String { AuditChain.canonicalJSON(details) }

    package func verifyAudit() throws -> AuditVerification {
        try read { db in
            var expectedPrev = AuditChain.genesis
            var lastSeq: Int64 = 0
            var count = 0
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit_log ORDER BY seq")
            while let row = try cursor.next() {
                let seq: Int64 = row["seq"]
                if seq != lastSeq + 1 { throw AuditError.gap(after: lastSeq, next: seq) }
                let prev: String = row["prev_hash"]
                if prev != expectedPrev {
                    throw AuditError.tampered(seq: seq, reason: "prev_hash does not match row \(lastSeq)'s hash")
                }
                let hash = AuditChain.hash(prev: prev, seq: seq, at: row["at"], actor: row["actor"], action: row["action"],
                                           subject: row["subject"], details: row["details"])
                if hash != row["hash"] as String {
                    throw AuditError.tampered(seq: seq, reason: "its content does not match its hash")
                }
                expectedPrev = hash
                lastSeq = seq
                count += 1
            }
            return AuditVerification.make(rows: count, headHash: expectedPrev)
        }
    }

    package func auditTail(limit: Int) throws -> [AuditEntry] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?", arguments: [limit])
                .reversed()
                .map { row in
                    AuditEntry.make(seq: row["seq"], at: row["at"], actor: row["actor"], action: row["action"],
                               subject: row["subject"], details: row["details"], prevHash: row["prev_hash"], hash: row["hash"])
                }
        }
    }
}
