/// A `CSVStatementMapping` that cannot be used, with every reason.
public struct CSVStatementMappingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One reason per problem.
    public let problems: [String]

    /// `CSV statement mapping: …; …`
    public var description: String {
        "CSV statement mapping: " + problems.joined(separator: "; ")
    }
}
