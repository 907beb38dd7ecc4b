public import SalurCore

/// Reads a bank's CSV export into a `Statement` through a `CSVStatementMapping`.
///
/// All or nothing, like every Salur import: a file with any bad row throws `ImportFailure` with
/// every bad row (`FILE:LINE: column: reason`).
public struct CSVStatementParser: Sendable {
    /// The mapping this parser reads with.
    public let mapping: CSVStatementMapping
    private let pattern: DatePattern
    /// The mapping's columns as the header's keys (`key`), and its direction markers lower-cased,
    /// worked out once rather than on every row.
    private let dateKey, bankReferenceKey, descriptionKey: String
    private let bookingDateKey, customerReferenceKey, counterpartyAccountKey, counterpartyNameKey: String?
    /// The amount's columns: amount and marker, debit and credit, or the signed amount.
    private let amountKeys: [String]
    private let markers: (debit: String, credit: String)

    /// A parser for `mapping`; throws when the mapping itself is unusable.
    public init(mapping: CSVStatementMapping) throws(CSVStatementMappingError) {
        let problems = mapping.problems
        guard problems.isEmpty, let pattern = DatePattern(mapping.dateFormat) else {
            throw CSVStatementMappingError(problems: problems.isEmpty ? ["unusable date format \(mapping.dateFormat)"] : problems)
        }
        self.mapping = mapping
        self.pattern = pattern
        let key = Self.key
        dateKey = key(mapping.date)
        bankReferenceKey = key(mapping.bankReference)
        descriptionKey = key(mapping.description)
        bookingDateKey = mapping.bookingDate.map(key)
        customerReferenceKey = mapping.customerReference.map(key)
        counterpartyAccountKey = mapping.counterpartyAccount.map(key)
        counterpartyNameKey = mapping.counterpartyName.map(key)
        switch mapping.amounts {
        case .marked(let amount, let direction, let debitMarker, let creditMarker):
            amountKeys = [key(amount), key(direction)]
            markers = (key(debitMarker), key(creditMarker))
        case .split(let debit, let credit):
            amountKeys = [key(debit), key(credit)]
            markers = ("", "")
        case .signed(let amount):
            amountKeys = [key(amount)]
            markers = ("", "")
        }
    }

    /// The statement in `bytes`; `file` names it in issues (and is the default statement id).
    public func parse(bytes: [UInt8], file: String) throws(ImportFailure) -> Statement {
        try parse(bytes: bytes, file: file, chunkSize: CSVStatementInput.defaultChunkSize)
    }

    /// `parse(bytes:file:)` reading `chunkSize` bytes at a time, as a file is read.
    func parse(bytes: [UInt8], file: String, chunkSize: Int) throws(ImportFailure) -> Statement {
        var entries: [StatementEntry] = []
        var statement = try read(file: file, chunkSize: chunkSize, entry: { entries.append($0) }) { body in
            var start = 0
            repeat {
                let end = min(bytes.count, start + max(1, chunkSize))
                bytes[start..<end].withUnsafeBytes { body($0) }
                start = end
            } while start < bytes.count
        }
        statement.entries = entries
        return statement
    }

    /// Reads the CSV statement at `path` a window of rows at a time, handing each good row's entry
    /// to `entry` as it is read: neither the file nor its entries are held. The statement comes
    /// back without its entries. All or nothing, with every bad row, as `parse(bytes:file:)` of
    /// the file's bytes (the entries handed on are to be dropped when it throws). Throws
    /// `ImportFailure`, or `InputFile.Failure` when the file cannot be read.
    public func read(path: String, file: String, chunkSize: Int = 1 << 20,
                     entry: (StatementEntry) -> Void) throws -> Statement {
        var failure: InputFile.Failure?
        let statement: Statement
        do throws(ImportFailure) {
            statement = try read(file: file, chunkSize: chunkSize, entry: entry) { body in
                do throws(InputFile.Failure) {
                    guard try InputFile.forEachChunk(path, chunkSize: chunkSize, body) else {
                        throw InputFile.Failure(description: "cannot read \(path) a chunk at a time: it is not a regular file")
                    }
                } catch {
                    failure = error
                }
            }
        } catch {
            if let failure { throw failure }
            throw error
        }
        if let failure { throw failure }
        return statement
    }

    /// Reads the chunks `chunks` hands over (the whole input, in order) a window of records at a
    /// time: the lines to skip blanked, the header checked, then each row checked as it comes, its
    /// entry handed to `entry` when it is good, and the statement-level columns agreed across rows.
    private func read(file: String, chunkSize: Int, entry: (StatementEntry) -> Void,
                      chunks: ((UnsafeRawBufferPointer) -> Void) -> Void) throws(ImportFailure) -> Statement {
        let separator = mapping.separator.asciiValue ?? UInt8(ascii: ",")
        var input = CSVStatementInput(skipLeadingLines: mapping.skipLeadingLines, skipTrailingLines: mapping.skipTrailingLines,
                                      file: file, separator: separator, windowBytes: chunkSize)
        var rows = Rows(parser: self, file: file)
        withoutActuallyEscaping(entry) { entry in
            chunks { chunk in
                guard rows.refusal == nil else { return }
                input.add(chunk) { record in rows.record(record).map(entry) }
            }
            if rows.refusal == nil { input.finish { record in rows.record(record).map(entry) } }
        }
        if let refusal = rows.refusal { throw refusal }
        if let error = input.failure { throw CSVTable.failure(error, file: file) }
        return try rows.statement()
    }

    /// The records of a statement file in order: its header, then its rows.
    private struct Rows {
        let parser: CSVStatementParser
        let file: String
        /// The header's columns, once read.
        var columns: [String: Int]?
        var ordered: [(key: String, value: Int)] = []
        var headerLine = 1
        /// Why the file is refused before its rows are read (its header), if it is.
        var refusal: ImportFailure?
        var issues: [ImportIssue] = []
        var account = Agreed<String>(), opening = Agreed<Sen>(), closing = Agreed<Sen>()
        var statementId = Agreed<String>(), openingDate = Agreed<CalendarDate>(), closingDate = Agreed<CalendarDate>()
        var firstDate: CalendarDate?
        var lastDate: CalendarDate?

        init(parser: CSVStatementParser, file: String) {
            self.parser = parser
            self.file = file
        }

        /// The header (the first record), then every row: a good row's entry.
        mutating func record(_ record: CSVRecord) -> StatementEntry? {
            // A file whose header is refused is refused with its header's problems only.
            guard refusal == nil else { return nil }
            guard let columns else {
                header(record)
                return nil
            }
            // Past the limit the file is refused already: only its syntax is read on.
            if issues.count > ImportIssue.limit { return nil }
            guard let row = CSVTable.row(record, file: file, columns: columns, ordered: ordered, issues: &issues) else { return nil }
            let mapping = parser.mapping
            let before = issues.count
            if case .column(let name) = mapping.accountNo { account.read(row, name, &issues) { .success($0) } }
            if case .column(let name) = mapping.openingBalance { opening.read(row, name, &issues) { parser.balance($0) } }
            if case .column(let name) = mapping.closingBalance { closing.read(row, name, &issues) { parser.balance($0) } }
            if case .column(let name)? = mapping.statementId { statementId.read(row, name, &issues) { .success($0) } }
            if case .column(let name)? = mapping.openingDate { openingDate.read(row, name, &issues) { parser.date($0) } }
            if case .column(let name)? = mapping.closingDate { closingDate.read(row, name, &issues) { parser.date($0) } }
            let read = parser.entry(row, &issues)
            if issues.count == before, let read {
                let day = read.bookingDate ?? read.valueDate
                if firstDate.map({ day < $0 }) ?? true { firstDate = day }
                if lastDate.map({ day > $0 }) ?? true { lastDate = day }
                return read
            }
            return nil
        }

        /// Checks the header against the mapping: every column it names must be there (others are tolerated).
        private mutating func header(_ header: CSVRecord?) {
            headerLine = header?.line ?? 1
            let headerNames = (header?.fields ?? []).compactMap { $0.string?.trimmingSpaces.lowercased() }
            let mapping = parser.mapping
            var required = [mapping.date, mapping.bankReference, mapping.description]
            switch mapping.amounts {
            case .marked(let amount, let direction, _, _): required += [amount, direction]
            case .split(let debit, let credit): required += [debit, credit]
            case .signed(let amount): required.append(amount)
            }
            required += mapping.statementColumns
            required = required.map(CSVStatementParser.key)
            required = parser.unique(required)
            var optional = [mapping.bookingDate, mapping.customerReference, mapping.counterpartyAccount, mapping.counterpartyName]
                .compactMap { $0.map(CSVStatementParser.key) }
            optional += headerNames // columns the mapping does not name are tolerated
            optional = parser.unique(optional).filter { !required.contains($0) }
            do throws(ImportFailure) {
                let columns = try CSVTable.columns(header: header, file: file, required: required, optional: optional)
                self.columns = columns
                ordered = columns.sorted { $0.value < $1.value }
            } catch {
                refusal = error
            }
        }

        /// The statement, once every record is read; throws every issue found.
        mutating func statement() throws(ImportFailure) -> Statement {
            if columns == nil { header(nil) }
            if let refusal { throw refusal }
            let mapping = parser.mapping
            let accountNo = parser.resolve(mapping.accountNo, account, "accountNo", "the account number", headerLine, file, &issues)
            let openingBalance = parser.resolve(CSVStatementParser.inSen(mapping.openingBalance), opening, "openingBalance",
                                                "the opening balance", headerLine, file, &issues)
            let closingBalance = parser.resolve(CSVStatementParser.inSen(mapping.closingBalance), closing, "closingBalance",
                                                "the closing balance", headerLine, file, &issues)
            let id = mapping.statementId.flatMap {
                parser.resolve($0, statementId, "statementId", "the statement id", headerLine, file, &issues)
            }
            let first = mapping.openingDate.map {
                parser.resolve($0, openingDate, "openingDate", "the opening date", headerLine, file, &issues)
            } ?? firstDate
            let last = mapping.closingDate.map {
                parser.resolve($0, closingDate, "closingDate", "the closing date", headerLine, file, &issues)
            } ?? lastDate
            if issues.isEmpty, first == nil || last == nil {
                issues.append(ImportIssue(file: file, line: headerLine, field: "date",
                                          reason: "the file has no entries, so the statement dates must be given in the mapping"))
            }
            guard issues.isEmpty, let accountNo, let openingBalance, let closingBalance, let first, let last else {
                throw ImportFailure(issues)
            }
            return Statement(accountNo: accountNo, statementId: id ?? file, sequence: nil, currency: "IDR",
                             openingBalanceSen: openingBalance, closingBalanceSen: closingBalance, openingDate: first,
                             closingDate: last, entries: [], format: .csv, sourceFile: file, sourceLine: headerLine)
        }
    }

    // MARK: Rows

    fileprivate func entry(_ row: CSVRow, _ issues: inout [ImportIssue]) -> StatementEntry? {
        let before = issues.count
        let valueDate = requiredDate(row, mapping.date, dateKey, &issues)
        var bookingDate: CalendarDate?
        if let column = mapping.bookingDate, let key = bookingDateKey, let text = row[key], !text.isEmpty {
            if let date = pattern.date(text) { bookingDate = date } else {
                issues.append(row.issue(column, "\"\(text)\" is not a date in the format \(pattern)"))
            }
        }
        let movement = amountAndDirection(row, &issues)
        guard issues.count == before, let valueDate, let (direction, amount) = movement else { return nil }
        let optional = { (key: String?) -> String? in
            guard let key, let text = row[key], !text.isEmpty else { return nil }
            return text
        }
        return StatementEntry(valueDate: valueDate, bookingDate: bookingDate, direction: direction, amountSen: amount,
                              isReversal: false, status: .booked, bankReference: row[bankReferenceKey] ?? "",
                              customerReference: optional(customerReferenceKey) ?? "",
                              counterpartyAccount: optional(counterpartyAccountKey),
                              counterpartyName: optional(counterpartyNameKey),
                              description: row[descriptionKey] ?? "", line: row.line)
    }

    private func requiredDate(_ row: CSVRow, _ column: String, _ key: String, _ issues: inout [ImportIssue]) -> CalendarDate? {
        let text = row[key] ?? ""
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
            var amountText = row[amountKeys[0]] ?? ""
            var marker: String
            if amountKeys[0] == amountKeys[1] {
                let words = amountText.split(whereSeparator: { $0 == " " || $0 == "\t" })
                if let last = words.last, words.count > 1, isMarker(last) {
                    marker = String(last); amountText = words.dropLast().joined(separator: " ")
                } else if let first = words.first, words.count > 1, isMarker(first) {
                    marker = String(first); amountText = words.dropFirst().joined(separator: " ")
                } else {
                    issues.append(row.issue(amountColumn, "\"\(amountText)\" has no debit/credit marker (\(debitMarker) or \(creditMarker)) before or after the amount"))
                    return nil
                }
            } else {
                marker = row[amountKeys[1]] ?? ""
            }
            let direction: StatementEntry.Direction
            switch marker.trimmingSpaces.lowercased() {
            case markers.debit: direction = .debit
            case markers.credit: direction = .credit
            default:
                issues.append(row.issue(directionColumn, "must be \(debitMarker) (debit) or \(creditMarker) (credit), found \"\(marker)\""))
                return nil
            }
            guard let amount = amount(row, amountColumn, amountText, signed: false, &issues) else { return nil }
            return (direction, Sen(amount))
        case .split(let debitColumn, let creditColumn):
            let debit = optionalAmount(row, debitColumn, amountKeys[0], &issues)
            let credit = optionalAmount(row, creditColumn, amountKeys[1], &issues)
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
            guard let value = amount(row, column, row[amountKeys[0]] ?? "", signed: true, &issues) else { return nil }
            guard value != 0 else {
                issues.append(row.issue(column, "the amount is zero, so it is neither a debit nor a credit"))
                return nil
            }
            return value < 0 ? (.debit, Sen(0 - value)) : (.credit, Sen(value))
        }
    }

    /// A split-column amount: nil when empty or zero (the other column has it).
    private func optionalAmount(_ row: CSVRow, _ column: String, _ key: String, _ issues: inout [ImportIssue]) -> Int64? {
        let text = row[key] ?? ""
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

    fileprivate func balance(_ text: String) -> Result<Sen, AmountError> {
        CSVAmount.parse(text, decimal: mapping.decimalSeparator, thousands: mapping.thousandsSeparator, signed: true).map(Sen.init)
    }

    /// A balance given in whole rupiah (by the operator), in sen; a column stays a column.
    fileprivate static func inSen(_ source: CSVStatementMapping.Source<Rupiah>) -> CSVStatementMapping.Source<Sen> {
        switch source {
        case .column(let name): .column(name)
        case .value(let rupiah): .value(Sen(exactly: rupiah) ?? Sen(rupiah.value))
        }
    }

    fileprivate func date(_ text: String) -> Result<CalendarDate, AmountError> {
        guard let date = pattern.date(text) else { return .failure(AmountError(reason: "\"\(text)\" is not a date in the format \(pattern)")) }
        return .success(date)
    }

    // MARK: Statement-level values

    fileprivate func resolve<Value>(_ source: CSVStatementMapping.Source<Value>, _ agreed: Agreed<Value>, _ role: String,
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

    /// A column name as the header's key: trimmed, lower-cased.
    fileprivate static func key(_ column: String) -> String { column.trimmingSpaces.lowercased() }

    /// Whether `word` is one of the direction markers, ignoring case.
    private func isMarker(_ word: Substring) -> Bool {
        let lowered = word.lowercased()
        return lowered == markers.debit || lowered == markers.credit
    }

    fileprivate func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}

/// A statement-level value read from a column: the same on every row that fills it.
private struct Agreed<Value: Equatable> {
    var value: Value?
    var line = 0
    var failed = false
    /// The column's header key, worked out on the first row rather than on each.
    private var key: String?

    mutating func read(_ row: CSVRow, _ column: String, _ issues: inout [ImportIssue],
                       _ parse: (String) -> Result<Value, AmountError>) {
        let key = self.key ?? CSVStatementParser.key(column)
        self.key = key
        guard let text = row[key], !text.isEmpty else { return }
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
