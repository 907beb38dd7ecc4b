internal import SalurCore

/// Reads amounts written as text into sen, exactly: integer digits only, no floating point.
enum AmountText {
    /// Parses `digits[<separator>digits]` (e.g. `1500000,00`, `12345,67`, `1500000`, `1500000,`,
    /// `12,5`) into sen, exactly. Returns the reason on failure: not digits, more than two decimals
    /// (the rupiah's sen), or more than `Sen.largestRupiah`.
    static func sen(_ text: Substring, decimalSeparator: Character) -> Result<Sen, AmountError> {
        guard !text.isEmpty else { return .failure(.init(reason: "amount is empty")) }
        // Split at the first separator byte: the separator is ASCII, so this is the first one
        // however the text around it combines.
        let bytes = text.utf8
        let separator = decimalSeparator.asciiValue ?? UInt8(ascii: ",")
        let cut = bytes.firstIndex(of: separator)
        let whole = Substring(bytes[..<(cut ?? bytes.endIndex)])
        let fraction = cut.map { Substring(bytes[bytes.index(after: $0)...]) } ?? ""
        let separatorName = decimalSeparator == "," ? "comma" : "point"
        guard !whole.isEmpty else {
            return .failure(.init(reason: "amount \"\(text)\" has no digits before the decimal \(separatorName)"))
        }
        guard whole.utf8.allSatisfy(isDigit), fraction.utf8.allSatisfy(isDigit) else {
            return .failure(.init(reason: "amount \"\(text)\" is not a number: expected digits with an optional decimal \(separatorName) (e.g. 1500000\(decimalSeparator)00)"))
        }
        guard fraction.utf8.count <= 2 else {
            return .failure(.init(reason: "amount \"\(text)\" has \(fraction.utf8.count) decimals: a rupiah amount has at most two (sen); ask the bank for the statement with amounts in rupiah and sen"))
        }
        return senValue(whole: whole, fraction: fraction, text: text)
    }

    /// `whole` rupiah and up to two `fraction` digits as sen, or the reason it does not fit.
    static func senValue(whole: some StringProtocol, fraction: some StringProtocol, text: some StringProtocol) -> Result<Sen, AmountError> {
        guard let rupiah = digitsValue(whole), rupiah <= Sen.largestRupiah else {
            return .failure(.init(reason: "amount \"\(text)\" is too large: at most \(Sen.largestRupiah) rupiah"))
        }
        var sen: Int64 = 0
        for (index, byte) in fraction.utf8.enumerated() { sen += Int64(byte - 0x30) * (index == 0 ? 10 : 1) }
        return .success(Sen(rupiah * 100 + sen))
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

    /// `1500000,00`, `12345,67` — rupiah and sen with a decimal comma (MT940), or a decimal point (camt).
    static func format(_ amount: Sen, decimalSeparator: Character) -> String {
        let sen = amount.value.magnitude % 100
        return "\(amount.value.magnitude / 100)\(decimalSeparator)\(sen < 10 ? "0" : "")\(sen)"
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}

/// Why an amount could not be read.
struct AmountError: Error {
    let reason: String
}
