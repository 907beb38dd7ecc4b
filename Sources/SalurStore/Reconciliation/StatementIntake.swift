package import SalurCore

/// What storing a statement decides and computes apart from the SQL — once, here, for both stores.
extension StatementRecord {
    /// Another version of the same statement: the account, the bank's number, the sequence and the
    /// period agree (whatever the entries and balances).
    package func isOtherVersion(of other: StatementRecord) -> Bool {
        accountNo == other.accountNo && statementId == other.statementId && sequence == other.sequence
            && openingDate == other.openingDate && closingDate == other.closingDate
    }

    /// The booked debits and credits: how many, and their totals in sen (an overflow is refused).
    package func bookedTotals() throws -> (debits: (count: Int, total: Sen), credits: (count: Int, total: Sen)) {
        var debits = (count: 0, total: Sen.zero), credits = (count: 0, total: Sen.zero)
        for line in lines where line.isBooked {
            if line.isDebit {
                debits = (debits.count + 1, try debits.total.adding(line.amountSen))
            } else {
                credits = (credits.count + 1, try credits.total.adding(line.amountSen))
            }
        }
        return (debits, credits)
    }

    /// The audit row's details when this statement is stored from `file`.
    package func auditDetails(file: SourceFile) -> [String: String] {
        var details = [
            "file_sha256": file.sha256, "account": accountNo, "statement_id": statementId,
            "sequence": sequence, "content_sha256": contentHash,
            "period": "\(openingDate)..\(closingDate)", "entries": String(lines.count),
            "opening": openingBalanceSen.plain, "closing": closingBalanceSen.plain,
        ]
        if let openingDerivedFrom { details["opening_derived_from"] = openingDerivedFrom }
        return details
    }
}

extension StatementRefusal {
    /// The store holds another version of this statement, imported from `file` by `by` at `at`.
    package static func otherVersionStored(_ record: StatementRecord, file: String, by: String, at: String) -> StatementRefusal {
        StatementRefusal(file: record.sourceFile, line: record.sourceLine, reason: """
            statement \(record.statementId)\(record.sequence.isEmpty ? "" : " sequence \(record.sequence)") of account \
            \(record.accountNo) for \(record.openingDate)…\(record.closingDate) was already imported from \
            \(file) by \(by) at \(at), \
            with different entries or balances; nothing was stored. Ask the bank which one is right; two versions of \
            one statement are never both counted.
            """)
    }

    /// Refuses statements whose entries would take the amounts of all stored entries past
    /// `Rupiah.ledgerLimit`, so that no total a report makes of them (SQL `sum()` included) can wrap.
    /// `stored` is the sum of every entry already stored; the first statement that would pass is named.
    package static func checkLedgerTotal(stored: Rupiah, adding records: [StatementRecord]) throws {
        var total = stored
        for record in records {
            for line in record.lines {
                guard let next = try? total.adding(line.amount), next <= Rupiah.ledgerLimit else {
                    throw StatementRefusal(file: record.sourceFile, line: record.sourceLine, reason: """
                        the entries of statement \(record.statementId) would take the amounts of all stored statement entries past \
                        \(Rupiah.ledgerLimit); no treasury's account moves that much: check the file; nothing was stored
                        """)
                }
                total = next
            }
        }
    }

    /// The same file gives another version of this statement at `line`.
    package static func otherVersionInFile(_ record: StatementRecord, alsoAt line: Int) -> StatementRefusal {
        StatementRefusal(file: record.sourceFile, line: record.sourceLine, reason: """
            statement \(record.statementId) of account \(record.accountNo) for \(record.openingDate)…\(record.closingDate) \
            appears twice in the file (also at line \(line)) with different entries or balances; \
            nothing was stored
            """)
    }
}
