/// Amounts as bank CSV exports write them: `1.500.000,00`, `1,500,000.75`, `1500000`, `-250.000`; read into sen.
enum CSVAmount {
    /// The amount in sen, signed when `signed` allows a leading `-` or `+`. The decimal part, if
    /// any, has at most two digits (three would mean the separators are swapped); digit groups, if
    /// any, must be of three.
    static func parse(_ raw: String, decimal: Character?, thousands: Character?, signed: Bool) -> Result<Int64, AmountError> {
        var text = Substring(raw.trimmingSpaces)
        guard !text.isEmpty else { return .failure(AmountError(reason: "the amount is empty")) }
        var negative = false
        if let first = text.first, first == "-" || first == "+" {
            guard signed else {
                return .failure(AmountError(reason: "amount \"\(raw)\" has a sign; the direction comes from the debit/credit column"))
            }
            negative = first == "-"
            text = text.dropFirst()
        }
        var whole = text, fraction: Substring = ""
        if let decimal, let index = text.lastIndex(of: decimal) {
            whole = text[..<index]
            fraction = text[text.index(after: index)...]
        }
        let expected = "expected digits" + (thousands.map { " grouped by \"\($0)\"" } ?? "")
            + (decimal.map { " with an optional decimal \"\($0)\"" } ?? "")
        guard fraction.utf8.allSatisfy(AmountText.isDigit) else {
            return .failure(AmountError(reason: "amount \"\(raw)\" is not a number: \(expected)"))
        }
        var digits = String(whole)
        if let thousands, whole.contains(thousands) {
            let groups = whole.split(separator: thousands, omittingEmptySubsequences: false)
            guard let first = groups.first, (1...3).contains(first.count), groups.dropFirst().allSatisfy({ $0.count == 3 }) else {
                return .failure(AmountError(reason: "amount \"\(raw)\" has digit groups that are not of three: \(expected)"))
            }
            digits = groups.joined()
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy(AmountText.isDigit) else {
            return .failure(AmountError(reason: "amount \"\(raw)\" is not a number: \(expected)"))
        }
        if fraction.count > 2, let decimal {
            return .failure(AmountError(reason: "amount \"\(raw)\" has \(fraction.count) digits after the decimal \"\(decimal)\": if \"\(decimal)\" groups thousands in this file, the mapping's separators are wrong"))
        }
        switch AmountText.senValue(whole: digits, fraction: fraction, text: raw) {
        case .success(let sen): return .success(negative ? 0 - sen.value : sen.value)
        case .failure(let problem): return .failure(problem)
        }
    }
}
