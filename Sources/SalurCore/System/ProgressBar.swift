import Foundation
import Synchronization

/// A progress bar for long salurctl work (imports, reconciliation, `db copy`, large exports): rows
/// done, of how many, and the rate, redrawn in place on one line of stderr, at most `redrawsPerSecond`
/// times a second, and a last line when the work ends. It writes nothing at all when stderr is not a
/// terminal (a pipe, a file, a journal) or when the command prints JSON: scripts see only the result.
///
/// Thread-safe: the work may report from any thread.
package final class ProgressBar: Sendable {
    /// What is being done, e.g. `importing recipients.csv`.
    package let label: String
    private let unit: String
    private let drawing: Bool
    private let write: @Sendable (String) -> Void
    private let now: @Sendable () -> ContinuousClock.Instant
    private let interval: Duration
    private let state: Mutex<State>

    private struct State {
        var total: Int?
        var done = 0
        var started: ContinuousClock.Instant
        var lastDrawn: ContinuousClock.Instant?
        var finished = false
    }

    /// - Parameters:
    ///   - total: the rows expected, when known (a bar is drawn); nil: rows and rate only.
    ///   - isTerminal: whether the sink is a terminal; false: nothing is ever written.
    ///   - write: where the text goes (stderr).
    ///   - now: the monotonic clock rates and throttling are measured on.
    package init(_ label: String, total: Int?, unit: String = "rows", isTerminal: Bool, redrawsPerSecond: Int = 10,
                 write: @escaping @Sendable (String) -> Void,
                 now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.label = label
        self.unit = unit
        self.drawing = isTerminal
        self.write = write
        self.now = now
        self.interval = .milliseconds(1000 / max(1, redrawsPerSecond))
        state = Mutex(State(total: total, started: now()))
    }

    /// Progress on stderr, drawn only if stderr is a terminal and `quiet` (e.g. `--json`) is false.
    package static func onStandardError(_ label: String, total: Int?, unit: String = "rows", quiet: Bool) -> ProgressBar {
        ProgressBar(label, total: total, unit: unit, isTerminal: !quiet && isatty(STDERR_FILENO) == 1) { text in
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    /// Whether anything is drawn at all.
    package var isDrawing: Bool { drawing }

    /// Sets the rows done so far (never backwards) and redraws if the last redraw is old enough.
    package func update(done: Int, total: Int? = nil) {
        guard drawing else { return }
        let at = now()
        let line: String? = state.withLock { s in
            guard !s.finished else { return nil }
            s.done = max(s.done, done)
            if let total { s.total = total }
            if let last = s.lastDrawn, at - last < interval { return nil }
            s.lastDrawn = at
            return render(s, at: at)
        }
        if let line { write("\r" + line + "\u{1B}[K") }
    }

    /// Adds `rows` to the rows done.
    package func advance(by rows: Int) {
        guard drawing else { return }
        let done = state.withLock { $0.done } + rows
        update(done: done)
    }

    /// Draws the last line (rows, time taken, rate) and ends it; later updates are ignored.
    package func finish(done: Int? = nil) {
        guard drawing else { return }
        let at = now()
        let line: String? = state.withLock { s in
            guard !s.finished else { return nil }
            s.finished = true
            if let done { s.done = max(s.done, done) }
            let seconds = Self.seconds(at - s.started)
            return "\(label): \(Self.grouped(s.done)) \(unit) in \(Self.oneDecimal(seconds)) s (\(Self.grouped(Self.rate(s.done, seconds))) \(unit)/s)"
        }
        if let line { write("\r" + line + "\u{1B}[K\n") }
    }

    /// Wipes the line without a last one (the work failed; its error follows).
    package func clear() {
        guard drawing else { return }
        let wasDrawn = state.withLock { s in
            defer { s.finished = true }
            return !s.finished && s.lastDrawn != nil
        }
        if wasDrawn { write("\r\u{1B}[K") }
    }

    /// Draws the bar at `done`, runs `body` (work that reports no rows of its own, such as one
    /// transaction), then draws the last line with `total` rows; on an error, wipes the line.
    package func around<T>(done: Int = 0, total: Int, _ body: () async throws -> T) async throws -> T {
        update(done: done, total: total)
        do {
            let result = try await body()
            finish(done: total)
            return result
        } catch {
            clear()
            throw error
        }
    }

    private func render(_ s: State, at: ContinuousClock.Instant) -> String {
        let rate = Self.rate(s.done, Self.seconds(at - s.started))
        guard let total = s.total, total > 0 else {
            return "\(label): \(Self.grouped(s.done)) \(unit)  \(Self.grouped(rate)) \(unit)/s"
        }
        let width = 24
        let fraction = min(1, Double(s.done) / Double(total))
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        return "\(label) [\(bar)] \(Self.grouped(s.done))/\(Self.grouped(total)) \(unit) \(Int(fraction * 100))%  \(Self.grouped(rate)) \(unit)/s"
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func rate(_ done: Int, _ seconds: Double) -> Int {
        seconds > 0 ? Int((Double(done) / seconds).rounded()) : 0
    }

    static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }
}
