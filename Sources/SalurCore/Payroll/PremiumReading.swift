import Dispatch

/// What reading a premium file (a payroll, a BPU file) a window at a time needs of its kind of
/// file, in two steps: each row's checks that need no other row (and its premiums), made for
/// several windows side by side; then, one row after another in file order, what spans rows (an
/// employee id or NIK an earlier row gave) and the run's sums.
protocol PremiumRowRules: Sendable {
    /// A row checked on its own, and its premiums when its own fields are valid.
    associatedtype Checked: Sendable
    associatedtype Line: Sendable
    associatedtype Totals: Sendable

    /// `row` checked on its own (called for many rows at once, on several threads).
    func check(_ row: CSVRow) -> Checked

    /// In file order: adds the row's issues to `issues` (in field order, those that span rows
    /// included) and, when it has none and `computing`, returns its line, added to `totals` (nil
    /// when its premiums cannot be computed: the reason is added to `unpriced`). Throws
    /// `PremiumRunRefusal` when no line of the file can be computed.
    mutating func take(_ checked: Checked, issues: inout [ImportIssue], computing: Bool) throws(PremiumRunRefusal) -> Line?

    /// The sums of the lines taken so far.
    var totals: Totals { get }
    /// Rows taken whose premiums cannot be computed, at most `ImportIssue.limit + 1`.
    var unpriced: [ImportIssue] { get }
}

/// One window of a premium file, read, checked and computed.
public struct PremiumPart<Line: Sendable, Totals: Sendable>: Sendable {
    /// The window's lines, in file order, each rounded on its own.
    public var lines: [Line] = []
    /// Data rows in the window, valid or not.
    var rowCount = 0
    /// The window's rows' own issues, an employee id or NIK an earlier row gave included.
    var issues: [ImportIssue] = []
    /// The sums of every line computed up to the window's end.
    var totals: Totals
    /// Rows up to the window's end whose premiums cannot be computed.
    var unpriced: [ImportIssue] = []
    /// Why no line of the file can be computed, if the window's rows found it.
    var refusal: PremiumRunRefusal?
}

/// A premium file being read, checked and computed a window at a time, a few windows ahead of the
/// store taking its lines (`nextPart()`): a file of any size is held a few windows at a time, with
/// the employee ids and NIKs seen so far.
///
/// Each window's rows are read and checked on their own (and their premiums computed) on several
/// threads at once, at most `windowsAtOnce` windows at a time; then, in file order on one thread, what
/// spans rows is checked and the lines are summed. The rows, their issues and their lines are
/// those of the whole file parsed and then computed (`PayrollFile.parse` and
/// `PremiumComputation.payroll`, `BPUFile.parse` and `PremiumComputation.bpu`), and `finish`
/// refuses the file as those would, in the same order: a file the reader cannot read as CSV at
/// all, with that one issue (the first in file order); then the rows' own issues (once there are
/// more than `ImportIssue.limit`, rows are no longer taken, but the records are still read to the
/// end for such an issue); then a refusal of the whole run (no rate in force); then the rows whose
/// premiums cannot be computed. Lines are computed only while the file has no issue of its own; a
/// store stops storing them once `isRefused`.
///
/// One reader takes the parts, from one thread at a time.
public final class PremiumReading<Line: Sendable, Totals: Sendable>: @unchecked Sendable {
    public typealias Part = PremiumPart<Line, Totals>

    /// The name issues are reported under.
    public let file: String
    /// Data rows taken so far (valid or not): every row of the file once `nextPart()` gave nil.
    public private(set) var rowCount = 0
    /// Called with the rows handed to the reader so far, after each part is taken (for a progress bar).
    public var onRowsTaken: (@Sendable (Int) -> Void)?
    private let queue: PartQueue<Part>
    /// The own issues of the rows taken, at most `ImportIssue.limit + 1`.
    private var issues: [ImportIssue] = []
    private var totals: Totals
    private var unpriced: [ImportIssue] = []
    private var refusal: PremiumRunRefusal?
    private var ended = false

    /// Parts checked and summed ahead of the reader.
    static var depth: Int { 3 }
    /// Windows read and checked side by side ahead of the one being summed, unless told otherwise.
    public static var windowsAtOnce: Int { 4 }

    /// Reads `windows` (its header checked against `required` and `optional`) by the rules made
    /// for the header's columns; throws if the header cannot be read.
    init<Rules: PremiumRowRules>(_ windows: CSVWindows, required: [String], optional: [String], windowsAtOnce: Int,
                                 rules makeRules: ([String: Int]) -> Rules) throws(ImportFailure)
        where Rules.Line == Line, Rules.Totals == Totals {
        file = windows.file
        let (columns, records) = try windows.header(required: required, optional: optional)
        let rules = makeRules(columns)
        totals = rules.totals
        let queue = PartQueue<Part>(depth: Self.depth)
        self.queue = queue
        WaitingThread.start {
            Self.produce(windows, from: records, columns: columns, rules: rules, inFlight: max(1, windowsAtOnce), into: queue)
        }
    }

    /// Lines already computed, and their totals.
    public init(lines: [Line], totals: Totals) {
        file = ""
        self.totals = totals
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
    /// if it is (see `PremiumReading`); else returns the sums of all its lines.
    public func finish() throws -> Totals {
        while nextPart() != nil {}
        if let failure = queue.failure { throw failure }
        if !issues.isEmpty { throw ImportFailure(issues) }
        if let refusal { throw refusal }
        if !unpriced.isEmpty { throw ImportFailure(unpriced) }
        return totals
    }

    /// A window's rows, read and checked on their own: each row's own checks, or the issues that
    /// keep it from being a row of the table (field count, UTF-8); or the window's first record
    /// that cannot be read as CSV.
    private enum Window<Checked: Sendable>: Sendable {
        case rows([Result<Checked, RowIssues>])
        case unreadable(CSVError)
    }

    private struct RowIssues: Error, Sendable {
        let issues: [ImportIssue]
    }

    /// One window being checked on another thread, taken once it is done.
    private final class Pending<Checked: Sendable>: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var window: Window<Checked>?

        func fill(_ window: Window<Checked>) {
            self.window = window
            done.signal()
        }

        func take() -> Window<Checked> {
            done.wait()
            return window!
        }
    }

    /// The reading thread: window after window read, handed to another thread to be checked on its
    /// own (at most `inFlight` at once), and taken back in file order to be checked across rows and
    /// summed into one part.
    private static func produce<Rules: PremiumRowRules>(_ windows: CSVWindows, from records: CSVReader, columns: [String: Int],
                                                        rules: Rules, inFlight: Int, into queue: PartQueue<Part>)
        where Rules.Line == Line, Rules.Totals == Totals {
        let file = windows.file
        let ordered = columns.sorted { $0.value < $1.value }
        let check = rules
        var rules = rules
        // The rows' own issues so far; once there is one, or a refusal, no line is computed.
        var own = 0
        var refused = false
        var pending: [Pending<Rules.Checked>] = []
        pending.reserveCapacity(inFlight)

        /// The rows of `reader`'s window checked on their own, and the line after the window.
        @Sendable func checkWindow(_ reader: CSVReader) -> (Window<Rules.Checked>, next: Int) {
            var reader = reader
            var rows: [Result<Rules.Checked, RowIssues>] = []
            rows.reserveCapacity(CSVWindows.windowBytes / 64)
            do throws(CSVError) {
                while let record = try reader.next() {
                    var issues: [ImportIssue] = []
                    if let row = CSVTable.row(record, file: file, columns: columns, ordered: ordered, issues: &issues) {
                        rows.append(.success(check.check(row)))
                    } else {
                        rows.append(.failure(RowIssues(issues: issues)))
                    }
                }
                return (.rows(rows), reader.offset.line)
            } catch {
                return (.unreadable(error), reader.offset.line)
            }
        }

        /// Checks the rows of `reader`'s window on another thread.
        func start(_ reader: CSVReader) {
            let window = Pending<Rules.Checked>()
            pending.append(window)
            DispatchQueue.global().async { window.fill(checkWindow(reader).0) }
        }

        /// Takes the oldest window checked: its rows checked across rows and summed into a part,
        /// handed to the reader; false once the reading stops (a record that cannot be read, or
        /// the reader gone).
        func takeOldest() -> Bool {
            let window = pending.removeFirst().take()
            guard case .rows(let rows) = window else {
                if case .unreadable(let error) = window { queue.end(CSVTable.failure(error, file: file)) }
                return false
            }
            var part = Part(totals: rules.totals)
            part.rowCount = rows.count
            for row in rows {
                // Past the limit the file is refused already: only its syntax is read on.
                guard own + part.issues.count <= ImportIssue.limit else { break }
                switch row {
                case .failure(let unreadable):
                    part.issues += unreadable.issues
                case .success(let checked):
                    do throws(PremiumRunRefusal) {
                        if let line = try rules.take(checked, issues: &part.issues, computing: !refused && own + part.issues.count == 0) {
                            part.lines.append(line)
                        }
                    } catch {
                        part.refusal = error
                        refused = true
                    }
                }
            }
            own += part.issues.count
            if own > 0 { refused = true }
            part.totals = rules.totals
            part.unpriced = rules.unpriced
            return queue.put(part)
        }

        // The first window, after the header, is checked here: where it ends gives the next window's first line.
        let (first, next) = checkWindow(records)
        let window = Pending<Rules.Checked>()
        window.fill(first)
        pending.append(window)
        var line = next
        do throws(InputFile.Failure) {
            while let window = try windows.next() {
                if pending.count == inFlight, !takeOldest() { return drain(pending) }
                start(CSVReader(bytes: window, range: 0..<window.count, line: line, file: file))
                line += lineEnds(window)
            }
        } catch {
            while !pending.isEmpty { guard takeOldest() else { return drain(pending) } }
            return queue.end(ImportFailure([ImportIssue(file: file, line: 0, field: "file", reason: error.description)]))
        }
        while !pending.isEmpty { guard takeOldest() else { return drain(pending) } }
        queue.end(nil)
    }

    /// Waits for the windows still being checked (their results unused).
    private static func drain<Checked>(_ pending: [Pending<Checked>]) {
        for window in pending { _ = window.take() }
    }

    /// The line ends in `bytes`: how many lines a window spans (a record ends at a
    /// line end, and a quoted line end counts as a line too, as `CSVReader` counts them).
    private static func lineEnds(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBufferPointer { buffer in
            var count = 0
            for byte in buffer where byte == 0x0A { count += 1 }
            return count
        }
    }
}
