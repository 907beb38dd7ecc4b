import Foundation

/// sd_notify spoken directly: one datagram to `$NOTIFY_SOCKET` (a path, or `@name` for the
/// abstract namespace). Silent when not under systemd.
struct SystemdNotifier: Sendable {
    let socketPath: String?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether a service manager listens.
    var isActive: Bool { socketPath != nil }

    @discardableResult
    func send(_ message: String) -> Bool {
        guard let socketPath else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in pathBytes.enumerated() { raw[i] = byte }
        }
        // An abstract name's length is exact (no terminating NUL); a path's includes its NUL.
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + (pathBytes.first == 0 ? 0 : 1))
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, sockaddrPointer, length) }
            }
        }
        return sent == bytes.count
    }

    /// `MONOTONIC_USEC=` for `RELOADING=1`: CLOCK_MONOTONIC in microseconds, the clock systemd compares with.
    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }

    /// How often the engine's loop should send `WATCHDOG=1`: half of systemd's `WatchdogSec=`
    /// (`$WATCHDOG_USEC`, meant for this process when `$WATCHDOG_PID` is absent or ours), or
    /// `[engine] watchdog_interval_ms` when that is set and shorter; nil when neither asks for pings.
    static func watchdogInterval(configuredMs: Int, environment: [String: String] = ProcessInfo.processInfo.environment,
                                 pid: Int32 = getpid()) -> Duration? {
        var interval: Duration?
        if let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0,
           environment["WATCHDOG_PID"].map({ Int32($0) == pid }) ?? true {
            interval = .microseconds(Int64(usec / 2))
        }
        if configuredMs > 0 {
            let configured = Duration.milliseconds(configuredMs)
            interval = interval.map { min($0, configured) } ?? configured
        }
        return interval
    }
}
