/// Why the terms of an agreement or a budget envelope were refused; names the option to correct.
public enum TermsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A term is wrong.
    case invalid(field: String, reason: String)

    public var description: String {
        switch self {
        case .invalid(let field, let reason): "--\(field): \(reason)"
        }
    }
}
