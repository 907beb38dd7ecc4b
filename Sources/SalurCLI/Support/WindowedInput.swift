import SalurCore
import SalurStore

/// An input file an import reads a window at a time: a regular file is read once here for its
/// SHA-256 (never held whole) and again, window by window, by the import; a pipe, which cannot be
/// read twice, is read into memory first.
struct WindowedInput {
    /// The file as the import names it in the audit log.
    let source: SourceFile
    /// About how many data rows it has (its line ends less the header's), for a progress bar.
    let rows: Int
    /// A pipe's bytes; nil for a regular file.
    let bytes: [UInt8]?

    /// Reads `path`; throws naming it when it is missing or unreadable (exit 65).
    init(_ path: String) throws {
        let digest: (source: SourceFile, lineEnds: Int)?
        do { digest = try SourceFile.digest(path: path) } catch { throw CLIError(error.description, exit: .dataError) }
        if let digest {
            source = digest.source
            rows = max(0, digest.lineEnds - 1)
            bytes = nil
        } else {
            let bytes = try Output.readFile(path)
            source = SourceFile(path: path, sha256: AuditChain.sha256Hex(bytes))
            rows = max(0, bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } - 1)
            self.bytes = bytes
        }
    }
}
