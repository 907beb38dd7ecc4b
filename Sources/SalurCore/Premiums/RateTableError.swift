/// Why a rate table was refused: every problem found, so the operator fixes the file in one pass.
public struct RateTableError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Each problem, naming its row; never empty.
    public let problems: [RateTableProblem]

    /// A refusal listing `problems`.
    public init(problems: [RateTableProblem]) { self.problems = problems }

    public var description: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return "BPJS rate table (bpjs-rates.toml) refused, \(count); no rate was changed:\n"
            + problems.map { "- \($0)" }.joined(separator: "\n")
    }
}
