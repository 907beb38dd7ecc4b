import Dispatch
import Synchronization

/// An import file `CSVImportReading` reads: its columns, and how its records are checked.
public protocol CSVImportFile: SendableMetatype {
    /// One valid row.
    associatedtype Row: Sendable
    /// What checks the file's records, one after another in file order.
    associatedtype Checker: CSVImportChecker where Checker.Row == Row
    static var required: [String] { get }
    static var optional: [String] { get }
    /// A checker for a file with these columns (from its header), naming `file` in issues.
    static func checker(columns: [String: Int], file: String) -> Checker
}

/// The own checks of a file's records, run on the reading thread in file order: it may keep what
/// earlier records gave (a NIK seen once) for the rules that span the file.
public protocol CSVImportChecker: Sendable {
    associatedtype Row: Sendable
    /// Checks one row (of the header's width, valid UTF-8) into `part`.
    mutating func check(_ row: CSVRow, into part: inout ImportPart<Row>)
}

/// One window of an import file, checked.
public struct ImportPart<Row: Sendable>: Sendable {
    /// The window's valid rows, in file order.
    public var rows: [Row] = []
    /// The keys of the window's rows refused for their own issues, in file order (for the
    /// duplicate checks a store makes across the file).
    public var refused: [RecipientFile.Keys] = []
    /// The window's own issues.
    var issues: [ImportIssue] = []
}

/// An import file being read and checked a window at a time, one window (or a few) ahead of the
/// store taking them (`nextPart()`), on another thread: a file of any size is held a few windows
/// at a time.
///
/// Each row's own checks run here (`File.Checker`). What spans the whole file and the checker
/// does not keep is found by whoever takes the parts and handed to `finish`, which throws every
/// issue of the file in line order. A file the reader cannot read as CSV at all (an unclosed
/// quote, say) is refused with that one issue, as `CSVTable` refuses it; once a file has more
/// than `ImportIssue.limit` issues of its own, its rows are no longer checked but its records are
/// still read to its end for such an issue.
///
/// One reader takes the parts, from one thread at a time.
public final class CSVImportReading<File: CSVImportFile>: @unchecked Sendable {
    public typealias Part = ImportPart<File.Row>

    /// The name issues are reported under.
    public let file: String
    /// Data rows taken so far (valid or not): every row of the file once `nextPart()` gave nil.
    public private(set) var rowCount = 0
    /// Called with the rows handed to the reader so far, after each part is taken (for a progress bar).
    public var onRowsTaken: (@Sendable (Int) -> Void)?
    private let queue: PartQueue<Part>
    /// The own issues of the parts taken, at most `ImportIssue.limit + 1`.
    private var issues: [ImportIssue] = []
    private var ended = false

    /// Parts checked ahead of the reader.
    static var depth: Int { 3 }

    /// Reads `path` (naming it `file` in issues) window by window; throws if its header cannot be read.
    public convenience init(path: String, file: String) throws(ImportFailure) {
        let windows: CSVWindows
        do { windows = try CSVWindows(path: path, file: file) } catch {
            throw ImportFailure([ImportIssue(file: file, line: 0, field: "file", reason: error.description)])
        }
        try self.init(windows)
    }

    /// Reads a file held in memory, window by window as a file on disk is.
    public convenience init(bytes: [UInt8], file: String) throws(ImportFailure) {
        try self.init(CSVWindows(bytes: bytes, file: file))
    }

    /// Reads the windows of a file already opened; throws if its header cannot be read.
    public init(_ windows: CSVWindows) throws(ImportFailure) {
        file = windows.file
        let (columns, records) = try windows.header(required: File.required, optional: File.optional)
        let queue = PartQueue<Part>(depth: Self.depth)
        self.queue = queue
        let check = Check(columns: columns, file: windows.file, checker: File.checker(columns: columns, file: windows.file))
        WaitingThread.start {
            Self.produce(windows, from: records, check: check, into: queue)
        }
    }

    /// Rows already checked (the file's own checks done by the caller).
    public init(rows: [File.Row]) {
        file = ""
        queue = PartQueue(depth: 1)
        queue.put(Part(rows: rows))
        queue.end(nil)
    }

    deinit {
        queue.cancel()
    }

    /// The next part, in file order, once it is checked; nil after the last (or once the file
    /// turned out unreadable: `finish` says why).
    public func nextPart() -> Part? {
        guard !ended, let part = queue.take() else { ended = true; return nil }
        rowCount += part.rows.count + part.refused.count
        if issues.count <= ImportIssue.limit { issues += part.issues.prefix(ImportIssue.limit + 1 - issues.count) }
        onRowsTaken?(rowCount)
        return part
    }

    /// Whether the file will be refused whatever the checks across it find: a row had an issue
    /// of its own among the parts taken, or the file could not be read.
    public var isRefused: Bool { !issues.isEmpty || queue.failure != nil }

    /// Takes the parts not taken yet (their rows unused), then throws every issue of the file in
    /// line order, if it has any: its own and the duplicates found across it (each a row that
    /// repeats the NIK or account number of the `first` line before it).
    public func finish(duplicateNIKs: [(line: Int, first: Int)] = [],
                       duplicateAccounts: [(line: Int, first: Int)] = []) throws(ImportFailure) {
        while nextPart() != nil {}
        if let failure = queue.failure { throw failure }
        let all = RecipientFile.merged(own: issues, duplicateNIKs: duplicateNIKs, duplicateAccounts: duplicateAccounts, file: file)
        if !all.isEmpty { throw ImportFailure(all) }
    }

    /// The checking thread: window after window, each checked into one part.
    private static func produce(_ windows: CSVWindows, from records: CSVReader, check: Check, into queue: PartQueue<Part>) {
        var check = check
        var part = Part()
        // The own issues of the windows before this one.
        var own = 0
        do {
            try windows.forEachRecord(from: records) { record in
                // Past the limit the file is refused already: only its syntax is read on.
                if own <= ImportIssue.limit { check.record(record, into: &part) }
            } windowEnded: {
                own += part.issues.count
                defer { part = Part() }
                return queue.put(part)
            }
            queue.end(nil)
        } catch {
            queue.end(error)
        }
    }

    /// A record as a row of the file's columns, then the file's own checks.
    struct Check: Sendable {
        let columns: [String: Int]
        let ordered: [(key: String, value: Int)]
        let file: String
        var checker: File.Checker

        init(columns: [String: Int], file: String, checker: File.Checker) {
            self.columns = columns
            ordered = columns.sorted { $0.value < $1.value }
            self.file = file
            self.checker = checker
        }

        mutating func record(_ record: CSVRecord, into part: inout Part) {
            guard let row = CSVTable.row(record, file: file, columns: columns, ordered: ordered, issues: &part.issues) else { return }
            checker.check(row, into: &part)
        }
    }
}
