/// One row of the hash-chained audit log.
package struct AuditEntry: Sendable, Equatable, Codable {
    package let seq: Int64
    /// UTC, ISO 8601 with milliseconds.
    package let at: String
    /// The OS user (or `salurd`) that made the change.
    package let actor: String
    /// `recipients.import`, `batch.approve`, …
    package let action: String
    /// What the action was about: a file, a batch id, a NIK.
    package let subject: String
    /// Facts as canonical JSON.
    package let details: String
    package let prevHash: String
    package let hash: String
}

/// The result of `salurctl audit verify`.
package struct AuditVerification: Sendable, Equatable {
    package let rows: Int
    package let headHash: String
}

/// The audit chain is broken.
package enum AuditError: Error, CustomStringConvertible, Equatable {
    /// Row `seq`'s stored hash is not what its content and its predecessor give.
    case tampered(seq: Int64, reason: String)
    /// Rows are missing before `seq`.
    case gap(after: Int64, next: Int64)

    package var description: String {
        switch self {
        case .tampered(let seq, let reason): "audit log broken at row \(seq): \(reason)"
        case .gap(let after, let next): "audit log broken: rows \(after + 1)…\(next - 1) are missing"
        }
    }
}
