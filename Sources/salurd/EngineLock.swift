import Foundation

/// Only one engine per database: an exclusive `flock` on `<database>.lock`, held for the
/// process's life (the kernel releases it when the process dies, even by SIGKILL).
struct EngineLock {
    let path: String
    private let fd: Int32

    struct Held: Error, CustomStringConvertible {
        let path: String
        let holder: String
        var description: String { "another salurd already runs against this database (lock \(path) held by PID \(holder)); refusing to start a second engine" }
    }

    init(databasePath: String) throws {
        path = databasePath + ".lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Held(path: path, holder: "unknown (\(String(cString: strerror(errno))))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, 32, 0)
            close(fd)
            let holder = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "unknown"
            throw Held(path: path, holder: holder)
        }
        ftruncate(fd, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }
}
