import Foundation

/// A secret kept in its own file (systemd `LoadCredential=`), never in the config itself.
public enum SecretFile {
    /// Reads the secret, refusing a file that group or others can read or write.
    public static func read(_ path: String, what: String) throws(ConfigError) -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ConfigError(file: path, line: 0, key: what, reason: "cannot read the secret file: \(String(cString: strerror(errno)))")
        }
        let mode = info.st_mode & 0o777
        if mode & 0o077 != 0 {
            throw ConfigError(file: path, line: 0, key: what,
                              reason: "secret file is accessible by group or others (mode \(String(mode, radix: 8))); run chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: 0, key: what, reason: "cannot read the secret file")
        }
        return Array(data)
    }

    /// The secret as text, with a trailing newline removed.
    public static func readText(_ path: String, what: String) throws(ConfigError) -> String {
        var text = String(decoding: try read(path, what: what), as: UTF8.self)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        return text
    }
}
