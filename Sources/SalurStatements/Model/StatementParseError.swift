/// Why a statement file was refused: `FILE:LINE: field: reason`.
///
/// `field` is the MT940 tag (`:61:`), the camt.053 element path
/// (`Document/BkToCstmrStmt/Stmt[2]/Ntry[5]/Amt`), or `file` when no field is at fault.
public struct StatementParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file name given to the parser.
    public let file: String
    /// 1-based line: of the MT940 field, or of the camt.053 element's start tag (for a missing
    /// element, its parent's).
    public let line: Int
    /// The tag or element path at fault.
    public let field: String
    /// What is wrong, and where it helps, what was expected.
    public let reason: String

    /// An error at `file:line` about `field`.
    public init(file: String, line: Int, field: String, reason: String) {
        self.file = file
        self.line = line
        self.field = field
        self.reason = reason
    }

    /// `FILE:LINE: field: reason`; an MT940 tag keeps its own colons (`f.sta:7: :61: …`).
    public var description: String {
        "\(file):\(line): \(field)\(field.hasSuffix(":") ? "" : ":") \(reason)"
    }
}
