import Glibc

/// Reading an input file (recipients, results, payroll, statements) into memory, bounded.
public enum InputFile {
    /// The largest input file read: 1 GiB, far above any real import (a million recipients is
    /// about 80 MB), so that a wrong path (a disk image, /dev/zero) is refused rather than read.
    public static let maxBytes = 1 << 30

    /// Why a file could not be read.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String

        /// A failure saying `description` (for the readers of other modules that read a file themselves).
        package init(description: String) {
            self.description = description
        }
    }

    /// The file's bytes, read once straight into the array that is returned (no second copy).
    /// Throws for a missing or unreadable file, one that is not a regular file, or one larger than
    /// `limit` bytes, naming the path.
    public static func read(_ path: String, limit: Int = maxBytes) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return try readStream(fd, path: path, limit: limit) }
        let size = Int(info.st_size)
        guard size <= limit else { throw tooLarge(path, size: size, limit: limit) }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, size - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            filled += n
        }
        // A file that shrank while being read ends where it ended.
        if filled < size { bytes.removeLast(size - filled) }
        return bytes
    }

    /// Reads a regular file in chunks of `chunkSize` bytes (1 MiB; tests cut it smaller), handing
    /// each to `body`, without holding more of it; false (and nothing read) when `path` is not a
    /// regular file (a pipe cannot be read twice). Throws for a missing or unreadable file, naming the path.
    @discardableResult
    public static func forEachChunk(_ path: String, chunkSize: Int = 1 << 20,
                                    _ body: (UnsafeRawBufferPointer) -> Void) throws(Failure) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return false }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, chunkSize), alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { return true }
            body(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        }
    }

    /// How many line ends (LF) a regular file has, counted a chunk at a time (for a progress
    /// bar's total: cheap beside reading the file, which is in the page cache after); nil when
    /// `path` is not a regular file. Throws for a missing or unreadable file, naming the path.
    public static func lineEnds(_ path: String) throws(Failure) -> Int? {
        var count = 0
        let regular = try forEachChunk(path) { chunk in count += lineEnds(in: chunk) }
        return regular ? count : nil
    }

    /// How many line ends (LF) `chunk` holds.
    public static func lineEnds(in chunk: UnsafeRawBufferPointer) -> Int {
        guard var at = chunk.baseAddress else { return 0 }
        var count = 0
        var left = chunk.count
        while left > 0, let found = memchr(at, 0x0A, left) {
            count += 1
            let next = UnsafeRawPointer(found) + 1
            left -= next - at
            at = next
        }
        return count
    }

    /// A pipe or other stream (`<(…)`, `/dev/stdin`): read to its end, refused past `limit`.
    private static func readStream(_ fd: Int32, path: String, limit: Int) throws(Failure) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { return bytes }
            guard bytes.count + n <= limit else { throw tooLarge(path, size: bytes.count + n, limit: limit) }
            bytes += chunk[..<n]
        }
    }

    private static func tooLarge(_ path: String, size: Int, limit: Int) -> Failure {
        Failure(description: "cannot read \(path): more than the \(limit) bytes an input file may have"
                + (size > limit ? " (\(size) bytes)" : ""))
    }
}
