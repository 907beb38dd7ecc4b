package import SalurCore
package import SalurStatements
package import SalurStore

/// A bank statement file as `salurctl reconcile` takes it: format detected or given, parsed,
/// every statement's balances checked, its account checked, ready to store. Each entry is kept
/// once, as the line the store keeps (`StatementLine`), never also as the parsed `StatementEntry`.
package struct StatementFile: Sendable {
    /// The statements in the file, balances checked; their entries are in `lines` (none here).
    package private(set) var statements: [Statement]
    /// Each statement's entries, as the store keeps them, in file order.
    private var lines: [[StatementLine]]
    /// Each statement's booked credits and debits, for its balance check.
    private var tallies: [StatementTally]
    /// SHA-256 of the file.
    package let sha256: String
    /// A CSV export's reading key (`csvReadingKey(sha256:mapping:file:)`); nil for MT940 and camt.053.
    package private(set) var csvReadingKey: String?
    /// The format read.
    package let format: StatementFormat
    /// Statements (by index) whose file gives no opening balance and no earlier statement of
    /// their account to take it from: `deriveOpenings(from:)` takes it from the stored ones.
    package private(set) var openingsNeeded: [Int] = []
    /// Where each derived opening balance came from, by statement index (said in the run's output
    /// and stored with the statement).
    package private(set) var derivedOpenings: [Int: String] = [:]

    /// How many entries the file has.
    package var entryCount: Int { lines.reduce(0) { $0 + $1.count } }

    /// Reads `bytes`. `format` nil detects MT940 or camt.053; a CSV file needs `format: .csv` and a
    /// mapping. `sourceAccount`, when given, is the only account a statement may be for.
    ///
    /// Throws `StatementParseError` (MT940, camt.053), `ImportFailure` (CSV rows),
    /// `StatementBalanceError` (opening + entries ≠ closing, with the difference) or
    /// `StatementRefusal` (format unknown, no CSV mapping, another account).
    package init(bytes: [UInt8], file: String, format: StatementFormat?, csvMapping: CSVStatementMapping?,
                 sourceAccount: String?) throws {
        guard let format = format ?? StatementFormat.detect(bytes: bytes) else {
            throw StatementRefusal(file: file, line: 1, reason: "not an MT940 or camt.053 statement (no :20: tag, no camt.053 Document); "
                                   + "for the bank's CSV export say --format csv")
        }
        var parsed: [Statement]
        switch format {
        case .mt940:
            parsed = try MT940Parser.parse(bytes: bytes, file: file)
        case .camt053:
            parsed = try Camt053Parser.parse(bytes: bytes, file: file)
        case .csv:
            guard let csvMapping else {
                throw StatementRefusal(file: file, line: 1, reason: "a CSV statement needs its column mapping: add a [reconciliation.csv] table to the config")
            }
            parsed = [try CSVStatementParser(mapping: csvMapping).parse(bytes: bytes, file: file)]
        }
        let sha256 = AuditChain.sha256Hex(bytes)
        var lines: [[StatementLine]] = []
        var tallies: [StatementTally] = []
        for index in parsed.indices {
            var tally = StatementTally()
            for entry in parsed[index].entries { tally.add(entry) }
            lines.append(parsed[index].entries.map(StatementFile.line))
            tallies.append(tally)
            parsed[index].entries = []
        }
        try self.init(checking: parsed, lines: lines, tallies: tallies, file: file, format: format,
                      sha256: sha256, sourceAccount: sourceAccount)
        if format == .csv, let csvMapping { csvReadingKey = Self.csvReadingKey(sha256: sha256, mapping: csvMapping, file: file) }
    }

    /// Reads the MT940 file at `path` (a regular file) a chunk at a time: the file is never held,
    /// and each entry is kept only as the line the store keeps. `sha256` and `lineFeeds` (whether
    /// it has any LF) come from a first pass over it (`SourceFile.digest`). The same checks, and
    /// the same first problem thrown, as `init(bytes:…)` of the same bytes; `InputFile.Failure`
    /// when it cannot be read.
    package init(mt940At path: String, sha256: String, lineFeeds: Bool, file: String, sourceAccount: String?) throws {
        var lines: [[StatementLine]] = []
        var tallies: [StatementTally] = []
        var stream = MT940Parser.Stream(file: file, lineFeeds: lineFeeds) { index, entry in
            StatementFile.keep(entry, of: index, in: &lines, &tallies)
        }
        var problem: StatementParseError?
        let regular = try InputFile.forEachChunk(path) { chunk in
            guard problem == nil else { return }
            do throws(StatementParseError) { try stream.feed(chunk) } catch { problem = error }
        }
        guard regular else { throw StatementRefusal(file: file, line: 1, reason: "not a regular file: read it with init(bytes:)") }
        if let problem { throw problem }
        let parsed = try stream.finish()
        try self.init(checking: parsed, lines: lines, tallies: tallies, file: file, format: .mt940, sha256: sha256,
                      sourceAccount: sourceAccount)
    }

    /// Reads the camt.053 file at `path` a chunk at a time (`Camt053Parser.read(path:…)`): neither
    /// the file, its XML elements nor its parsed entries are held, only each entry as the line the
    /// store keeps. `sha256` comes from a first pass over it (`SourceFile.digest`). The same checks,
    /// and the same first problem thrown, as `init(bytes:…)` of the same bytes; `InputFile.Failure`
    /// when it cannot be read. `chunkSize` is how many bytes are read at a time.
    package init(camt053At path: String, sha256: String, file: String, sourceAccount: String?,
                 chunkSize: Int = 1 << 20) throws {
        var lines: [[StatementLine]] = []
        var tallies: [StatementTally] = []
        let parsed = try Camt053Parser.read(path: path, file: file, chunkSize: chunkSize) { index, entry in
            StatementFile.keep(entry, of: index, in: &lines, &tallies)
        }
        try self.init(checking: parsed, lines: lines, tallies: tallies, file: file, format: .camt053, sha256: sha256,
                      sourceAccount: sourceAccount)
    }

    /// Reads the CSV statement at `path` a window of rows at a time through `csvMapping`
    /// (`CSVStatementParser.read(path:…)`): neither the file nor its parsed entries are held, each
    /// good row kept only as the line the store keeps. `sha256` comes from a first pass over it.
    /// All or nothing with every bad row (`ImportFailure`), the same as `init(bytes:…)` of the same
    /// bytes; `InputFile.Failure` when it cannot be read.
    package init(csvAt path: String, sha256: String, file: String, csvMapping: CSVStatementMapping, sourceAccount: String?,
                 chunkSize: Int = 1 << 20) throws {
        var lines: [StatementLine] = []
        var tally = StatementTally()
        let parsed = try CSVStatementParser(mapping: csvMapping).read(path: path, file: file, chunkSize: chunkSize) { entry in
            tally.add(entry)
            lines.append(StatementFile.line(entry))
        }
        try self.init(checking: [parsed], lines: [lines], tallies: [tally], file: file, format: .csv, sha256: sha256,
                      sourceAccount: sourceAccount)
        csvReadingKey = Self.csvReadingKey(sha256: sha256, mapping: csvMapping, file: file)
    }

    /// The key a CSV export read through `mapping` is kept under as a whole file
    /// (`statement_file.sha256`): the SHA-256 of the file's SHA-256, the file's name as given (a
    /// statement without an id column takes its id from it) and every field of the mapping, balances
    /// given by flags included. The same bytes read another way, or under another name, are read
    /// again. (Should the mapping's rendering change between versions, a file is read once more.)
    package static func csvReadingKey(sha256: String, mapping: CSVStatementMapping, file: String) -> String {
        AuditChain.sha256Hex(Array(["csv", sha256, file, String(reflecting: mapping)].joined(separator: "\u{1F}").utf8))
    }

    /// Keeps `entry` of the statement at `index` as its line, and in its tally.
    private static func keep(_ entry: StatementEntry, of index: Int, in lines: inout [[StatementLine]],
                             _ tallies: inout [StatementTally]) {
        while lines.count <= index {
            lines.append([])
            tallies.append(StatementTally())
        }
        tallies[index].add(entry)
        lines[index].append(StatementFile.line(entry))
    }

    /// The checks both readings make, statement by statement in file order: balances (an opening
    /// balance the file lacks taken from the previous statement of its account in the file, else
    /// left to `deriveOpenings`), then the account.
    /// `lines` and `tallies` may stop short of the last statements, which then have no entries.
    private init(checking parsed: [Statement], lines: [[StatementLine]], tallies: [StatementTally], file: String,
                 format: StatementFormat, sha256: String, sourceAccount: String?) throws {
        let missing = max(0, parsed.count - lines.count)
        let lines = lines + Array(repeating: [], count: missing)
        let tallies = tallies + Array(repeating: StatementTally(), count: missing)
        var statements = parsed
        for (index, statement) in parsed.enumerated() {
            if !statement.hasOpeningBalance {
                // A camt.053 statement without OPBD/PRCD: the previous statement of its account in
                // this file closes where it opens; else the stored ones are asked (`deriveOpenings`).
                if let previous = statements[..<index].last(where: { $0.accountNo == statement.accountNo }) {
                    derivedOpenings[index] = StatementFile.derivation(from: previous.statementId, closing: previous.closingBalanceSen,
                                                                      on: previous.closingDate, in: file)
                    statements[index].openingBalanceSen = previous.closingBalanceSen
                    try statements[index].checkBalance(tallies[index])
                } else {
                    openingsNeeded.append(index)
                }
            } else {
                try statement.checkBalance(tallies[index])
            }
            if let sourceAccount, !StatementFile.isSameAccount(statement.accountNo, sourceAccount) {
                throw StatementRefusal(file: file, line: statement.sourceLine, reason: """
                    statement \(statement.statementId) is for account \(statement.accountNo), not the treasury's source account \
                    \(sourceAccount) (bank.source_account); nothing was stored
                    """)
            }
        }
        self.statements = statements
        self.lines = lines
        self.tallies = tallies
        self.format = format
        self.sha256 = sha256
    }

    /// An entry as the store keeps it.
    private static func line(_ entry: StatementEntry) -> StatementLine {
        StatementLine(valueDate: entry.valueDate, bookingDate: entry.bookingDate, isDebit: entry.direction == .debit,
                      amountSen: entry.amountSen, isReversal: entry.isReversal, isBooked: entry.status == .booked,
                      bankReference: entry.bankReference, customerReference: entry.customerReference,
                      counterpartyAccount: entry.counterpartyAccount, counterpartyName: entry.counterpartyName,
                      description: entry.description, transactionCode: entry.transactionCode, line: entry.line)
    }

    /// A stored statement's closing balance: where the next statement of its account opens.
    package struct StoredClosing: Sendable {
        package var accountNo: String
        package var statementId: String
        package var closingDate: CalendarDate
        package var closingBalance: Sen
        package var sourceFile: String

        package init(accountNo: String, statementId: String, closingDate: CalendarDate, closingBalance: Sen, sourceFile: String) {
            self.accountNo = accountNo
            self.statementId = statementId
            self.closingDate = closingDate
            self.closingBalance = closingBalance
            self.sourceFile = sourceFile
        }

        /// The stored statements as `export statement-check` lists them.
        package static func from(_ checks: [StatementCheck]) -> [StoredClosing] {
            checks.compactMap { check in
                CalendarDate(check.closingDate).map {
                    StoredClosing(accountNo: check.accountNo, statementId: check.statementId, closingDate: $0,
                                  closingBalance: check.exact.closingBalance, sourceFile: check.sourceFile)
                }
            }
        }
    }

    /// Takes the opening balance of each statement in `openingsNeeded` from the stored statement of
    /// its account that closes last on or before the day it opens, then checks its balances.
    /// Throws `StatementRefusal` naming the statement's line and what to ask the bank for when
    /// there is none, and `StatementBalanceError` when the derived balance does not add up.
    package mutating func deriveOpenings(from stored: [StoredClosing]) throws {
        for index in openingsNeeded {
            let statement = statements[index]
            let previous = stored.filter { $0.accountNo == statement.accountNo && $0.closingDate <= statement.openingDate }
                .max { $0.closingDate < $1.closingDate }
            guard let previous else {
                throw StatementRefusal(file: statement.sourceFile, line: statement.sourceLine, reason: """
                    statement \(statement.statementId) of account \(statement.accountNo) has no opening balance (no Bal with \
                    Tp/CdOrPrtry/Cd OPBD or PRCD), and no earlier statement of the account is stored to take it from: import the \
                    previous statement first, or ask the bank for this statement with its opening balance (OPBD); nothing was stored
                    """)
            }
            derivedOpenings[index] = StatementFile.derivation(from: previous.statementId, closing: previous.closingBalance,
                                                              on: previous.closingDate, in: previous.sourceFile)
            statements[index].openingBalanceSen = previous.closingBalance
            try statements[index].checkBalance(tallies[index])
        }
        openingsNeeded = []
    }

    /// `the closing balance Rp 1.000,50 of statement S1 (2026-10-31, f.xml)`.
    static func derivation(from statementId: String, closing: Sen, on day: CalendarDate, in file: String) -> String {
        "the closing balance \(closing) of statement \(statementId) (\(day), \(file))"
    }

    /// What the run says of derived openings: `f.xml:12: statement S2 has no opening balance; taken from …`.
    package var derivationNotes: [String] {
        derivedOpenings.sorted { $0.key < $1.key }.map { index, source in
            let statement = statements[index]
            return "\(statement.sourceFile):\(statement.sourceLine): statement \(statement.statementId) has no opening balance in the file; "
                + "taken from \(source)"
        }
    }

    /// Whether a statement's account field names `account`: the same digits (banks write
    /// `001-19-99999`), or `account` as one word of it (`BRINIDJA/0011999999`, `0011999999 IDR`).
    static func isSameAccount(_ field: String, _ account: String) -> Bool {
        let digits = ReferenceText.digits(account)
        if ReferenceText.digits(field) == digits { return true }
        return ReferenceText.tokens(in: field, minimumLength: 1).contains(ReferenceText.normalized(account))
    }

    /// The statement number as stored: MT940 `:28C:00001/001` and camt.053 `ElctrncSeqNb` 1 are
    /// both `1/1` (statement 1, page 1), so one statement is one statement in either format;
    /// anything that is not numbers is kept as written.
    static func sequenceKey(_ sequence: String?) -> String {
        guard let sequence, !sequence.isEmpty else { return "" }
        let parts = sequence.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }) else {
            return sequence
        }
        func number(_ digits: Substring) -> String {
            let trimmed = digits.drop { $0 == "0" }
            return trimmed.isEmpty ? "0" : String(trimmed)
        }
        return number(parts[0]) + "/" + (parts.count == 2 ? number(parts[1]) : "1")
    }

    /// The statements as the store keeps them, each with its content hash. Hands each statement's
    /// lines over rather than copying them, so a large file is not held twice.
    /// Every statement must have its opening balance by now: from the file, or derived.
    package consuming func records(sourceFile: String) -> [StatementRecord] {
        precondition(openingsNeeded.isEmpty, "deriveOpenings(from:) before records(sourceFile:)")
        var records: [StatementRecord] = []
        for index in statements.indices {
            let taken = lines[index]
            lines[index] = []
            records.append(record(statements[index], lines: taken, sourceFile: sourceFile, derivedFrom: derivedOpenings[index]))
        }
        return records
    }

    private func record(_ statement: Statement, lines: [StatementLine], sourceFile: String, derivedFrom: String?) -> StatementRecord {
        var record = StatementRecord(
            accountNo: statement.accountNo, statementId: statement.statementId, sequence: StatementFile.sequenceKey(statement.sequence),
            contentHash: "", format: statement.format.rawValue, currency: statement.currency,
            openingBalanceSen: statement.openingBalanceSen, closingBalanceSen: statement.closingBalanceSen,
            openingDate: statement.openingDate, closingDate: statement.closingDate,
            sourceFile: sourceFile, sourceLine: statement.sourceLine, fileSHA256: sha256, lines: lines)
        record.openingDerivedFrom = derivedFrom
        record.csvReadingKey = csvReadingKey
        record.contentHash = StatementFingerprint.contentHash(of: record)
        return record
    }
}
