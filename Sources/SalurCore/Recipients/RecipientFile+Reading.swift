import Dispatch

extension RecipientFile {
    /// The NIK and account number a row gives (either nil when not valid): what the duplicate
    /// checks across the file look at, for rows refused for their own issues too.
    public struct Keys: Sendable, Equatable {
        public let line: Int
        public let nik: NIK?
        public let account: String?
    }

    /// One window of the file, checked.
    public struct Part: Sendable {
        /// The window's valid rows, in file order.
        public var rows: [Row] = []
        /// The keys of the window's rows refused for their own issues, in file order.
        public var refused: [Keys] = []
        /// The window's own issues (duplicates across rows are the store's to find).
        var issues: [ImportIssue] = []

        /// Every row's keys, valid rows and refused ones, in file order.
        public var keys: [Keys] {
            var keys: [Keys] = []
            keys.reserveCapacity(rows.count + refused.count)
            var next = refused.startIndex
            for row in rows {
                while next < refused.endIndex, refused[next].line < row.line { keys.append(refused[next]); next += 1 }
                keys.append(Keys(line: row.line, nik: row.nik, account: row.accountNo))
            }
            keys += refused[next...]
            return keys
        }
    }

    /// A recipients file being read and checked a window at a time, one window (or a few) ahead
    /// of the store taking them (`nextPart()`), on another thread: a file of any size is held a
    /// few windows at a time.
    ///
    /// Each row's own checks run here. What spans the whole file, a NIK or an account number
    /// given twice, is found by whoever takes the parts — a store, from what it stored
    /// (`SQLiteLedger.importRecipients`), or `rows()` in memory — and handed to `finish`, which
    /// throws every issue of the file in line order. A file the reader cannot read as CSV at all
    /// (an unclosed quote, say) is refused with that one issue, as `CSVTable` refuses it; once
    /// a file has more than `ImportIssue.limit` issues of its own, its rows are no longer checked
    /// but its records are still read to its end for such an issue.
    ///
    /// One reader takes the parts, from one thread at a time.
    public final class Reading: @unchecked Sendable {
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
        static let depth = 3

        /// Reads `path` (naming it `file` in issues) window by window; throws if its header cannot be read.
        public convenience init(path: String, file: String) throws(ImportFailure) {
            try self.init(CSVWindows.opening(path: path, file: file))
        }

        /// Reads a file held in memory, window by window as a file on disk is.
        public convenience init(bytes: [UInt8], file: String) throws(ImportFailure) {
            try self.init(CSVWindows(bytes: bytes, file: file))
        }

        private init(_ windows: CSVWindows) throws(ImportFailure) {
            file = windows.file
            let (columns, records) = try windows.header(required: required, optional: optional)
            let queue = PartQueue<Part>(depth: Self.depth)
            self.queue = queue
            let check = Check(columns: columns, file: file)
            DispatchQueue.global().async {
                Self.produce(windows, from: records, check: check, into: queue)
            }
        }

        /// Rows already checked (the file's own checks done by the caller).
        public init(rows: [Row]) {
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

        /// Whether the file will be refused whatever the duplicate checks find: a row had an issue
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

        /// Every row, the whole file held in memory once it is read and found valid: the duplicates
        /// found by sorting every row's keys.
        public func rows() throws(ImportFailure) -> [Row] {
            var rows: [Row] = []
            var niks: [(UInt64, Int)] = []
            var accounts: [(String, Int)] = []
            while let part = nextPart() {
                rows += part.rows
                for keys in part.keys {
                    if let nik = keys.nik { niks.append((nik.numericValue, keys.line)) }
                    if let account = keys.account { accounts.append((account, keys.line)) }
                }
            }
            try finish(duplicateNIKs: RecipientFile.repeats(niks), duplicateAccounts: RecipientFile.repeats(accounts))
            return rows
        }

        /// The checking thread: window after window, each checked into one part.
        private static func produce(_ windows: CSVWindows, from records: CSVReader, check: Check, into queue: PartQueue<Part>) {
            var own = 0
            var part = Part()
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
    }

    /// The own checks of one record (see `RecipientFile.check`).
    struct Check: Sendable {
        let columns: [String: Int]
        let ordered: [(key: String, value: Int)]
        let indices: Columns
        let file: String

        init(columns: [String: Int], file: String) {
            self.columns = columns
            ordered = columns.sorted { $0.value < $1.value }
            indices = Columns(columns)
            self.file = file
        }

        func record(_ record: CSVRecord, into part: inout Part) {
            guard let row = CSVTable.row(record, file: file, columns: columns, ordered: ordered, issues: &part.issues) else { return }
            RecipientFile.check(row, indices, into: &part)
        }
    }
}
