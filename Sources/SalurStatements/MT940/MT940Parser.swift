internal import SalurCore

/// Reads SWIFT MT940 customer statements as Indonesian banks send them.
///
/// Lenient where banks differ and nothing is at stake: decimal comma or none (`1500000,00`,
/// `1500000`), `:61:` with or without the booking date and the funds-code letter, `NONREF`, an
/// optional `//bankref`, one- or many-line `:86:`, CRLF or LF, trailing spaces, SWIFT block
/// wrappers, several statements in one file, unknown tags (skipped). Strict where money is at
/// stake: every balance and entry must parse, marks are D/C/RD/RC, amounts are rupiah with at
/// most two decimals (sen) in IDR, entries sit between an opening and a closing balance.
///
/// MT942 interim transaction reports (intraday: `:34F:` floor limit, `:90D:`/`:90C:` sums, no
/// booked closing balance) are refused, not read as pending entries: what they
/// announce arrives booked on the day's MT940, which is what reconciliation needs. The refusal names
/// the line and says to ask the bank for the end-of-day MT940 statement. Each entry keeps its
/// `:61:` transaction type (`NTRF`, `NINT`, `NTAX`, `NCHG`, …) for the bank's own items.
public enum MT940Parser {
    /// Parses every statement in the file; throws the first problem with its line.
    public static func parse(bytes: [UInt8], file: String) throws(StatementParseError) -> [Statement] {
        var reader = Reader(file: file)
        let last = try TextLines.forEach(in: bytes) { line throws(StatementParseError) in try reader.read(line) }
        return try reader.finish(lastLine: max(1, last))
    }

    /// Parses text already in memory.
    public static func parse(_ text: String, file: String) throws(StatementParseError) -> [Statement] {
        try parse(bytes: Array(text.utf8), file: file)
    }

    /// A file's statements read as its chunks arrive, so that neither the file nor its entries are
    /// held: each entry goes to `entry`, with the index of its statement in the file, once it is
    /// complete (its `:86:` read), and the statements `finish` returns have no entries. The checks,
    /// and the first problem thrown, are those of `parse(bytes:file:)`.
    package struct Stream {
        private var reader: Reader
        private var lines: TextLines.Splitter

        /// `lineFeeds`: whether the file has any LF (else it is split at CR, as `parse(bytes:)` does).
        package init(file: String, lineFeeds: Bool, entry: @escaping (Int, StatementEntry) -> Void) {
            reader = Reader(file: file, sink: entry)
            lines = TextLines.Splitter(separator: lineFeeds ? 0x0A : 0x0D)
        }

        /// Reads the next chunk of the file.
        package mutating func feed(_ chunk: UnsafeRawBufferPointer) throws(StatementParseError) {
            try lines.feed(chunk) { line throws(StatementParseError) in try reader.read(line) }
        }

        /// The statements, once the whole file has been fed.
        package mutating func finish() throws(StatementParseError) -> [Statement] {
            try lines.finish { line throws(StatementParseError) in try reader.read(line) }
            return try reader.finish(lastLine: max(1, lines.last))
        }
    }
}

/// One field: its tag, first line and continuation lines, as UTF-8. Its storage is kept from one
/// field to the next, so reading a field allocates nothing but the strings it yields.
private struct Field {
    var tag = ""
    var line = 0
    /// The content after the tag on the first line (trailing spaces dropped), then each
    /// continuation line, one after the other.
    private var bytes: [UInt8] = []
    /// Where each of those lines ends in `bytes`, and its line number; the first is the content.
    private var ends: [Int] = []
    private var numbers: [Int] = []

    var display: String { ":\(tag):" }

    /// Starts the field `tag` on line `line` with `content`.
    mutating func start(_ tag: String, line: Int, content: ArraySlice<UInt8>) {
        self.tag = tag
        self.line = line
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        numbers.removeAll(keepingCapacity: true)
        append(content, line: line)
    }

    mutating func append(_ text: ArraySlice<UInt8>, line: Int) {
        bytes.append(contentsOf: text)
        ends.append(bytes.count)
        numbers.append(line)
    }

    var content: ArraySlice<UInt8> { bytes[..<ends[0]] }

    /// The continuation lines: their numbers and texts.
    var continuation: some RandomAccessCollection<(number: Int, text: ArraySlice<UInt8>)> {
        ends.indices.dropFirst().lazy.map { index in (numbers[index], bytes[ends[index - 1]..<ends[index]]) }
    }
}

/// A balance field: `C260131IDR1500000,00`.
private struct Balance {
    let date: CalendarDate
    let currency: String
    /// Signed, in sen: a debit balance is negative.
    let amount: Sen
}

/// Groups lines into fields, then assembles statements field by field.
private struct Reader {
    let file: String
    private var field = Field()
    /// Whether `field` holds a field not yet applied.
    private var fieldOpen = false
    private var builder: Builder?
    private var statements: [Statement] = []
    /// Where complete entries go when they are not kept in their statement (`MT940Parser.Stream`).
    private let sink: ((Int, StatementEntry) -> Void)?

    init(file: String, sink: ((Int, StatementEntry) -> Void)? = nil) {
        self.file = file
        self.sink = sink
    }

    /// The statement being read.
    private struct Builder {
        let startLine: Int
        let statementId: String
        var accountNo: String?
        var sequence: String?
        var opening: Balance?
        var closing: Balance?
        var closingLine = 0
        var available: Sen?
        var entries: [StatementEntry] = []
        /// Whether a following `:86:` belongs to the last entry.
        var entryOpen = false
        /// Whether the last entry's description came from `:86:` (not the supplementary line).
        var entryHasInformation = false
    }

    mutating func read(_ raw: TextLines.Line) throws(StatementParseError) {
        var text = MT940Syntax.trimmingTrailing(MT940Syntax.spacingControls(raw.bytes))
        if MT940Syntax.startsWithBlock(text) {
            text = MT940Syntax.strippingBlocks(text)
        }
        if text.allSatisfy(MT940Syntax.isTrailingSpace) { return }
        if MT940Syntax.isTerminator(text) {
            try flushField()
            try endMessage(line: raw.number)
            return
        }
        if let (tag, content) = MT940Syntax.tag(of: text) {
            try flushField()
            field.start(tag, line: raw.number, content: text[content...])
            fieldOpen = true
            return
        }
        // Text outside any field (a header before the first `:20:`, a footer after `-`) is not ours.
        if fieldOpen { field.append(text, line: raw.number) }
    }

    mutating func finish(lastLine: Int) throws(StatementParseError) -> [Statement] {
        try flushField()
        if let builder {
            guard builder.closing != nil else {
                throw error(lastLine, "file", "the file ends inside the statement that starts on line \(builder.startLine): no closing balance (:62F: or :62M:); the file may be cut short")
            }
            try finishStatement()
        }
        guard !statements.isEmpty else {
            throw error(1, "file", "no MT940 statement found: expected a :20: tag at the start of a line")
        }
        return statements
    }

    private func error(_ line: Int, _ field: String, _ reason: String) -> StatementParseError {
        StatementParseError(file: file, line: line, field: field, reason: reason)
    }

    private mutating func endMessage(line: Int) throws(StatementParseError) {
        guard let builder else { return }
        guard builder.closing != nil else {
            throw error(line, "-", "the statement that starts on line \(builder.startLine) ends without a closing balance (:62F: or :62M:)")
        }
        try finishStatement()
    }

    private mutating func flushField() throws(StatementParseError) {
        guard fieldOpen else { return }
        fieldOpen = false
        try apply(field)
    }

    private mutating func apply(_ field: Field) throws(StatementParseError) {
        if field.tag == "20" {
            if let builder {
                guard builder.closing != nil else {
                    throw error(field.line, ":20:", "a new statement starts, but the one that starts on line \(builder.startLine) has no closing balance (:62F: or :62M:)")
                }
                try finishStatement()
            }
            builder = Builder(startLine: field.line, statementId: MT940Syntax.trimmed(field.content))
            return
        }
        guard var current = builder else {
            throw error(field.line, field.display, "field outside a statement: a statement starts with :20:")
        }
        builder = nil // keeps `current.entries` uniquely referenced, so appending does not copy it
        defer { builder = current }
        let isEntryField = field.tag == "61" || field.tag == "86"
        if !isEntryField { current.entryOpen = false }
        switch field.tag {
        case "25":
            try requireOneLine(field)
            let account = MT940Syntax.trimmed(field.content)
            guard !account.isEmpty else { throw error(field.line, ":25:", "the account number is empty") }
            guard current.accountNo == nil else { throw error(field.line, ":25:", "a second account number in one statement") }
            current.accountNo = account
        case "28C", "28":
            let sequence = MT940Syntax.trimmed(field.content)
            current.sequence = sequence.isEmpty ? nil : sequence
        case "60F", "60M":
            try requireOneLine(field)
            guard current.opening == nil else {
                throw error(field.line, field.display, "a second opening balance in the statement that starts on line \(current.startLine); a new statement must start with :20:")
            }
            current.opening = try balance(field)
        case "61":
            guard current.opening != nil else {
                throw error(field.line, ":61:", "an entry before any opening balance (:60F: or :60M:)")
            }
            guard current.closing == nil else {
                throw error(field.line, ":61:", "an entry after the closing balance (line \(current.closingLine)); a new statement must start with :20:")
            }
            let next = try entry(field)
            if let sink, let complete = current.entries.popLast() { sink(statements.count, complete) }
            current.entries.append(next)
            current.entryOpen = true
            current.entryHasInformation = false
        case "86":
            guard current.entryOpen, !current.entries.isEmpty else { return } // statement-level information
            let text = information(field)
            let index = current.entries.count - 1
            if current.entryHasInformation {
                if !text.isEmpty {
                    if !current.entries[index].description.isEmpty { current.entries[index].description += " " }
                    current.entries[index].description += text
                }
            } else {
                current.entries[index].description = text
                current.entryHasInformation = true
            }
        case "62F", "62M":
            try requireOneLine(field)
            guard let opening = current.opening else {
                throw error(field.line, field.display, "a closing balance before any opening balance (:60F: or :60M:)")
            }
            guard current.closing == nil else {
                throw error(field.line, field.display, "a second closing balance (the first is on line \(current.closingLine))")
            }
            let closing = try balance(field)
            guard closing.currency == opening.currency else {
                throw error(field.line, field.display, "currency \(closing.currency) differs from the opening balance's \(opening.currency)")
            }
            current.closing = closing
            current.closingLine = field.line
        case "64":
            try requireOneLine(field)
            current.available = try balance(field).amount
        case "65":
            try requireOneLine(field)
        case "34F", "90D", "90C":
            throw error(field.line, field.display, "this is an MT942 interim transaction report (intraday, \(field.display) "
                        + "has no place in an MT940 statement, and it has no booked closing balance); Salur reconciles end-of-day "
                        + "MT940 statements only: ask the bank for the MT940 statement of the day instead")
        default:
            return // :21:, :13D:, :NS: and other fields Salur does not use
        }
    }

    private mutating func finishStatement() throws(StatementParseError) {
        guard var current = builder, let opening = current.opening, let closing = current.closing else { return }
        builder = nil
        guard let accountNo = current.accountNo else {
            throw error(current.startLine, ":25:", "the statement that starts here has no account number (:25:)")
        }
        if let sink, let complete = current.entries.popLast() { sink(statements.count, complete) }
        statements.append(Statement(
            accountNo: accountNo, statementId: current.statementId, sequence: current.sequence,
            currency: opening.currency, openingBalanceSen: opening.amount, closingBalanceSen: closing.amount,
            closingAvailableBalanceSen: current.available, openingDate: opening.date, closingDate: closing.date,
            entries: current.entries, format: .mt940, sourceFile: file, sourceLine: current.startLine))
    }

    private func requireOneLine(_ field: Field) throws(StatementParseError) {
        if let extra = field.continuation.first {
            let text = String(decoding: extra.text, as: UTF8.self)
            throw error(extra.number, field.display, "unexpected text after \(field.display), which is one line: \"\(text.prefix(40))\"")
        }
    }

    // The fields below are read as bytes. Every mark they look for is ASCII, so where a check
    // passes, the bytes before it are ASCII too and a byte offset there is a scalar offset: an
    // error quotes the same scalars whichever way it counts (`quote`).

    /// `C260131IDR1500000,00`: mark, date, currency, amount.
    private func balance(_ field: Field) throws(StatementParseError) -> Balance {
        let content = field.content
        let start = content.startIndex
        let fail = { (reason: String) in error(field.line, field.display, reason) }
        guard let mark = content.first, mark == UInt8(ascii: "C") || mark == UInt8(ascii: "D") else {
            throw fail("a balance starts with C (credit) or D (debit), found \"\(String(String(decoding: content, as: UTF8.self).prefix(10)))\"")
        }
        guard let date = MT940Syntax.date(yymmdd: content.dropFirst().prefix(6)) else {
            throw fail("balance date \"\(quote(content, from: 1, scalars: 6))\" is not a date: expected YYMMDD after the \(Unicode.Scalar(mark))")
        }
        let code = content.dropFirst(7).prefix(3)
        guard code.count == 3, code.allSatisfy(MT940Syntax.isUpperLetter) else {
            throw fail("currency \"\(quote(content, from: 7, scalars: 3))\" is not a three-letter code (expected IDR after the date)")
        }
        let currency = String(decoding: code, as: UTF8.self)
        guard currency == "IDR" else {
            throw fail("currency \(currency) is not supported: Salur reads rupiah (IDR) statements only")
        }
        let amountText = content[(start + 10)...]
        guard !amountText.isEmpty else { throw fail("the balance has no amount after \(currency)") }
        switch AmountText.sen(Substring(String(decoding: amountText, as: UTF8.self)), decimalSeparator: ",") {
        case .success(let amount):
            return Balance(date: date, currency: currency, amount: mark == UInt8(ascii: "D") ? Sen(0 - amount.value) : amount)
        case .failure(let problem):
            throw fail(problem.reason)
        }
    }

    /// `:61:` value date, [booking date], mark, [funds code], amount, type, reference, [//bank ref].
    private func entry(_ field: Field) throws(StatementParseError) -> StatementEntry {
        let content = field.content
        let start = content.startIndex, end = content.endIndex
        let fail = { (reason: String) in error(field.line, ":61:", reason) }
        guard let valueDate = MT940Syntax.date(yymmdd: content.prefix(6)) else {
            throw fail("value date \"\(quote(content, from: 0, scalars: 6))\" is not a date: expected YYMMDD at the start of :61:")
        }
        var index = start + 6
        var bookingDate: CalendarDate?
        let maybeBooking = content.dropFirst(6).prefix(4)
        if maybeBooking.count == 4, maybeBooking.allSatisfy(MT940Syntax.isDigit) {
            guard let date = MT940Syntax.bookingDate(mmdd: maybeBooking, near: valueDate) else {
                throw fail("booking date \"\(quote(content, from: 6, scalars: 4))\" is not a date: expected MMDD after the value date")
            }
            bookingDate = date
            index = start + 10
        }
        let direction: StatementEntry.Direction
        var isReversal = false
        let markStart = index
        if index < end, content[index] == UInt8(ascii: "R") { isReversal = true; index += 1 }
        switch index < end ? content[index] : UInt8(ascii: " ") {
        case UInt8(ascii: "D"): direction = isReversal ? .credit : .debit
        case UInt8(ascii: "C"): direction = isReversal ? .debit : .credit
        default:
            throw fail("debit/credit mark must be D, C, RD or RC; found \"\(quote(content, from: markStart - start, scalars: 2))\"")
        }
        index += 1
        // Funds code: the third letter of the currency (`R` for IDR), optional.
        if index + 1 < end, MT940Syntax.isUpperLetter(content[index]), MT940Syntax.isDigit(content[index + 1]) {
            index += 1
        }
        let amountStart = index
        while index < end, MT940Syntax.isDigit(content[index]) || content[index] == UInt8(ascii: ",") { index += 1 }
        guard index > amountStart else {
            throw fail("no amount after the debit/credit mark; found \"\(quote(content, from: amountStart - start, scalars: 12))\"")
        }
        let amount: Sen
        switch AmountText.sen(Substring(String(decoding: content[amountStart..<index], as: UTF8.self)), decimalSeparator: ",") {
        case .success(let value): amount = value
        case .failure(let problem): throw fail(problem.reason)
        }
        let type = content[index...].prefix(4)
        guard type.count == 4, MT940Syntax.isUpperLetter(type[type.startIndex]),
              type.dropFirst().allSatisfy({ MT940Syntax.isUpperLetter($0) || MT940Syntax.isDigit($0) }) else {
            throw fail("transaction type (a letter and three characters, such as NTRF or NMSC) must follow the amount; found \"\(quote(content, from: index - start, scalars: 4))\"")
        }
        index += 4
        // The customer reference runs to the first `//`, the bank reference after it. Found by
        // bytes, so a combining mark after a slash cannot hide it.
        let rest = content[index...]
        var customerReference = rest
        var bankReference = ""
        if let slash = rest.indices.first(where: { rest[$0] == UInt8(ascii: "/") && $0 + 1 < end && rest[$0 + 1] == UInt8(ascii: "/") }) {
            customerReference = rest[..<slash]
            bankReference = MT940Syntax.trimmed(rest[(slash + 2)...])
        }
        var customer = MT940Syntax.trimmed(customerReference)
        if customer == "NONREF" { customer = "" }
        let supplementary = field.continuation.first.map { MT940Syntax.trimmed($0.text) } ?? ""
        return StatementEntry(valueDate: valueDate, bookingDate: bookingDate, direction: direction, amountSen: amount,
                              isReversal: isReversal, status: .booked, bankReference: bankReference,
                              customerReference: customer, description: supplementary,
                              transactionCode: String(decoding: type, as: UTF8.self), line: field.line)
    }

    /// The `:86:` lines joined: a line filled to 65 characters runs on, a shorter one ended at a space.
    private func information(_ field: Field) -> String {
        if field.continuation.isEmpty { return String(decoding: MT940Syntax.trimmingLeading(field.content), as: UTF8.self) }
        var lines: [ArraySlice<UInt8>] = []
        var full: [Bool] = []
        let first = MT940Syntax.trimmingLeading(field.content)
        if !first.isEmpty {
            let raw = MT940Syntax.scalarCount(field.content)
            lines.append(first)
            full.append(raw + 4 == MT940Syntax.lineWidth || raw == MT940Syntax.lineWidth)
        }
        for line in field.continuation {
            lines.append(line.text)
            full.append(MT940Syntax.scalarCount(line.text) == MT940Syntax.lineWidth)
        }
        return TextWrap.join(utf8: lines, full: full)
    }

    /// Up to `count` scalars of `utf8` from the scalar at byte `offset` (every byte before it ASCII).
    private func quote(_ utf8: ArraySlice<UInt8>, from offset: Int, scalars count: Int) -> String {
        var scalars = String(decoding: utf8.dropFirst(offset), as: UTF8.self).unicodeScalars
        if scalars.count > count { scalars = String.UnicodeScalarView(scalars.prefix(count)) }
        return String(scalars)
    }
}
