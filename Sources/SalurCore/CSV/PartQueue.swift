import Dispatch
import Synchronization

/// Parts of a file handed from the thread that reads and checks it to the reader that takes them,
/// at most `depth` waiting; the end of the file (or why it could not be read) after the last.
final class PartQueue<Part: Sendable>: Sendable {
    private struct State {
        var parts: [Part] = []
        var ended = false
        var failure: ImportFailure?
        var cancelled = false
    }

    private let state = Mutex(State())
    private let free: DispatchSemaphore
    private let waiting = DispatchSemaphore(value: 0)

    init(depth: Int) {
        free = DispatchSemaphore(value: depth)
    }

    /// Waits for room and adds `part`; false once the reader is gone (the checking thread stops).
    @discardableResult
    func put(_ part: Part) -> Bool {
        free.wait()
        let added = state.withLock { s -> Bool in
            guard !s.cancelled else { return false }
            s.parts.append(part)
            return true
        }
        if added { waiting.signal() }
        return added
    }

    func end(_ failure: ImportFailure?) {
        state.withLock { s in s.ended = true; s.failure = failure }
        waiting.signal()
    }

    /// The next part, or nil at the end.
    func take() -> Part? {
        waiting.wait()
        let part = state.withLock { s -> Part? in s.parts.isEmpty ? nil : s.parts.removeFirst() }
        if part != nil { free.signal() } else { waiting.signal() }
        return part
    }

    var failure: ImportFailure? { state.withLock { $0.failure } }

    /// The reader is gone: a checking thread waiting for room stops.
    func cancel() {
        state.withLock { $0.cancelled = true }
        free.signal()
    }
}
