import Dispatch

extension PayrollFile {
    /// One window of a payroll, read, checked and computed.
    public struct Part: Sendable {
        /// The window's lines, in file order, each rounded on its own.
        public var lines: [PayrollLine] = []
        /// Data rows in the window, valid or not.
        var rowCount = 0
        /// The window's rows' own issues, an employee id or NIK an earlier row gave included.
        var issues: [ImportIssue] = []
        /// The sums of every line computed up to the window's end.
        var totals = PremiumTotals()
        /// Rows up to the window's end whose premiums cannot be computed.
        var unpriced: [ImportIssue] = []
        /// Why no line of the file can be computed, if the window's rows found it.
        var refusal: PremiumRunRefusal?
    }

    /// A payroll being read, checked and computed a window at a time, one window (or a few) ahead
    /// of the store taking its lines (`nextPart()`), on another thread: a file of any size is held
    /// a few windows at a time, with the employee ids and NIKs seen so far.
    ///
    /// The rows, their issues and their lines are those of `parse` and then
    /// `PremiumComputation.payroll` over the whole file, and `finish` refuses the file as those
    /// would, in the same order: a file the reader cannot read as CSV at all, with that one issue;
    /// then the rows' own issues (once there are more than `ImportIssue.limit`, rows are no longer
    /// checked, but the records are still read to the end for such an issue); then a refusal of the
    /// whole run (no rate in force); then the rows whose premiums cannot be computed. Lines are
    /// computed only while the file has no issue of its own; a store stops storing them once
    /// `isRefused`.
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
        /// The own issues of the rows taken, at most `ImportIssue.limit + 1`.
        private var issues: [ImportIssue] = []
        private var totals = PremiumTotals()
        private var unpriced: [ImportIssue] = []
        private var refusal: PremiumRunRefusal?
        private var ended = false

        /// Parts read ahead of the reader.
        static let depth = 3

        /// Reads `path` (naming it `file` in issues) window by window; throws if its header cannot be read.
        public convenience init(path: String, file: String, agreement: Agreement, period: Period,
                                rates: PremiumRates) throws(ImportFailure) {
            try self.init(CSVWindows.opening(path: path, file: file),
                          run: PremiumComputation.PayrollRun(agreement: agreement, period: period, rates: rates, file: file))
        }

        /// Reads a file held in memory, window by window as a file on disk is.
        public convenience init(bytes: [UInt8], file: String, agreement: Agreement, period: Period,
                                rates: PremiumRates) throws(ImportFailure) {
            try self.init(CSVWindows(bytes: bytes, file: file),
                          run: PremiumComputation.PayrollRun(agreement: agreement, period: period, rates: rates, file: file))
        }

        private init(_ windows: CSVWindows, run: PremiumComputation.PayrollRun) throws(ImportFailure) {
            file = windows.file
            let (columns, records) = try windows.header(required: required, optional: optional)
            let queue = PartQueue<Part>(depth: Self.depth)
            self.queue = queue
            DispatchQueue.global().async {
                Self.produce(windows, from: records, columns: columns, run: run, into: queue)
            }
        }

        /// Lines already computed, and their totals.
        public init(lines: [PayrollLine], totals: PremiumTotals) {
            file = ""
            queue = PartQueue(depth: 1)
            queue.put(Part(lines: lines, rowCount: lines.count, totals: totals))
            queue.end(nil)
        }

        deinit {
            queue.cancel()
        }

        /// The next part, in file order, once it is read; nil after the last (or once the file
        /// turned out unreadable: `finish` says why).
        public func nextPart() -> Part? {
            guard !ended, let part = queue.take() else { ended = true; return nil }
            rowCount += part.rowCount
            if issues.count <= ImportIssue.limit { issues += part.issues.prefix(ImportIssue.limit + 1 - issues.count) }
            totals = part.totals
            unpriced = part.unpriced
            refusal = refusal ?? part.refusal
            onRowsTaken?(rowCount)
            return part
        }

        /// Whether the file will be refused, from the parts taken so far: nothing of it will be stored.
        public var isRefused: Bool { !issues.isEmpty || refusal != nil || !unpriced.isEmpty || queue.failure != nil }

        /// Takes the parts not taken yet (their lines unused), then throws why the file is refused,
        /// if it is (see `Reading`); else returns the sums of all its lines.
        public func finish() throws -> PremiumTotals {
            while nextPart() != nil {}
            if let failure = queue.failure { throw failure }
            if !issues.isEmpty { throw ImportFailure(issues) }
            if let refusal { throw refusal }
            if !unpriced.isEmpty { throw ImportFailure(unpriced) }
            return totals
        }

        /// The reading thread: window after window, each read, checked and computed into one part.
        private static func produce(_ windows: CSVWindows, from records: CSVReader, columns: [String: Int],
                                    run: PremiumComputation.PayrollRun, into queue: PartQueue<Part>) {
            let file = windows.file
            let ordered = columns.sorted { $0.value < $1.value }
            var check = Check(agreement: run.agreement, columns: columns)
            var run = run
            // The rows' own issues so far; once there is one, or a refusal, no line is computed.
            var own = 0
            var refused = false
            var part = Part()
            do {
                try windows.forEachRecord(from: records) { record in
                    part.rowCount += 1
                    // Past the limit the file is refused already: only its syntax is read on.
                    guard own + part.issues.count <= ImportIssue.limit,
                          let row = CSVTable.row(record, file: file, columns: columns, ordered: ordered, issues: &part.issues),
                          let valid = check.row(row, issues: &part.issues),
                          !refused, own + part.issues.count == 0 else { return }
                    do throws(PremiumRunRefusal) {
                        if let line = try run.line(valid) { part.lines.append(line) }
                    } catch {
                        part.refusal = error
                        refused = true
                    }
                } windowEnded: {
                    own += part.issues.count
                    if own > 0 { refused = true }
                    part.totals = run.totals
                    part.unpriced = run.issues
                    defer { part = Part() }
                    return queue.put(part)
                }
                queue.end(nil)
            } catch {
                queue.end(error)
            }
        }
    }
}
