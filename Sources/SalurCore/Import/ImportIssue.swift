/// One thing wrong with one row of an input file: `FILE:LINE: field: reason`.
public struct ImportIssue: Sendable, Hashable, CustomStringConvertible {
    public let file: String
    /// 1-based line where the row starts (the header is line 1).
    public let line: Int
    /// The column, or a pseudo-field such as `row` or `header` when no single column is at fault.
    public let field: String
    public let reason: String

    public init(file: String, line: Int, field: String, reason: String) {
        self.file = file
        self.line = line
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(file):\(line): \(field): \(reason)" }
}

/// An input file was refused as a whole; nothing was changed. Carries every bad row found.
public struct ImportFailure: Error, Sendable, CustomStringConvertible {
    public let issues: [ImportIssue]

    public init(_ issues: [ImportIssue]) { self.issues = issues }

    public var description: String {
        issues.map(\.description).joined(separator: "\n")
            + "\n\(issues.count) problem\(issues.count == 1 ? "" : "s") found; nothing was changed."
    }
}
