import SalurCore
import Synchronization
import Testing

/// The progress bar of long salurctl work, against a fake terminal and a clock the test moves.
@Suite("Progress bar")
struct ProgressBarTests {
    /// What was written, and a monotonic clock moved by hand.
    final class FakeTerminal: Sendable {
        let written = Mutex<[String]>([])
        let instant = Mutex(ContinuousClock.now)

        func write(_ text: String) { written.withLock { $0.append(text) } }
        func now() -> ContinuousClock.Instant { instant.withLock { $0 } }
        func advance(_ duration: Duration) { instant.withLock { $0 += duration } }
        var text: String { written.withLock { $0.joined() } }
        var writes: Int { written.withLock { $0.count } }
    }

    static func bar(_ terminal: FakeTerminal, total: Int?, isTerminal: Bool = true) -> ProgressBar {
        ProgressBar("importing recipients.csv", total: total, isTerminal: isTerminal, write: { terminal.write($0) }, now: { terminal.now() })
    }

    @Test("on a terminal: the bar with rows done, total, percentage and rate, redrawn in place; a last line with the time taken")
    func draws() {
        let terminal = FakeTerminal()
        let bar = Self.bar(terminal, total: 100_000)
        terminal.advance(.seconds(2))
        bar.update(done: 25_000)
        #expect(terminal.text == "\r" + "importing recipients.csv [######------------------] 25,000/100,000 rows 25%  12,500 rows/s" + "\u{1B}[K")
        terminal.advance(.seconds(2))
        bar.update(done: 100_000)
        bar.finish()
        let lines = terminal.written.withLock { $0 }
        #expect(lines.count == 3)
        #expect(lines[1] == "\r" + "importing recipients.csv [########################] 100,000/100,000 rows 100%  25,000 rows/s" + "\u{1B}[K")
        #expect(lines[2] == "\r" + "importing recipients.csv: 100,000 rows in 4.0 s (25,000 rows/s)" + "\u{1B}[K\n")
        bar.update(done: 200_000)
        bar.finish()
        #expect(terminal.writes == 3, "nothing after the last line")
    }

    @Test("at most ten redraws a second, however often the work reports")
    func throttled() {
        let terminal = FakeTerminal()
        let bar = Self.bar(terminal, total: nil)
        for row in 1...1_000 {
            terminal.advance(.milliseconds(1))
            bar.update(done: row)
        }
        // One second of reports: the first draws, then one every 100 ms.
        #expect(terminal.writes == 10, "\(terminal.writes) redraws")
        #expect(terminal.text.hasSuffix("\r" + "importing recipients.csv: 901 rows  1,000 rows/s" + "\u{1B}[K"), "\(terminal.text.suffix(80))")
    }

    @Test("not a terminal (a pipe, a file, --json): nothing at all is written")
    func silent() async throws {
        let terminal = FakeTerminal()
        let bar = Self.bar(terminal, total: 10, isTerminal: false)
        bar.update(done: 5)
        bar.advance(by: 5)
        bar.finish()
        bar.clear()
        _ = try await bar.around(total: 10) { 1 }
        #expect(terminal.writes == 0)
        #expect(!bar.isDrawing)
    }

    @Test("work that fails wipes the bar instead of claiming it ended")
    func failure() async {
        struct Refused: Error {}
        let terminal = FakeTerminal()
        let bar = Self.bar(terminal, total: 10)
        await #expect(throws: Refused.self) { try await bar.around(total: 10) { throw Refused() } }
        let lines = terminal.written.withLock { $0 }
        #expect(lines.first?.contains("0/10 rows") == true, "\(lines)")
        #expect(lines.last == "\r\u{1B}[K")
    }
}
