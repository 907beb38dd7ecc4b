internal import SalurCore

/// Writes statements as an MT940 file that `MT940Parser` reads back to the same statements.
///
/// Layout: `:20: :25: :28C: :60F:`, then per booked entry
/// `:61:YYMMDD[MMDD](D|C|RD|RC)amount,senTYPE<customer ref or NONREF>[//bank ref]` and `:86:` wrapped
/// at 65 characters, then `:62F:`, `:64:` when known, and `-`; CRLF line ends. MT940 has no place
/// for pending entries (they are left out) nor for the counterparty fields; years are written with
/// two digits (1980–2079). Line breaks and tabs inside a text become spaces.
///
/// One loss cannot be avoided: when a description cut at the 65-character limit would start the
/// next line with something MT940 reads as structure (`:20:`, `{1:`, `-}`) and no space nearby
/// allows a word break, the line is cut a little short and reads back with one space added.
public enum MT940Writer {
    /// The MT940 text for `statements`, in order.
    public static func write(_ statements: [Statement]) -> String {
        var lines: [String] = []
        for statement in statements {
            lines.append(":20:" + oneLine(statement.statementId))
            lines.append(":25:" + oneLine(statement.accountNo))
            if let sequence = statement.sequence.map(oneLine), !sequence.isEmpty { lines.append(":28C:" + sequence) }
            lines.append(":60F:" + balance(statement.openingBalanceSen, statement.openingDate, statement.currency))
            for entry in statement.entries where entry.status == .booked {
                lines.append(":61:" + entryLine(entry))
                let description = oneLine(entry.description)
                if !description.isEmpty {
                    let pieces = wrap.wrap(description)
                    lines.append(":86:" + pieces[0])
                    lines.append(contentsOf: pieces.dropFirst())
                }
            }
            lines.append(":62F:" + balance(statement.closingBalanceSen, statement.closingDate, statement.currency))
            if let available = statement.closingAvailableBalanceSen {
                lines.append(":64:" + balance(available, statement.closingDate, statement.currency))
            }
            lines.append("-")
        }
        return lines.map { $0 + "\r\n" }.joined()
    }

    private static let wrap = TextWrap(
        firstWidth: MT940Syntax.firstLineWidth, width: MT940Syntax.lineWidth,
        isValidLine: { MT940Syntax.isValidInformationLine($0, isFirst: $1) },
        canStartContinuation: MT940Syntax.canStartContinuation)

    /// `C260131IDR1500000,00`
    private static func balance(_ amount: Sen, _ date: CalendarDate, _ currency: String) -> String {
        (amount.value < 0 ? "D" : "C") + MT940Syntax.yymmdd(date) + currency + AmountText.format(amount, decimalSeparator: ",")
    }

    private static func entryLine(_ entry: StatementEntry) -> String {
        var line = MT940Syntax.yymmdd(entry.valueDate)
        if let booking = entry.bookingDate { line += MT940Syntax.mmdd(booking) }
        let mark = switch (entry.direction, entry.isReversal) {
        case (.debit, false): "D"
        case (.credit, false): "C"
        case (.credit, true): "RD"
        case (.debit, true): "RC"
        }
        line += mark + AmountText.format(entry.amountSen, decimalSeparator: ",") + transactionType(entry.transactionCode)
        let customer = oneLine(entry.customerReference)
        line += customer.isEmpty ? "NONREF" : customer
        let bank = oneLine(entry.bankReference)
        if !bank.isEmpty { line += "//" + bank }
        return line
    }

    /// The entry's `:61:` transaction type when it is one (a letter and three letters or digits),
    /// else `NTRF`.
    static func transactionType(_ code: String) -> String {
        let scalars = Array(code.unicodeScalars)
        guard scalars.count == 4, MT940Syntax.isUpperLetter(scalars[0]),
              scalars.dropFirst().allSatisfy({ MT940Syntax.isUpperLetter($0) || ("0"..."9").contains($0) }) else { return "NTRF" }
        return code
    }

    /// Line breaks and tabs become spaces and surrounding spaces go, as the parser would read them.
    private static func oneLine(_ text: String) -> String {
        MT940Syntax.trimmed(MT940Syntax.spacingControls(text))
    }
}
