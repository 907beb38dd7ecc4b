/// Why a configuration file was refused. Every case names the file and, where there is one, the line.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    /// 0 when the problem has no single line (a missing required key).
    public let line: Int
    /// The dotted key, e.g. `bank.max_in_flight`.
    public let key: String
    public let reason: String

    public init(file: String, line: Int, key: String, reason: String) {
        self.file = file
        self.line = line
        self.key = key
        self.reason = reason
    }

    public var description: String {
        line > 0 ? "\(file):\(line): \(key): \(reason)" : "\(file): \(key): \(reason)"
    }
}

/// Every problem found in one file; the file is used only when there are none.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public let errors: [ConfigError]
    public init(_ errors: [ConfigError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
