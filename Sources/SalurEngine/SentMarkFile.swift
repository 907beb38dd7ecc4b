import Foundation

/// The highest send mark this engine has seen its database commit, kept in a small file outside the
/// database (DESIGN §4.9). Each claim of attempts raises the database's mark by one; the engine
/// writes the new mark here, durably, before any of the claim's requests leave. A database whose mark
/// is lower than this file's was restored from a backup, or lost commits in a failover: what it
/// does not know may have been sent, so the engine asks the bank before sending anything.
///
/// SQLite: the file sits beside the database (`salur.sqlite.sent-mark`); PostgreSQL: in the engine's
/// own state directory (`$STATE_DIRECTORY/sent-mark`). A restore that brings the file back with the
/// database cannot be noticed this way: the restore runbook runs `salurctl db restored` then.
package struct SentMarkFile: Sendable {
    package let path: String

    package init(path: String) { self.path = path }

    /// The file of an engine on PostgreSQL: `sent-mark` in its systemd state directory, if it has one.
    package static func forPostgres(environment: [String: String]) -> SentMarkFile? {
        guard let directory = environment["STATE_DIRECTORY"]?.split(separator: ":").first, !directory.isEmpty else { return nil }
        return SentMarkFile(path: String(directory) + "/sent-mark")
    }

    /// The mark in the file; 0 when there is none yet.
    package func read() throws -> Int64 {
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        guard let data = FileManager.default.contents(atPath: path),
              let mark = Int64(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw SentMarkError(path: path, reason: "it does not hold a number; remove it only after `salurctl db restored`")
        }
        return mark
    }

    /// Writes `mark` (when higher than the file's) and makes it durable: a temporary file, fsync,
    /// rename over the old one, fsync of the folder.
    package func raise(to mark: Int64) throws {
        guard mark > (try read()) else { return }
        let temporary = path + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SentMarkError(path: path, reason: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let text = Array("\(mark)\n".utf8)
        let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == text.count, synced == 0 else { throw SentMarkError(path: path, reason: "cannot write \(temporary)") }
        guard rename(temporary, path) == 0 else {
            throw SentMarkError(path: path, reason: "cannot rename \(temporary): \(String(cString: strerror(errno)))")
        }
        let directory = (path as NSString).deletingLastPathComponent
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }
}

/// The sent-mark file cannot be read or written.
package struct SentMarkError: Error, CustomStringConvertible {
    package let path: String
    package let reason: String
    package var description: String { "sent-mark file \(path): \(reason)" }
}
