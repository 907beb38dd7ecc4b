import Foundation

/// Only one engine per database: an exclusive `flock` on `<database>.lock`, held for the
/// process's life (the kernel releases it when the process dies, even by SIGKILL). The file holds
/// the holder's PID, which `salurctl daemon status` and a refused second engine report.
package struct EngineLock {
    package let path: String
    private let fd: Int32

    package struct Held: Error, CustomStringConvertible {
        package let path: String
        package let holder: String
        package var description: String { "another salurd already runs against this database (lock \(path) held by PID \(holder)); refusing to start a second engine" }
    }

    package struct Unusable: Error, CustomStringConvertible {
        package let path: String
        package let reason: String
        package var description: String { "cannot open the engine lock \(path): \(reason); check that the database folder exists and belongs to salurd's user" }
    }

    /// The lock file of the SQLite file at `databasePath`.
    package static func path(databasePath: String) -> String { databasePath + ".lock" }

    package init(databasePath: String) throws {
        path = Self.path(databasePath: databasePath)
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
        }
        // Readable by the folder's group (as far as the umask allows): operators probe it with `salurctl daemon status`.
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw Unusable(path: path, reason: String(cString: strerror(errno))) }
        // `salurctl daemon status` probes with a shared lock it drops at once: a few quick retries
        // keep that probe from ever refusing a starting engine.
        var tries = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            tries += 1
            if errno == EWOULDBLOCK, tries < 5 {
                usleep(20_000)
                continue
            }
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

extension EngineLock {
    /// Whether an engine holds the lock of the SQLite file at `databasePath`, asked the way the engine
    /// takes it: a non-blocking `flock`. If the probe gets the lock, no engine runs, and it lets go at
    /// once. The file is only opened, never created, so an operator's probe (`salurctl daemon status`,
    /// `db copy`) cannot leave a lock file salurd's user cannot open.
    package enum Probe: Equatable {
        /// Held; the PID the holder wrote, if readable.
        case running(pid: Int?)
        case notRunning
        case unknown(String)
    }

    package static func probe(databasePath: String) -> Probe {
        let lockPath = path(databasePath: databasePath)
        let fd = open(lockPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            return errno == ENOENT ? .notRunning : .unknown("cannot open \(lockPath): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return .notRunning
        }
        guard errno == EWOULDBLOCK else { return .unknown("cannot probe \(lockPath): \(String(cString: strerror(errno)))") }
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &buffer, 32, 0)
        let text = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
        return .running(pid: Int(text))
    }
}
