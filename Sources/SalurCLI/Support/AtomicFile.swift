import Foundation
import SalurStore

/// A file written a piece at a time into a temporary file in the same folder (`.NAME.PID.tmp`),
/// fsynced and renamed over `path` by `commit` only once complete: until then nothing at `path`
/// changes, and a write that fails (or a process that dies) never leaves a partial file under the
/// name. `abandon` — or dropping it uncommitted — removes the temporary file.
final class AtomicFile {
    let path: String
    let temporary: String
    private var fd: Int32

    init(_ path: String) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        temporary = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent).\(getpid()).tmp"
        fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o640)
        guard fd >= 0 else { throw CLIError("cannot write \(path): \(String(cString: strerror(errno)))") }
    }

    deinit { abandon() }

    func write(_ bytes: [UInt8]) throws {
        guard fd >= 0 else { throw CLIError("cannot write \(path): already closed") }
        do { try Self.write(bytes, to: fd) } catch {
            abandon()
            throw CLIError("cannot write \(path): \(error)")
        }
    }

    /// Makes the file whole under its name.
    func commit() throws {
        guard fd >= 0 else { throw CLIError("cannot write \(path): already closed") }
        fsync(fd)
        close(fd)
        fd = -1
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CLIError("cannot write \(path): \(reason)")
        }
    }

    /// Removes the temporary file; `path` is left as it was.
    func abandon() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
        unlink(temporary)
    }

    /// Writes all of `bytes` to `fd`, however many `write` calls it takes; throws the system's reason.
    static func write(_ bytes: [UInt8], to fd: Int32) throws {
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CLIError(String(cString: strerror(errno)))
            }
            written += n
        }
    }
}

private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, bytes, count) }

/// Where an export goes as it is written — a file (through `AtomicFile`) or standard output —
/// with the SHA-256 of every byte written, computed as they pass.
final class ExportDestination {
    /// The file, or nil for standard output.
    let output: String?
    private let file: AtomicFile?
    private var digest = StreamingSHA256()

    init(_ output: String?) throws {
        self.output = output
        file = try output.map(AtomicFile.init)
    }

    /// The destination as the audit log names it.
    var name: String { output.map { ($0 as NSString).standardizingPath } ?? "(stdout)" }

    func write(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        digest.update(bytes)
        if let file {
            try file.write(bytes)
        } else {
            do { try AtomicFile.write(bytes, to: STDOUT_FILENO) } catch {
                throw CLIError("cannot write to standard output: \(error)")
            }
        }
    }

    /// Copies the file at `path` (a workbook libxlsxwriter wrote) into the destination, a megabyte at a time.
    func write(contentsOf path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CLIError("cannot read back \(path)") }
        defer { try? handle.close() }
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 1 << 20) } catch { throw CLIError("cannot read back \(path): \(error)") }
            guard let chunk, !chunk.isEmpty else { return }
            try write(Array(chunk))
        }
    }

    /// Makes the file whole under its name; the SHA-256 of everything written, hex.
    func commit() throws -> String {
        try file?.commit()
        return digest.hex()
    }

    /// Drops what was written to a file (standard output cannot take it back).
    func abandon() { file?.abandon() }
}
