import Foundation

/// A secret kept in its own file (systemd `LoadCredential=`), never in the config itself.
public enum SecretFile {
    /// Why a secret file was refused, with the kind of failure, so that a check run by another user
    /// (an operator without access to salurd's credentials) can tell "cannot look" from "wrong".
    public struct Failure: Error, Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            /// No such file (or a folder on its path missing).
            case missing
            /// This process may not read the file or enter a folder on its path.
            case permissionDenied
            /// Group or others may read or write it.
            case exposed
            /// A folder, device or other non-regular file.
            case notRegularFile
            /// Any other error reading it.
            case unreadable
        }

        public let kind: Kind
        public let error: ConfigError
    }

    /// Reads the secret, refusing a file that group or others can read or write.
    ///
    /// One exception: a file inside `$CREDENTIALS_DIRECTORY`, the folder systemd fills from
    /// `LoadCredential=`, may show group bits. systemd grants the service user read access there
    /// with an ACL, and an ACL's mask shows up as the group bits (0440); the folder itself is a
    /// private, read-only mount that only the service can enter. Others' bits are still refused.
    /// `environment` defaults to the process's own.
    public static func read(_ path: String, what: String, environment: [String: String]? = nil) throws(ConfigError) -> [UInt8] {
        switch load(path, what: what, environment: environment) {
        case .success(let bytes): return bytes
        case .failure(let failure): throw failure.error
        }
    }

    /// `read`, with the kind of failure kept. `ownerOnly: false` reads a file that need not be
    /// private (a CA bundle, a certificate) with the same errors, without the mode rule.
    public static func load(_ path: String, what: String, environment: [String: String]? = nil,
                            ownerOnly: Bool = true) -> Result<[UInt8], Failure> {
        let environment = environment ?? ProcessInfo.processInfo.environment
        let noun = ownerOnly ? "the secret file" : "the file"
        func fail(_ kind: Failure.Kind, _ reason: String) -> Result<[UInt8], Failure> {
            .failure(Failure(kind: kind, error: ConfigError(file: path, line: 0, key: what, reason: reason)))
        }
        func errnoKind(_ code: Int32) -> Failure.Kind {
            switch code {
            case ENOENT, ENOTDIR: .missing
            case EACCES, EPERM: .permissionDenied
            default: .unreadable
            }
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            return fail(errnoKind(code), "cannot read \(noun): \(String(cString: strerror(code)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            return fail(.notRegularFile, "\(noun) is not a regular file")
        }
        let mode = info.st_mode & 0o777
        let forbidden: mode_t = isSystemdCredential(path, environment: environment) ? 0o007 : 0o077
        if ownerOnly, mode & forbidden != 0 {
            return fail(.exposed, "secret file is accessible by group or others (mode \(String(mode, radix: 8))); run chmod 600 \(path)")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            return fail(errnoKind(code), "cannot read \(noun): \(String(cString: strerror(code)))")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                return fail(errnoKind(code), "cannot read \(noun): \(String(cString: strerror(code)))")
            }
            // A secret is a few kilobytes, a CA bundle a few hundred: a huge file here is a mistake.
            let limit = ownerOnly ? 1 << 20 : 16 << 20
            if bytes.count + n > limit {
                return fail(.unreadable, "\(noun) is larger than \(limit >> 20) MiB; it cannot be a key, certificate or secret")
            }
            bytes += buffer[0..<n]
        }
        return .success(bytes)
    }

    /// The secret as text, with a trailing newline removed.
    public static func readText(_ path: String, what: String, environment: [String: String]? = nil) throws(ConfigError) -> String {
        text(of: try read(path, what: what, environment: environment))
    }

    /// `bytes` as text, with trailing line breaks removed.
    public static func text(of bytes: [UInt8]) -> String {
        var text = String(decoding: bytes, as: UTF8.self)
        while let last = text.last, last.isNewline { text.removeLast() }
        return text
    }

    /// Whether `path` names a file directly inside the credentials folder systemd gave this process.
    static func isSystemdCredential(_ path: String, environment: [String: String]) -> Bool {
        guard let directory = environment["CREDENTIALS_DIRECTORY"], directory.hasPrefix("/") else { return false }
        let folder = URL(fileURLWithPath: directory).standardizedFileURL.resolvingSymlinksInPath().path
        let parent = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().deletingLastPathComponent().path
        return parent == folder
    }

    /// Whether `path` is in a systemd credentials folder (`/run/credentials/UNIT/`) other than this
    /// process's own: a file systemd puts there only for that unit, while it runs.
    public static func isOtherUnitsCredential(_ path: String, environment: [String: String]? = nil) -> Bool {
        let environment = environment ?? ProcessInfo.processInfo.environment
        guard path.hasPrefix("/run/credentials/") else { return false }
        return !isSystemdCredential(path, environment: environment)
    }
}
