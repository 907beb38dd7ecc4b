import Dispatch

extension RecipientFile {
    /// A recipients file being checked. Its CSV records are read when it is made; a large file's
    /// rows are then checked part after part on other threads, so that a store can take the rows of
    /// the first parts (`nextPart()`) while later ones are still being checked. Duplicate NIKs and
    /// account numbers are looked for across the whole file once every part is checked; `finish()`
    /// and `rows()` wait for that and throw every bad row at once.
    ///
    /// One reader takes the parts, from one thread at a time.
    public final class Reading: @unchecked Sendable {
        /// The file's data rows (valid or not).
        public let rowCount: Int
        /// Each part written by one checking thread before it signals that part's semaphore.
        private let parts: UnsafeMutableBufferPointer<Part>
        private let ready: [DispatchSemaphore]
        /// Signalled once every part is checked and `issues` is set.
        private let done = DispatchSemaphore(value: 0)
        private var issues: [ImportIssue] = []
        // The reader's own state.
        private var taken = 0
        private var stopped = false
        private var waited = false
        private var rowsTaken = 0
        /// Called with the rows handed to the reader so far, after each part is taken (for a progress bar).
        public var onRowsTaken: (@Sendable (Int) -> Void)?

        /// Rows per part; a file of fewer than twice this many is checked at once, on the calling thread.
        static let rowsPerPart = 20_000

        /// Reads the file's header and records (throwing if it cannot be read as a table: the header,
        /// an unclosed quote) and starts checking its rows.
        public init(bytes: [UInt8], file: String) throws(ImportFailure) {
            let table = try CSVTable(bytes: bytes, file: file, required: required, optional: optional)
            let columns = Columns(table)
            rowCount = table.rowCount
            let partCount = max(1, min(64, table.rowCount / Self.rowsPerPart))
            let size = (table.rowCount + partCount - 1) / partCount
            parts = .allocate(capacity: partCount)
            parts.initialize(repeating: Part())
            ready = (0..<partCount).map { _ in DispatchSemaphore(value: 0) }
            let check: @Sendable () -> Void = { [self] in
                // Iterations are handed out in order, so the early parts are ready first.
                DispatchQueue.concurrentPerform(iterations: partCount) { part in
                    let range = min(part * size, table.rowCount)..<min((part + 1) * size, table.rowCount)
                    self.parts[part] = RecipientFile.check(table, range, columns)
                    self.ready[part].signal()
                }
                self.issues = RecipientFile.issues(self.parts, file: file)
                self.done.signal()
            }
            if partCount == 1 { check() } else { DispatchQueue.global().async(execute: check) }
        }

        /// Rows already checked (the file's own checks done by the caller).
        public init(rows: [Row]) {
            rowCount = rows.count
            parts = .allocate(capacity: 1)
            parts.initialize(repeating: Part(rows: rows))
            // Signalled rather than made with a value of 1: libdispatch refuses to free a semaphore
            // whose value is below the one it was made with.
            ready = [DispatchSemaphore(value: 0)]
            ready[0].signal()
            done.signal()
        }

        deinit {
            parts.deinitialize()
            parts.deallocate()
        }

        /// The valid rows of the next part, in file order, once it is checked; nil after the last
        /// part, or as soon as a part has a bad row (the file will be refused: `finish()` says why).
        public func nextPart() -> [Row]? {
            guard taken < parts.count, !stopped else { return nil }
            ready[taken].wait()
            let part = parts[taken]
            taken += 1
            if !part.issues.isEmpty { stopped = true; return nil }
            rowsTaken += part.rows.count
            onRowsTaken?(rowsTaken)
            return part.rows
        }

        /// Waits until the whole file is checked; throws every bad row, in line order.
        public func finish() throws(ImportFailure) {
            if !waited {
                done.wait()
                waited = true
            }
            if !issues.isEmpty { throw ImportFailure(issues) }
        }

        /// Every row, once the whole file is checked and found valid.
        public func rows() throws(ImportFailure) -> [Row] {
            try finish()
            var rows: [Row] = []
            rows.reserveCapacity(rowCount)
            for part in parts { rows += part.rows }
            return rows
        }
    }
}
