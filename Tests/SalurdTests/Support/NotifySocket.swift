import Foundation
import Synchronization

/// What systemd would be for salurd: an AF_UNIX datagram socket to pass as `$NOTIFY_SOCKET`, bound to
/// a path in a temporary folder or to an abstract `@name`. A reader thread (not a cooperative one, so
/// its blocking `poll` never starves the tests) records every datagram with the time it arrived.
final class NotifySocket: Sendable {
    /// One sd_notify datagram.
    struct Message: Sendable, CustomStringConvertible {
        let text: String
        let at: ContinuousClock.Instant
        /// `READY=1\nSTATUS=x` → `["READY": "1", "STATUS": "x"]`.
        var fields: [String: String] {
            var out: [String: String] = [:]
            for line in text.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                out[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            return out
        }
        var description: String { text.replacingOccurrences(of: "\n", with: " | ") }
    }

    /// The value for `NOTIFY_SOCKET`.
    let address: String
    private let fd: Int32
    private let state = Mutex<(messages: [Message], closed: Bool)>(([], false))
    private let done = Mutex<Bool>(false)

    /// Binds to `path`, or to the abstract `@name` when `path` starts with `@`.
    init(_ path: String) throws {
        address = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var sun = sockaddr_un()
        sun.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        precondition(bytes.count < MemoryLayout.size(ofValue: sun.sun_path), "socket path too long: \(path)")
        withUnsafeMutableBytes(of: &sun.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        let bound = withUnsafePointer(to: &sun) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else {
            let code = errno
            Glibc.close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        let thread = Thread { [self] in self.readLoop() }
        thread.name = "notify-socket"
        thread.start()
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !done.withLock({ $0 }) {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { continue }
            let message = Message(text: String(decoding: buffer[0..<n], as: UTF8.self), at: .now)
            state.withLock { $0.messages.append(message) }
        }
        Glibc.close(fd)
        state.withLock { $0.closed = true }
    }

    /// Every datagram so far.
    var messages: [Message] { state.withLock { $0.messages } }

    /// Waits for the first datagram at index ≥ `from` that has `key` (with `value`, if given);
    /// returns its index and the message, or nil at the deadline.
    func waitFor(_ key: String, value: String? = nil, from: Int = 0, within timeout: Duration) async -> (index: Int, message: Message)? {
        await waitFor(key, from: from, within: timeout) { value == nil || $0 == value }
    }

    /// Waits for the first datagram at index ≥ `from` whose `key` satisfies `matches`.
    func waitFor(_ key: String, from: Int = 0, within timeout: Duration,
                 matching matches: (String) -> Bool) async -> (index: Int, message: Message)? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let all = messages
            if from < all.count {
                for index in from..<all.count {
                    if let found = all[index].fields[key], matches(found) { return (index, all[index]) }
                }
            }
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Stops the reader and closes the socket; removes the socket file of a path socket.
    func close() {
        done.withLock { $0 = true }
        if !address.hasPrefix("@") { unlink(address) }
    }
}
