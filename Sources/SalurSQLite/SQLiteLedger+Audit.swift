import Foundation
import GRDB
package import SalurStore

extension SQLiteLedger {
    /// Appends one audit row inside the caller's transaction, chained to the previous row.
    static func audit(_ db: Database, actor: String, action: String, subject: String, details: [String: String]) throws {
        let previous = try Row.fetchOne(db, sql: StoreSQL.auditHead)
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
            var verifier = AuditChain.Verifier()
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit_log ORDER BY seq")
            while let row = try cursor.next() {
                try verifier.check(seq: row["seq"], at: row["at"], actor: row["actor"], action: row["action"], subject: row["subject"],
                                   details: row["details"], prevHash: row["prev_hash"], hash: row["hash"])
            }
            return verifier.verification
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
