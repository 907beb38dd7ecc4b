/// Why the store refused or failed an operation, in words an operator can act on.
package enum StoreError: Error, CustomStringConvertible {
    /// Another process held the database past the busy timeout: try again.
    case busy(String)
    /// The database server could not be reached or ended the work for a reason that passes (a lost
    /// connection, a server restarting, a lock or resource limit): try again later.
    case unavailable(String)
    /// The database was written by a newer Salur than this binary.
    case newerSchema(String)
    /// The database file or its folder is not usable.
    case unusable(path: String, reason: String)
    /// There is no database file at `path`, and the command does not create one.
    case missing(path: String)
    /// The disk holding the database is full; the transaction was rolled back.
    case diskFull(path: String)
    /// A thing the operator named does not exist.
    case notFound(String)
    /// The operation is not allowed in the current state.
    case refused(String)

    /// Whether `error` means another connection held the database past the busy timeout.
    package static func isBusy(_ error: any Error) -> Bool {
        if case .busy = error as? StoreError { return true }
        if let error = error as? any StoreDriverError { return error.isBusyFailure }
        return false
    }

    /// Whether `error` is SQLite's "database or disk is full" (`StoreError.diskFull` or the raw error).
    package static func isDiskFull(_ error: any Error) -> Bool {
        if case .diskFull = error as? StoreError { return true }
        if let error = error as? any StoreDriverError { return error.isDiskFullFailure }
        return false
    }

    /// Whether `error` passes by itself: the database was busy or unavailable for a while. The engine
    /// abandons its pass on these and carries on; anything else stops it.
    package static func isTransient(_ error: any Error) -> Bool {
        if isBusy(error) { return true }
        if case .unavailable = error as? StoreError { return true }
        return false
    }

    package var description: String {
        switch self {
        case .busy(let what): "database busy: \(what); another salurctl or salurd holds it — try again"
        case .unavailable(let what): "database unavailable for now: \(what); try again later"
        case .newerSchema(let what): "the database was written by a newer Salur (\(what)); upgrade this binary"
        case .unusable(let path, let reason): "cannot use database \(path): \(reason)"
        case .missing(let path): "no database at \(path)"
        case .diskFull(let path): "the disk holding \(path) is full; nothing was changed (free space there, then run the command again)"
        case .notFound(let what): "not found: \(what)"
        case .refused(let why): why
        }
    }
}

/// A database driver's own error, as the store may let it through (SQLite's busy error on the
/// engine's writes): what `StoreError.isBusy`, `isDiskFull` and `isTransient` need to know of it.
package protocol StoreDriverError: Error {
    /// Another connection held the database past the busy timeout.
    var isBusyFailure: Bool { get }
    /// The disk holding the database is full.
    var isDiskFullFailure: Bool { get }
}
