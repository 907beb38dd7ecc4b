import Foundation
import PostgresNIO
package import SalurStore

extension PostgresLedger {
    /// One audit row to append with `audit(_:_:)`.
    struct AuditRecord {
        let actor: String
        let action: String
        let subject: String
        let details: [String: String]
    }

    /// Appends several audit rows, in order, inside the caller's transaction: the same chain as
    /// calling `audit(_:actor:action:subject:details:)` once per row, in one round trip per 5,000 rows
    /// (an import that updates many recipients writes one row per recipient). Holds the same
    /// advisory lock, so concurrent appenders never fork the chain.
    func audit(_ connection: PostgresConnection, _ records: [AuditRecord]) async throws {
        guard !records.isEmpty else { return }
        try await self.execute(connection, "SELECT pg_advisory_xact_lock(\(LockKey.audit.rawValue))")
        let previous = try await connection.statement(PostgresQuery(unsafeSQL: StoreSQL.auditHead), logger: logger)
            .first?.decode((Int64, String).self)
        var seq = previous?.0 ?? 0
        var prev = previous?.1 ?? AuditChain.genesis
        let at = Timestamp.iso8601(clock.now)
        for start in stride(from: 0, to: records.count, by: Self.chunk) {
            var seqs: [Int64] = [], actors: [String] = [], actions: [String] = [], subjects: [String] = []
            var details: [String] = [], prevs: [String] = [], hashes: [String] = []
            for record in records[start..<min(start + Self.chunk, records.count)] {
                seq += 1
                let text = AuditChain.canonicalJSON(record.details)
                let hash = AuditChain.hash(prev: prev, seq: seq, at: at, actor: record.actor, action: record.action,
                                           subject: record.subject, details: text)
                seqs.append(seq); actors.append(record.actor); actions.append(record.action); subjects.append(record.subject)
                details.append(text); prevs.append(prev); hashes.append(hash)
                prev = hash
            }
            try await execute(connection, """
                INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash)
                SELECT s, \(at), a, c, j, d, p, h
                FROM unnest(\(seqs)::bigint[], \(actors)::text[], \(actions)::text[], \(subjects)::text[],
                            \(details)::text[], \(prevs)::text[], \(hashes)::text[]) AS u(s, a, c, j, d, p, h)
                """)
        }
    }

    /// Recomputes the audit chain from its first row (one statement, so one snapshot, streamed).
    package func verifyAudit() async throws -> AuditVerification {
        try await withConnection("verifying the audit log") { connection in
            var verifier = AuditChain.Verifier()
            let rows = try await connection.streamedStatement("""
                SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit_log ORDER BY seq
                """, logger: self.logger)
            for try await (seq, at, actor, action, subject, details, prev, stored)
                in rows.decode((Int64, String, String, String, String, String, String, String).self) {
                try verifier.check(seq: seq, at: at, actor: actor, action: action, subject: subject, details: details,
                                   prevHash: prev, hash: stored)
            }
            return verifier.verification
        }
    }

    /// The newest `limit` audit rows, newest last.
    package func auditTail(limit: Int) async throws -> [AuditEntry] {
        try await withConnection("reading the audit log") { connection in
            var entries: [AuditEntry] = []
            for try await (seq, at, actor, action, subject, details, prev, hash) in try await connection.streamedStatement("""
                SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit_log ORDER BY seq DESC LIMIT \(limit)
                """, logger: self.logger).decode((Int64, String, String, String, String, String, String, String).self) {
                entries.append(AuditEntry.make(seq: seq, at: at, actor: actor, action: action, subject: subject, details: details,
                                          prevHash: prev, hash: hash))
            }
            return entries.reversed()
        }
    }
}
