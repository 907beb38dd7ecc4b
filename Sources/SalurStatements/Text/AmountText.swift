internal import SalurCore

/// Reads amounts written as text into whole rupiah, exactly: integer digits only, no floating point.
enum AmountText {
    /// Parses `digits[<separator>digits]` (e.g. `1500000,00`, `1500000`, `1500000,`) into whole rupiah.
    /// Returns the reason on failure: not digits, a non-zero fraction, or more than `Int64.max`.
    static func wholeRupiah(_ text: Substring, decimalSeparator: Character) -> Result<Rupiah, AmountError> {
        guard !text.isEmpty else { return .failure(.init(reason: "amount is empty")) }
        let parts = text.split(separator: decimalSeparator, maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count > 1 ? parts[1] : ""
        guard !whole.isEmpty else {
            return .failure(.init(reason: "amount \"\(text)\" has no digits before the decimal \(decimalSeparator == "," ? "comma" : "point")"))
        }
        guard whole.utf8.allSatisfy(isDigit), fraction.utf8.allSatisfy(isDigit) else {
            return .failure(.init(reason: "amount \"\(text)\" is not a number: expected digits with an optional decimal \(decimalSeparator == "," ? "comma" : "point") (e.g. 1500000\(decimalSeparator)00)"))
        }
        guard fraction.utf8.allSatisfy({ $0 == UInt8(ascii: "0") }) else {
            return .failure(.init(reason: "amount \"\(text)\" has a fraction of a rupiah (\(decimalSeparator)\(fraction)); statements must be in whole rupiah"))
        }
        guard let value = digitsValue(whole) else {
            return .failure(.init(reason: "amount \"\(text)\" is too large: at most 9223372036854775807 rupiah"))
        }
        return .success(Rupiah(value))
    }

    /// The value of a run of ASCII digits, or nil when it does not fit `Int64`.
    static func digitsValue(_ digits: some StringProtocol) -> Int64? {
        var value: Int64 = 0
        for byte in digits.utf8 {
            guard isDigit(byte) else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int64(byte - 0x30))
            if o1 || o2 { return nil }
            value = sum
        }
        return value
    }

    /// `1500000,00` — whole rupiah with a decimal comma (MT940), or a decimal point (camt).
    static func format(_ amount: Rupiah, decimalSeparator: Character) -> String {
        "\(amount.value.magnitude)\(decimalSeparator)00"
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}

/// Why an amount could not be read.
struct AmountError: Error {
    let reason: String
}
