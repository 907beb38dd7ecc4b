import GRDB

/// Why the store refused or failed an operation, in words an operator can act on.
package enum StoreError: Error, CustomStringConvertible {
    /// Another process held the database past the busy timeout: try again.
    case busy(String)
    /// The database was written by a newer Salur than this binary.
    case newerSchema(String)
    /// The database file or its folder is not usable.
    case unusable(path: String, reason: String)
    /// A thing the operator named does not exist.
    case notFound(String)
    /// The operation is not allowed in the current state.
    case refused(String)

    /// Whether `error` means another connection held the database past the busy timeout.
    package static func isBusy(_ error: any Error) -> Bool {
        if case .busy = error as? StoreError { return true }
        if let error = error as? DatabaseError { return error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED }
        return false
    }

    package var description: String {
        switch self {
        case .busy(let what): "database busy: \(what); another salurctl or salurd holds it — try again"
        case .newerSchema(let what): "the database was written by a newer Salur (\(what)); upgrade this binary"
        case .unusable(let path, let reason): "cannot use database \(path): \(reason)"
        case .notFound(let what): "not found: \(what)"
        case .refused(let why): why
        }
    }
}
