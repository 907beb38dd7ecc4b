package import SalurCore

/// The one source of truth: what Salur knows and has done, behind a protocol so that the engine
/// and the CLI do not care whether it is the embedded SQLite file or a shared server database.
///
/// Every method that changes state is one transaction, and writes its audit row in that same
/// transaction: either the change and its record are durable together, or neither is.
package protocol Ledger: Sendable {
    // MARK: Recipients and account openings

    /// Imports recipients all-or-nothing: new NIKs are added, known NIKs with a changed name,
    /// phone or district are updated (a rejected opening goes back to `not_requested`), identical
    /// rows change nothing. Throws `ImportFailure` for rows that conflict with stored data.
    func importRecipients(_ rows: [RecipientFile.Row], source: SourceFile, actor: String) async throws -> RecipientImportSummary

    /// The same from a file still being checked: also throws `ImportFailure` for the file's bad
    /// rows. A store may take rows while later parts of the file are still checked; the audit
    /// entry names `source` as it is once read.
    func importRecipients(_ file: RecipientFile.Reading, source: ReadSource, actor: String) async throws -> RecipientImportSummary

    /// Selects every `not_requested` recipient, hands them to `deliver` (which writes the bank's
    /// request file and returns its SHA-256), and marks them `requested` — all in one transaction.
    func exportOpeningRequests(actor: String, deliver: ([OpeningRequest]) throws -> String) async throws -> Int

    /// The same, never holding every request at once: they are read in NIK order within the one
    /// transaction and handed to `page` at most `pageSize` at a time (the request file's rows are
    /// written as they come); then `finish`, called once (also when no recipient waits, after no
    /// page), makes the file whole under its name and returns its SHA-256. The recipients' marks and
    /// the audit row are committed only after `finish` returns: a throw from `page` or `finish`
    /// marks nothing. Returns how many were requested.
    func exportOpeningRequests(actor: String, pageSize: Int, page: ([OpeningRequest]) throws -> Void,
                               finish: () throws -> String) async throws -> Int

    /// Applies the bank's opening results all-or-nothing.
    func applyOpeningResults(_ rows: [OpeningResultFile.Row], source: SourceFile, actor: String) async throws -> OpeningResultSummary

    /// The same from a file still being read and checked (`OpeningResultImport`): also throws
    /// `ImportFailure` for the file's bad rows; the audit entry names `source` as it is once read.
    func applyOpeningResults(_ file: OpeningResultFile.Reading, source: ReadSource, actor: String) async throws -> OpeningResultSummary

    /// Counts by opening state, overall or grouped.
    func openingStatus(by grouping: OpeningGrouping?) async throws -> [OpeningStatus]

    /// Recipients matching the filter, ordered by NIK.
    func recipients(matching filter: RecipientFilter) async throws -> [StoredRecipient]

    // MARK: Audit

    /// Recomputes the audit chain; returns the number of rows verified or throws `AuditError`.
    func verifyAudit() async throws -> AuditVerification

    /// The newest audit rows, newest last.
    func auditTail(limit: Int) async throws -> [AuditEntry]
}

/// An input file as the audit log records it.
package struct SourceFile: Sendable {
    package let path: String
    package let sha256: String
    package init(path: String, sha256: String) {
        self.path = path
        self.sha256 = sha256
    }
}

/// What a recipients import did.
package struct RecipientImportSummary: Sendable, Equatable, Codable {
    package var added = 0
    package var updated = 0
    package var unchanged = 0
    /// Rejected openings sent back to `not_requested` because their data changed.
    package var reopened = 0
    package init() {}
}

/// What applying the bank's opening results did.
package struct OpeningResultSummary: Sendable, Equatable, Codable {
    package var opened = 0
    package var rejected = 0
    package var unchanged = 0
    package init() {}
}

/// One line of the bank's collective-opening request file.
package struct OpeningRequest: Sendable {
    package let nik: String
    package let name: String
    package let district: String
    package let phone: String
}

/// How `accounts status` groups its counts.
package enum OpeningGrouping: String, Sendable, CaseIterable {
    case district, program
}

/// Opening counts for one group (or for all recipients when `group` is nil).
package struct OpeningStatus: Sendable, Equatable {
    package var group: String?
    package var total = 0
    package var notRequested = 0
    package var requested = 0
    package var opened = 0
    package var rejected = 0
    /// Rejected count per reason.
    package var reasons: [String: Int] = [:]
    package init(group: String?) { self.group = group }
}

/// Which recipients `recipients list` shows.
package struct RecipientFilter: Sendable {
    package var state: AccountOpeningState?
    package var district: String?
    package var program: String?
    package var limit: Int?
    package init(state: AccountOpeningState? = nil, district: String? = nil, program: String? = nil, limit: Int? = nil) {
        self.state = state
        self.district = district
        self.program = program
        self.limit = limit
    }
}

/// A recipient as stored.
package struct StoredRecipient: Sendable, Equatable {
    package let id: Int64
    package let recipient: Recipient
    package let updatedAt: String
}

/// Folds a store's `(group, opening state, rejection reason, count)` rows into `OpeningStatus`es:
/// one for all recipients when not grouped, else one per group in the order the rows give them.
package struct OpeningStatusFold {
    private let grouped: Bool
    private var index: [String: Int] = [:]
    package private(set) var groups: [OpeningStatus]

    package init(grouped: Bool) {
        self.grouped = grouped
        groups = grouped ? [] : [OpeningStatus(group: nil)]
    }

    package mutating func add(group: String?, state: String, reason: String?, count n: Int) {
        let position: Int
        if !grouped {
            position = 0
        } else if let existing = index[group ?? ""] {
            position = existing
        } else {
            position = groups.count
            index[group ?? ""] = position
            groups.append(OpeningStatus(group: group))
        }
        groups[position].total += n
        switch state {
        case "not_requested": groups[position].notRequested += n
        case "requested": groups[position].requested += n
        case "opened": groups[position].opened += n
        default:
            groups[position].rejected += n
            groups[position].reasons[reason ?? "", default: 0] += n
        }
    }
}
