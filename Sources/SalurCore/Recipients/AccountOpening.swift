/// Where a recipient's bank account stands (buka rekening kolektif, collective account opening).
///
/// `not_requested → requested → opened(account_no) | rejected(reason)`; a rejected recipient whose
/// data is corrected goes back to `not_requested`. A recipient imported with an account number is
/// `opened` from the start.
public enum AccountOpening: Sendable, Hashable {
    case notRequested
    case requested
    case opened(accountNo: String)
    case rejected(reason: String)

    /// The state's name as stored and shown: `not_requested`, `requested`, `opened`, `rejected`.
    public var state: AccountOpeningState {
        switch self {
        case .notRequested: .notRequested
        case .requested: .requested
        case .opened: .opened
        case .rejected: .rejected
        }
    }

    /// The state after the bank's collective-opening request file is sent.
    public func requestSent() throws(TransitionError) -> AccountOpening {
        guard case .notRequested = self else { throw TransitionError(from: state.rawValue, event: "export request") }
        return .requested
    }

    /// The state after the bank answered for this recipient. The same answer twice is no change;
    /// an answer for a recipient who was never requested, or a different answer for one already
    /// settled, is refused.
    public func bankAnswered(_ answer: AccountOpening) throws(TransitionError) -> AccountOpening {
        switch (self, answer) {
        case (.requested, .opened), (.requested, .rejected): return answer
        case (.opened(let a), .opened(let b)) where a == b: return self
        case (.rejected(let a), .rejected(let b)) where a == b: return self
        default: throw TransitionError(from: state.rawValue, event: "bank result \(answer.state.rawValue)")
        }
    }

    /// The state after an operator corrected the recipient's data: a rejected opening may be tried again.
    public func dataCorrected() -> AccountOpening {
        if case .rejected = self { return .notRequested }
        return self
    }
}

/// The opening states by name, as stored and as operators type them.
public enum AccountOpeningState: String, Sendable, CaseIterable, Codable {
    case notRequested = "not_requested"
    case requested
    case opened
    case rejected
}

/// A state change that the lifecycle does not allow.
public struct TransitionError: Error, Equatable, CustomStringConvertible {
    public let from: String
    public let event: String

    public init(from: String, event: String) {
        self.from = from
        self.event = event
    }

    public var description: String { "not allowed: \(event) while \(from)" }
}
