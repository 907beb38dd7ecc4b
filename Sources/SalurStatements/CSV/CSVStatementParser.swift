public import SalurCore

/// Reads a bank's CSV export into a `Statement` through a `CSVStatementMapping`.
///
/// All or nothing, like every Salur import: a file with any bad row throws `ImportFailure` with
/// every bad row (`FILE:LINE: column: reason`).
public struct CSVStatementParser: Sendable {
    /// The mapping this parser reads with.
    public let mapping: CSVStatementMapping
    private let pattern: DatePattern

    /// A parser for `mapping`; throws when the mapping itself is unusable.
    public init(mapping: CSVStatementMapping) throws(CSVStatementMappingError) {
        let problems = mapping.problems
        guard problems.isEmpty, let pattern = DatePattern(mapping.dateFormat) else {
            throw CSVStatementMappingError(problems: problems.isEmpty ? ["unusable date format \(mapping.dateFormat)"] : problems)
        }
        self.mapping = mapping
        self.pattern = pattern
    }

    /// The statement in `bytes`; `file` names it in issues (and is the default statement id).
    public func parse(bytes: [UInt8], file: String) throws(ImportFailure) -> Statement {
        let separator = mapping.separator.asciiValue ?? UInt8(ascii: ",")
        let input = skippingLines(bytes)
        var reader = CSVReader(bytes: input, file: file, separator: separator)
        let header = (try? reader.next()) ?? nil
        let headerLine = header?.line ?? 1
        let headerNames = (header?.fields ?? []).compactMap { $0.string?.trimmingSpaces.lowercased() }

        var required = [mapping.date, mapping.bankReference, mapping.description]
        switch mapping.amounts {
        case .marked(let amount, let direction, _, _): required += [amount, direction]
        case .split(let debit, let credit): required += [debit, credit]
        case .signed(let amount): required.append(amount)
        }
        required += mapping.statementColumns
        required = required.map(key)
        required = unique(required)
        var optional = [mapping.bookingDate, mapping.customerReference, mapping.counterpartyAccount, mapping.counterpartyName]
            .compactMap { $0.map(key) }
        optional += headerNames // columns the mapping does not name are tolerated
        optional = unique(optional).filter { !required.contains($0) }

        let table = try CSVTable(bytes: input, file: file, required: required, optional: optional, separator: separator)
        var issues: [ImportIssue] = []
        var entries: [StatementEntry] = []
        var account = Agreed<String>(), opening = Agreed<Sen>(), closing = Agreed<Sen>()
        var statementId = Agreed<String>(), openingDate = Agreed<CalendarDate>(), closingDate = Agreed<CalendarDate>()

        table.forEachRow(issues: &issues) { row, issues in
            let before = issues.count
            if case .column(let name) = mapping.accountNo { account.read(row, name, &issues) { .success($0) } }
            if case .column(let name) = mapping.openingBalance { opening.read(row, name, &issues) { balance($0) } }
            if case .column(let name) = mapping.closingBalance { closing.read(row, name, &issues) { balance($0) } }
            if case .column(let name)? = mapping.statementId { statementId.read(row, name, &issues) { .success($0) } }
            if case .column(let name)? = mapping.openingDate { openingDate.read(row, name, &issues) { date($0) } }
            if case .column(let name)? = mapping.closingDate { closingDate.read(row, name, &issues) { date($0) } }
            let entry = self.entry(row, &issues)
            if issues.count == before, let entry { entries.append(entry) }
        }

        let accountNo = resolve(mapping.accountNo, account, "accountNo", "the account number", headerLine, file, &issues)
        let openingBalance = resolve(Self.inSen(mapping.openingBalance), opening, "openingBalance", "the opening balance", headerLine, file, &issues)
        let closingBalance = resolve(Self.inSen(mapping.closingBalance), closing, "closingBalance", "the closing balance", headerLine, file, &issues)
        let id = mapping.statementId.flatMap { resolve($0, statementId, "statementId", "the statement id", headerLine, file, &issues) }
        let dates = entries.map { $0.bookingDate ?? $0.valueDate }
        let firstDate = mapping.openingDate.map { resolve($0, openingDate, "openingDate", "the opening date", headerLine, file, &issues) } ?? dates.min()
        let lastDate = mapping.closingDate.map { resolve($0, closingDate, "closingDate", "the closing date", headerLine, file, &issues) } ?? dates.max()
        if issues.isEmpty, firstDate == nil || lastDate == nil {
            issues.append(ImportIssue(file: file, line: headerLine, field: "date",
                                      reason: "the file has no entries, so the statement dates must be given in the mapping"))
        }
        guard issues.isEmpty, let accountNo, let openingBalance, let closingBalance, let firstDate, let lastDate else {
            throw ImportFailure(issues)
        }
        return Statement(accountNo: accountNo, statementId: id ?? file, sequence: nil, currency: "IDR",
                         openingBalanceSen: openingBalance, closingBalanceSen: closingBalance, openingDate: firstDate,
                         closingDate: lastDate, entries: entries, format: .csv, sourceFile: file, sourceLine: headerLine)
    }

    // MARK: Rows

    private func entry(_ row: CSVRow, _ issues: inout [ImportIssue]) -> StatementEntry? {
        let before = issues.count
        let valueDate = requiredDate(row, mapping.date, &issues)
        var bookingDate: CalendarDate?
        if let column = mapping.bookingDate, let text = row[key(column)], !text.isEmpty {
            if let date = pattern.date(text) { bookingDate = date } else {
                issues.append(row.issue(column, "\"\(text)\" is not a date in the format \(pattern)"))
            }
        }
        let movement = amountAndDirection(row, &issues)
        guard issues.count == before, let valueDate, let (direction, amount) = movement else { return nil }
        let optional = { (column: String?) -> String? in
            guard let column, let text = row[key(column)], !text.isEmpty else { return nil }
            return text
        }
        return StatementEntry(valueDate: valueDate, bookingDate: bookingDate, direction: direction, amountSen: amount,
                              isReversal: false, status: .booked, bankReference: row[key(mapping.bankReference)] ?? "",
                              customerReference: optional(mapping.customerReference) ?? "",
                              counterpartyAccount: optional(mapping.counterpartyAccount),
                              counterpartyName: optional(mapping.counterpartyName),
                              description: row[key(mapping.description)] ?? "", line: row.line)
    }

    private func requiredDate(_ row: CSVRow, _ column: String, _ issues: inout [ImportIssue]) -> CalendarDate? {
        let text = row[key(column)] ?? ""
        guard !text.isEmpty else { issues.append(row.issue(column, "empty; expected a date like \(pattern)")); return nil }
        guard let date = pattern.date(text) else {
            issues.append(row.issue(column, "\"\(text)\" is not a date in the format \(pattern)"))
            return nil
        }
        return date
    }

    private func amountAndDirection(_ row: CSVRow, _ issues: inout [ImportIssue]) -> (StatementEntry.Direction, Sen)? {
        switch mapping.amounts {
        case .marked(let amountColumn, let directionColumn, let debitMarker, let creditMarker):
            var amountText = row[key(amountColumn)] ?? ""
            var marker: String
            let markers = [debitMarker, creditMarker].map { $0.trimmingSpaces.lowercased() }
            if key(amountColumn) == key(directionColumn) {
                let words = amountText.split(whereSeparator: { $0 == " " || $0 == "\t" })
                if let last = words.last, words.count > 1, markers.contains(last.lowercased()) {
                    marker = String(last); amountText = words.dropLast().joined(separator: " ")
                } else if let first = words.first, words.count > 1, markers.contains(first.lowercased()) {
                    marker = String(first); amountText = words.dropFirst().joined(separator: " ")
                } else {
                    issues.append(row.issue(amountColumn, "\"\(amountText)\" has no debit/credit marker (\(debitMarker) or \(creditMarker)) before or after the amount"))
                    return nil
                }
            } else {
                marker = row[key(directionColumn)] ?? ""
            }
            let direction: StatementEntry.Direction
            switch marker.trimmingSpaces.lowercased() {
            case markers[0]: direction = .debit
            case markers[1]: direction = .credit
            default:
                issues.append(row.issue(directionColumn, "must be \(debitMarker) (debit) or \(creditMarker) (credit), found \"\(marker)\""))
                return nil
            }
            guard let amount = amount(row, amountColumn, amountText, signed: false, &issues) else { return nil }
            return (direction, Sen(amount))
        case .split(let debitColumn, let creditColumn):
            let debit = optionalAmount(row, debitColumn, &issues)
            let credit = optionalAmount(row, creditColumn, &issues)
            switch (debit, credit) {
            case (.some(let value), nil): return (.debit, Sen(value))
            case (nil, .some(let value)): return (.credit, Sen(value))
            case (.some, .some):
                issues.append(row.issue(debitColumn, "both \(debitColumn) and \(creditColumn) have an amount; a row is either a debit or a credit"))
                return nil
            case (nil, nil):
                if !issues.contains(where: { $0.line == row.line }) {
                    issues.append(row.issue(debitColumn, "neither \(debitColumn) nor \(creditColumn) has an amount"))
                }
                return nil
            }
        case .signed(let column):
            guard let value = amount(row, column, row[key(column)] ?? "", signed: true, &issues) else { return nil }
            guard value != 0 else {
                issues.append(row.issue(column, "the amount is zero, so it is neither a debit nor a credit"))
                return nil
            }
            return value < 0 ? (.debit, Sen(0 - value)) : (.credit, Sen(value))
        }
    }

    /// A split-column amount: nil when empty or zero (the other column has it).
    private func optionalAmount(_ row: CSVRow, _ column: String, _ issues: inout [ImportIssue]) -> Int64? {
        let text = row[key(column)] ?? ""
        if text.isEmpty || text == "-" { return nil }
        guard let value = amount(row, column, text, signed: false, &issues) else { return nil }
        return value == 0 ? nil : value
    }

    private func amount(_ row: CSVRow, _ column: String, _ text: String, signed: Bool, _ issues: inout [ImportIssue]) -> Int64? {
        switch CSVAmount.parse(text, decimal: mapping.decimalSeparator, thousands: mapping.thousandsSeparator, signed: signed) {
        case .success(let value): return value
        case .failure(let problem): issues.append(row.issue(column, problem.reason)); return nil
        }
    }

    private func balance(_ text: String) -> Result<Sen, AmountError> {
        CSVAmount.parse(text, decimal: mapping.decimalSeparator, thousands: mapping.thousandsSeparator, signed: true).map(Sen.init)
    }

    /// A balance given in whole rupiah (by the operator), in sen; a column stays a column.
    private static func inSen(_ source: CSVStatementMapping.Source<Rupiah>) -> CSVStatementMapping.Source<Sen> {
        switch source {
        case .column(let name): .column(name)
        case .value(let rupiah): .value(Sen(exactly: rupiah) ?? Sen(rupiah.value))
        }
    }

    private func date(_ text: String) -> Result<CalendarDate, AmountError> {
        guard let date = pattern.date(text) else { return .failure(AmountError(reason: "\"\(text)\" is not a date in the format \(pattern)")) }
        return .success(date)
    }

    // MARK: Statement-level values

    private func resolve<Value>(_ source: CSVStatementMapping.Source<Value>, _ agreed: Agreed<Value>, _ role: String,
                                _ what: String, _ headerLine: Int, _ file: String, _ issues: inout [ImportIssue]) -> Value? {
        switch source {
        case .value(let value): return value
        case .column(let name):
            if let value = agreed.value { return value }
            if !agreed.failed {
                issues.append(ImportIssue(file: file, line: headerLine, field: name, reason: "no row gives \(what) (\(role))"))
            }
            return nil
        }
    }

    /// Blanks the lines to skip, keeping their line breaks so that line numbers stay true.
    private func skippingLines(_ bytes: [UInt8]) -> [UInt8] {
        guard mapping.skipLeadingLines > 0 || mapping.skipTrailingLines > 0 else { return bytes }
        var lines: [Range<Int>] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            lines.append(start..<index)
            start = index + 1
        }
        if start < bytes.count { lines.append(start..<bytes.count) }
        var blank = Set(lines.prefix(mapping.skipLeadingLines).map(\.lowerBound))
        let nonBlank = lines.filter { range in bytes[range].contains { $0 != 0x0D && $0 != 0x20 && $0 != 0x09 } }
        blank.formUnion(nonBlank.suffix(mapping.skipTrailingLines).map(\.lowerBound))
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for (number, range) in lines.enumerated() {
            if !blank.contains(range.lowerBound) { out.append(contentsOf: bytes[range]) }
            if number < lines.count - 1 || range.upperBound < bytes.count { out.append(0x0A) }
        }
        return out
    }

    private func key(_ column: String) -> String { column.trimmingSpaces.lowercased() }

    private func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}

/// A statement-level value read from a column: the same on every row that fills it.
private struct Agreed<Value: Equatable> {
    var value: Value?
    var line = 0
    var failed = false

    mutating func read(_ row: CSVRow, _ column: String, _ issues: inout [ImportIssue],
                       _ parse: (String) -> Result<Value, AmountError>) {
        guard let text = row[column.trimmingSpaces.lowercased()], !text.isEmpty else { return }
        switch parse(text) {
        case .failure(let problem):
            failed = true
            issues.append(row.issue(column, problem.reason))
        case .success(let parsed):
            if let value {
                if value != parsed {
                    failed = true
                    issues.append(row.issue(column, "\"\(text)\" differs from the value on line \(line); the column must hold one value for the whole statement"))
                }
            } else {
                value = parsed
                line = row.line
            }
        }
    }
}
