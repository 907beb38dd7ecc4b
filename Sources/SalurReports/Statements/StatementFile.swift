import SalurCore
package import SalurStatements
package import SalurStore

/// A bank statement file as `salurctl reconcile` takes it: format detected or given, parsed,
/// every statement's balances checked, its account checked, ready to store.
package struct StatementFile: Sendable {
    /// The statements in the file, balances checked.
    package private(set) var statements: [Statement]
    /// SHA-256 of the file.
    package let sha256: String
    /// The format read.
    package let format: StatementFormat

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
        let statements: [Statement]
        switch format {
        case .mt940:
            statements = try MT940Parser.parse(bytes: bytes, file: file)
        case .camt053:
            statements = try Camt053Parser.parse(bytes: bytes, file: file)
        case .csv:
            guard let csvMapping else {
                throw StatementRefusal(file: file, line: 1, reason: "a CSV statement needs its column mapping: add a [reconciliation.csv] table to the config")
            }
            statements = [try CSVStatementParser(mapping: csvMapping).parse(bytes: bytes, file: file)]
        }
        for statement in statements {
            try statement.checkBalance()
            if let sourceAccount, !StatementFile.isSameAccount(statement.accountNo, sourceAccount) {
                throw StatementRefusal(file: file, line: statement.sourceLine, reason: """
                    statement \(statement.statementId) is for account \(statement.accountNo), not the treasury's source account \
                    \(sourceAccount) (bank.source_account); nothing was stored
                    """)
            }
        }
        self.statements = statements
        self.format = format
        sha256 = AuditChain.sha256Hex(bytes)
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

    /// The statements as the store keeps them, each with its content hash. Consumes the parsed
    /// statements one by one, so a large file is not held twice.
    package consuming func records(sourceFile: String) -> [StatementRecord] {
        var pending = statements
        statements = []
        pending.reverse()
        var records: [StatementRecord] = []
        while let statement = pending.popLast() {
            records.append(record(statement, sourceFile: sourceFile))
        }
        return records
    }

    private func record(_ statement: consuming Statement, sourceFile: String) -> StatementRecord {
        var record = StatementRecord(
            accountNo: statement.accountNo, statementId: statement.statementId, sequence: StatementFile.sequenceKey(statement.sequence),
            contentHash: "", format: statement.format.rawValue, currency: statement.currency, openingBalance: statement.openingBalance,
            closingBalance: statement.closingBalance, openingDate: statement.openingDate, closingDate: statement.closingDate,
            sourceFile: sourceFile, sourceLine: statement.sourceLine, fileSHA256: sha256,
            lines: statement.entries.map { entry in
                StatementLine(valueDate: entry.valueDate, bookingDate: entry.bookingDate, isDebit: entry.direction == .debit,
                              amount: entry.amount, isReversal: entry.isReversal, isBooked: entry.status == .booked,
                              bankReference: entry.bankReference, customerReference: entry.customerReference,
                              counterpartyAccount: entry.counterpartyAccount, counterpartyName: entry.counterpartyName,
                              description: entry.description, line: entry.line)
            })
        record.contentHash = StatementFingerprint.contentHash(of: record)
        return record
    }
}
