import Crypto
package import SalurCore
import Synchronization

/// The bank's opening results applied the same way on every store, a window of the file at a
/// time inside the one transaction: each part's rows decided against the recipients as stored
/// before the file (no decision depends on another row's answer, for a file gives each NIK and
/// account number once), the changes kept aside by the store and written together at the end.
/// A NIK or account number the file gives twice is found by the store, in a temporary table of
/// the keys seen so far (not in memory), before the part that repeats it is decided. The file's
/// own issues and its duplicates refuse it first; only a file without any is refused for the store's.
package struct OpeningResultImport {
    /// A recipient as stored: its id and opening.
    package typealias Stored = (id: Int64, opening: AccountOpening)

    /// One change to write: a recipient's new opening.
    package typealias Answer = (id: Int64, next: AccountOpening)

    /// The name the store's issues are reported under.
    package let file: String
    package private(set) var summary = OpeningResultSummary()
    /// The store's issues found so far, at most `ImportIssue.limit + 1`.
    package private(set) var issues: [ImportIssue] = []

    package init(file: String) {
        self.file = file
    }

    /// Whether the store need not be asked about `part`: the file is refused already (its own
    /// issues, or a key it gave twice), or enough of the store's issues are known to refuse it.
    package func skips(_ reading: OpeningResultFile.Reading, duplicates: Bool) -> Bool {
        reading.isRefused || duplicates || issues.count > ImportIssue.limit
    }

    /// The account numbers the rows would open: whose holder the store is asked for.
    package static func accounts(_ rows: [OpeningResultFile.Row]) -> [String] {
        rows.compactMap { row in
            if case .opened(let account) = row.result { account } else { nil }
        }
    }

    /// Decides `rows` in file order against the recipients stored under their NIKs (`stored`)
    /// and the NIKs holding the account numbers they open (`holders`); returns the changes.
    package mutating func decide(_ rows: [OpeningResultFile.Row], stored: [String: Stored],
                                 holders: [String: String]) -> [Answer] {
        var answers: [Answer] = []
        for row in rows where issues.count <= ImportIssue.limit {
            let nik = row.nik.digits
            guard let current = stored[nik] else {
                issues.append(ImportIssue(file: file, line: row.line, field: "nik", reason: RecipientImport.unknownNIK))
                continue
            }
            let next: AccountOpening
            do throws(TransitionError) {
                next = try current.opening.bankAnswered(row.result)
            } catch {
                issues.append(ImportIssue(file: file, line: row.line, field: "status",
                                          reason: "recipient is \(current.opening.state.rawValue); \(error.description)"))
                continue
            }
            if case .opened(let account) = next, let holder = holders[account], holder != nik {
                issues.append(ImportIssue(file: file, line: row.line, field: "account_no", reason: RecipientImport.accountTaken(holder: holder)))
                continue
            }
            guard next != current.opening else { summary.unchanged += 1; continue }
            answers.append((current.id, next))
            if case .opened = next { summary.opened += 1 } else { summary.rejected += 1 }
        }
        return answers
    }

    /// Once every part was decided: throws the file's own issues and its duplicates (each a line
    /// that repeats the NIK or account number of the `first` line before it) if it has any, else
    /// the store's.
    package func finish(_ reading: OpeningResultFile.Reading, duplicateNIKs: [(line: Int, first: Int)],
                        duplicateAccounts: [(line: Int, first: Int)]) throws(ImportFailure) {
        try reading.finish(duplicateNIKs: duplicateNIKs, duplicateAccounts: duplicateAccounts)
        if !issues.isEmpty { throw ImportFailure(issues) }
    }

    /// The audit entry's details, if the file changed anything (`source` asked for only then).
    package func details(_ reading: OpeningResultFile.Reading, source: ReadSource) -> [String: String]? {
        guard summary.opened + summary.rejected > 0 else { return nil }
        return RecipientImport.details(summary, source: source.file, rows: reading.rowCount)
    }
}

/// A file an import reads while it stores it: its path up front, its SHA-256 once it has been
/// read to its end (`FileDigest`).
package struct ReadSource: Sendable {
    package let path: String
    private let sha256: @Sendable () -> String

    package init(path: String, sha256: @escaping @Sendable () -> String) {
        self.path = path
        self.sha256 = sha256
    }

    /// A file whose SHA-256 is known already.
    package init(_ source: SourceFile) {
        path = source.path
        sha256 = { source.sha256 }
    }

    /// The file as the audit entry names it; asked once the file was read to its end.
    package var file: SourceFile { SourceFile(path: path, sha256: sha256()) }
}

/// The SHA-256 of a file made as `CSVWindows` reads it (on whichever thread reads), so that the
/// file is read once, not once more for its digest.
package final class FileDigest: Sendable {
    private let hasher = Mutex(SHA256())

    /// Digests the bytes `windows` reads from now on: attach it before the first window.
    package init(_ windows: CSVWindows) {
        windows.onRead = { [self] bytes in hasher.withLock { $0.update(bufferPointer: bytes) } }
    }

    /// The digest of what was read, in hex (the file's, once it was read to its end).
    package var sha256: String { AuditChain.hex(hasher.withLock { $0.finalize() }) }
}
