/// Amounts as operators type them, and the bounds every amount Salur stores lives within.
extension Rupiah {
    /// The most a single ledger holds of transfers in all, queued ever: 10^18 whole rupiah (a billion
    /// times a large city's yearly aid). Every total over transfers — per batch, programme, period,
    /// state or export — is then at most this, nine times below `Int64.max`, so no sum a report or a
    /// SQL `sum()` makes can wrap. A queueing that would pass it is refused before anything is stored.
    public static let ledgerLimit = Rupiah(1_000_000_000_000_000_000)

    /// The most one transfer or one batch may carry (`batching.max_amount`'s ceiling): 10^15.
    public static let largestTransfer = Rupiah(1_000_000_000_000_000)

    /// Parses an amount an operator typed (`--amount`, an `amount` or wage column): whole rupiah as
    /// digits (`300000`), or grouped by thousands with at least two of the same separator
    /// (`1.250.000` the Indonesian way, `10,042,300` as payroll systems export), which no reader takes
    /// for a fraction. Refused, with how to write it: a single separator (`300.000` is Rp 300 to an
    /// English reader and Rp 300.000 to an Indonesian one; `300,000` the other way round), mixed
    /// separators, sen (`300000,00`, `300.00`), signs, `Rp`, spaces, zero, more than `largestTransfer`.
    public static func operatorAmount(_ text: String) -> Result<Rupiah, AmountRefusal> {
        let bytes = Array(text.utf8)
        func refuse(_ why: String) -> Result<Rupiah, AmountRefusal> {
            .failure(AmountRefusal(text: text, reason: why))
        }
        if bytes.isEmpty { return refuse("is empty") }
        let isDigit = { (b: UInt8) in b >= 0x30 && b <= 0x39 }
        var digits: [UInt8]
        if bytes.allSatisfy(isDigit) {
            digits = bytes
        } else if let separator = [UInt8(ascii: "."), UInt8(ascii: ",")].first(where: { s in bytes.allSatisfy { isDigit($0) || $0 == s } }) {
            let groups = bytes.split(separator: separator, omittingEmptySubsequences: false)
            guard groups.count >= 3, let first = groups.first, (1...3).contains(first.count),
                  groups.dropFirst().allSatisfy({ $0.count == 3 }) else {
                if groups.count == 2, groups[1].count != 3 { return refuse("has a fraction of a rupiah (sen)") }
                return refuse(groups.count == 2
                    ? "is ambiguous (one separator can be a decimal point or a thousands separator)"
                    : "is not grouped by thousands")
            }
            digits = groups.flatMap { $0 }
        } else {
            return refuse("is not a whole number of rupiah")
        }
        if digits.count > 1, digits.first == UInt8(ascii: "0") { return refuse("has a leading zero") }
        guard digits.count <= 19, let value = Int64(String(decoding: digits, as: UTF8.self)) else {
            return refuse("is larger than \(largestTransfer.grouped)")
        }
        if value == 0 { return refuse("must be more than zero") }
        if value > largestTransfer.value { return refuse("is larger than \(largestTransfer.grouped)") }
        return .success(Rupiah(value))
    }
}

/// Why an operator's amount was refused, with how to write it.
public struct AmountRefusal: Error, Equatable, CustomStringConvertible {
    public let text: String
    public let reason: String

    public var description: String {
        "\"\(text)\" \(reason): write whole rupiah as digits only, e.g. 300000 (or grouped by thousands with two or more dots: 1.250.000)"
    }
}
