public import SalurCore

/// A date layout such as `dd/MM/yyyy` or `yyyy-MM-dd`, in the letters of Unicode date patterns:
/// `yyyy`/`yy` year, `MM`/`M` month, `dd`/`d` day (the single letter also takes one digit), and
/// `HH`, `mm`, `ss` for a time that is checked and dropped. Any other non-letter is a literal.
public struct DatePattern: Sendable, Hashable, CustomStringConvertible {
    private enum Part: Sendable, Hashable, CaseIterable { case year, month, day, hour, minute, second }

    private enum Token: Sendable, Hashable {
        case number(Part, minDigits: Int, maxDigits: Int)
        case literal(UInt8)
    }

    private let tokens: [Token]
    private let twoDigitYear: Bool
    /// The pattern as written.
    public let description: String

    /// The pattern, or nil when `problem(_:)` has a reason against it.
    public init?(_ pattern: String) {
        guard DatePattern.problem(pattern) == nil, let tokens = DatePattern.tokens(pattern) else { return nil }
        self.tokens = tokens
        twoDigitYear = pattern.contains("yy") && !pattern.contains("yyyy")
        description = pattern
    }

    /// Why `pattern` cannot be used, or nil when it can.
    public static func problem(_ pattern: String) -> String? {
        guard let tokens = tokens(pattern) else {
            return "date format \"\(pattern)\" has letters other than yyyy, yy, MM, M, dd, d, HH, mm, ss"
        }
        for part in Part.allCases {
            let count = tokens.count { if case .number(part, _, _) = $0 { true } else { false } }
            if count > 1 { return "date format \"\(pattern)\" names the \(part) twice" }
            if count == 0, [.year, .month, .day].contains(part) { return "date format \"\(pattern)\" has no \(part)" }
        }
        return nil
    }

    private static func tokens(_ pattern: String) -> [Token]? {
        var tokens: [Token] = []
        var rest = Substring(pattern)
        while let first = rest.first {
            let run = rest.prefix { $0 == first }
            rest = rest.dropFirst(run.count)
            switch (first, run.count) {
            case ("y", 4): tokens.append(.number(.year, minDigits: 4, maxDigits: 4))
            case ("y", 2): tokens.append(.number(.year, minDigits: 2, maxDigits: 2))
            case ("M", 2): tokens.append(.number(.month, minDigits: 2, maxDigits: 2))
            case ("M", 1): tokens.append(.number(.month, minDigits: 1, maxDigits: 2))
            case ("d", 2): tokens.append(.number(.day, minDigits: 2, maxDigits: 2))
            case ("d", 1): tokens.append(.number(.day, minDigits: 1, maxDigits: 2))
            case ("H", 2): tokens.append(.number(.hour, minDigits: 2, maxDigits: 2))
            case ("m", 2): tokens.append(.number(.minute, minDigits: 2, maxDigits: 2))
            case ("s", 2): tokens.append(.number(.second, minDigits: 2, maxDigits: 2))
            default:
                if first.isLetter { return nil }
                for _ in 0..<run.count { tokens.append(contentsOf: first.utf8.map(Token.literal)) }
            }
        }
        return tokens
    }

    /// The date in `text`, or nil when it does not match the pattern or does not exist.
    public func date(_ text: some StringProtocol) -> CalendarDate? {
        let bytes = Array(text.utf8)
        var index = 0
        var values = Values()
        for token in tokens {
            switch token {
            case .literal(let byte):
                guard index < bytes.count, bytes[index] == byte else { return nil }
                index += 1
            case .number(let part, let minDigits, let maxDigits):
                var end = index
                while end < bytes.count, end - index < maxDigits, AmountText.isDigit(bytes[end]) { end += 1 }
                guard end - index >= minDigits, let value = Digits.value(bytes[index..<end]) else { return nil }
                values[part] = value
                index = end
            }
        }
        guard index == bytes.count, var year = values[.year], let month = values[.month], let day = values[.day],
              values[.hour] ?? 0 < 24, values[.minute] ?? 0 < 60, values[.second] ?? 0 < 60 else { return nil }
        if twoDigitYear { year += year < 80 ? 2000 : 1900 }
        return CalendarDate(year: year, month: month, day: day)
    }

    /// The parts read from one date, kept in place (a date is read on every row of a statement).
    private struct Values {
        private var parts: (Int?, Int?, Int?, Int?, Int?, Int?) = (nil, nil, nil, nil, nil, nil)

        subscript(part: Part) -> Int? {
            get {
                switch part {
                case .year: parts.0
                case .month: parts.1
                case .day: parts.2
                case .hour: parts.3
                case .minute: parts.4
                case .second: parts.5
                }
            }
            set {
                switch part {
                case .year: parts.0 = newValue
                case .month: parts.1 = newValue
                case .day: parts.2 = newValue
                case .hour: parts.3 = newValue
                case .minute: parts.4 = newValue
                case .second: parts.5 = newValue
                }
            }
        }
    }
}
