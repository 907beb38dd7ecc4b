import Logging
import Synchronization

/// What happened in one run, line by line, stamped with simulated time: the engines' own log
/// lines (through `SimLogHandler`) and the simulator's events (crashes, freezes, the bank's
/// answers). Kept whole only when asked; otherwise the last `keep` lines, which is what a failing
/// seed prints.
final class SimTrace: Sendable {
    private struct State {
        var lines: [String] = []
        var dropped = 0
    }

    let clock: SimClock
    let keep: Int
    let echo: Bool
    private let state = Mutex(State())

    init(clock: SimClock, keep: Int, echo: Bool) {
        self.clock = clock
        self.keep = keep
        self.echo = echo
    }

    func log(_ who: String, _ message: String) {
        let ms = clock.elapsed.components
        let millis = ms.seconds * 1_000 + ms.attoseconds / 1_000_000_000_000_000
        let line = "t=\(millis / 1_000).\(String(repeating: "0", count: 3 - String(millis % 1_000).count))\(millis % 1_000)s \(who) \(message)"
        if echo { print(line) }
        state.withLock { state in
            state.lines.append(line)
            if state.lines.count > keep * 2 {
                state.dropped += state.lines.count - keep
                state.lines.removeFirst(state.lines.count - keep)
            }
        }
    }

    /// The last `keep` lines, with how many came before them.
    var tail: [String] {
        state.withLock { state in
            let lines = Array(state.lines.suffix(keep))
            let before = state.dropped + state.lines.count - lines.count
            return (before > 0 ? ["… \(before) earlier lines"] : []) + lines
        }
    }
}

/// Sends a simulated engine's log lines to the trace, metadata in key order.
struct SimLogHandler: LogHandler {
    let trace: SimTrace
    let who: String
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String, file: String,
             function: String, line: UInt) {
        let all = metadata.merging(extra ?? [:]) { $1 }
        let fields = all.keys.sorted().map { "\($0)=\(all[$0]!)" }.joined(separator: " ")
        trace.log(who, "\(level) \(message)\(fields.isEmpty ? "" : " " + fields)")
    }
}
