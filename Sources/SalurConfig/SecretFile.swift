import Foundation

/// A secret kept in its own file (systemd `LoadCredential=`), never in the config itself.
public enum SecretFile {
    /// Reads the secret, refusing a file that group or others can read or write.
    ///
    /// One exception: a file inside `$CREDENTIALS_DIRECTORY`, the folder systemd fills from
    /// `LoadCredential=`, may show group bits. systemd grants the service user read access there
    /// with an ACL, and an ACL's mask shows up as the group bits (0440); the folder itself is a
    /// private, read-only mount that only the service can enter. Others' bits are still refused.
    /// `environment` defaults to the process's own.
    public static func read(_ path: String, what: String, environment: [String: String]? = nil) throws(ConfigError) -> [UInt8] {
        let environment = environment ?? ProcessInfo.processInfo.environment
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ConfigError(file: path, line: 0, key: what, reason: "cannot read the secret file: \(String(cString: strerror(errno)))")
        }
        let mode = info.st_mode & 0o777
        let forbidden: mode_t = isSystemdCredential(path, environment: environment) ? 0o007 : 0o077
        if mode & forbidden != 0 {
            throw ConfigError(file: path, line: 0, key: what,
                              reason: "secret file is accessible by group or others (mode \(String(mode, radix: 8))); run chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: 0, key: what, reason: "cannot read the secret file")
        }
        return Array(data)
    }

    /// The secret as text, with a trailing newline removed.
    public static func readText(_ path: String, what: String, environment: [String: String]? = nil) throws(ConfigError) -> String {
        var text = String(decoding: try read(path, what: what, environment: environment), as: UTF8.self)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        return text
    }

    /// Whether `path` names a file directly inside the credentials folder systemd gave this process.
    static func isSystemdCredential(_ path: String, environment: [String: String]) -> Bool {
        guard let directory = environment["CREDENTIALS_DIRECTORY"], directory.hasPrefix("/") else { return false }
        let folder = URL(fileURLWithPath: directory).standardizedFileURL.resolvingSymlinksInPath().path
        let parent = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().deletingLastPathComponent().path
        return parent == folder
    }
}
