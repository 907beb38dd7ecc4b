import Crypto
import Glibc
package import SalurCore

extension SourceFile {
    /// A regular file as an import names it in the audit log, read once in chunks (never whole):
    /// its SHA-256 and how many line ends it has (for a progress bar's total). Nil when `path`
    /// is not a regular file, which cannot be read twice; throws for a missing or unreadable
    /// file, naming the path.
    package static func digest(path: String) throws(InputFile.Failure) -> (source: SourceFile, lineEnds: Int)? {
        var hasher = SHA256()
        var lineEnds = 0
        let regular = try InputFile.forEachChunk(path) { chunk in
            hasher.update(bufferPointer: chunk)
            lineEnds += InputFile.lineEnds(in: chunk)
        }
        guard regular else { return nil }
        return (SourceFile(path: path, sha256: AuditChain.hex(hasher.finalize())), lineEnds)
    }
}
