import SalurCore
package import SalurStore

/// `salurctl export reconciliation`: one row per transfer with the statement entry that pays it,
/// and a summary of counts and control totals.
package enum ReconciliationExport {
    /// The posting issue's columns (a contract: scripts read them by position), then what the
    /// statements say.
    package static let columns = [
        "transfer_id", "partner_reference_no", "external_id", "bank_reference_no", "batch_id", "program", "period", "nik", "name",
        "account_no", "amount", "state", "attempts", "settled_at", "failure_code",
        "statement_id", "statement_sequence", "statement_line", "entry_value_date", "entry_bank_reference", "entry_amount",
        "match_kind", "duplicate_debits", "open_exceptions", "recipient_flag",
    ]

    /// The transfer rows.
    package static func table(_ transfers: [ReconciledTransfer]) -> ExportTable {
        ExportTable(columns: columns, rows: rows(transfers))
    }

    /// The rows of these transfers (a table's, or a chunk's when the export is written as it is read).
    package static func rows(_ transfers: [ReconciledTransfer]) -> [[ExportValue]] {
        transfers.map { row in
            let r = row.transfer
            return [
                .integer(r.transferID), .text(r.partnerReferenceNo), .optional(r.externalID), .optional(r.bankReferenceNo),
                .optional(r.batchID), .text(r.program), .text(r.period), .optional(r.nik), .text(r.name), .text(r.accountNo),
                .integer(r.amount.value), .text(r.state), .integer(Int64(r.attempts)), .optional(r.settledAt), .optional(r.failureCode),
                .optional(row.entry?.statementId), .optional(row.entry?.sequence), .optional(row.entry?.line),
                .optional(row.entry?.valueDate), .optional(row.entry?.bankReference), row.entry.map { ExportValue.amount($0.amountSen) } ?? .null,
                .optional(row.matchKind), .integer(Int64(row.duplicates)), .optional(row.openExceptions.joined(separator: " ")),
                .flag(row.recipientFlagged),
            ]
        }
    }

    /// Counts and control totals: per state, per match kind, per open exception kind, and overall.
    package static func summary(_ transfers: [ReconciledTransfer]) -> ExportTable {
        var summary = ReconciliationSummary()
        summary.add(transfers)
        return summary.table
    }
}

/// The reconciliation export's counts and control totals, added up chunk by chunk as the rows are
/// written: the table `ReconciliationExport.summary` gives for all of them.
package struct ReconciliationSummary: Sendable {
    private var byState: [String: (Int, Int64)] = [:]
    private var byMatch: [String: (Int, Int64)] = [:]
    private var byException: [String: (Int, Int64)] = [:]
    private var total = (0, Int64(0))

    package init() {}

    /// How many transfers so far.
    package var count: Int { total.0 }

    package mutating func add(_ transfers: [ReconciledTransfer]) {
        for row in transfers {
            let amount = row.transfer.amount.value
            func add(_ table: inout [String: (Int, Int64)], _ key: String) {
                let now = table[key] ?? (0, 0)
                table[key] = (now.0 + 1, now.1 &+ amount)
            }
            add(&byState, row.transfer.state)
            if row.transfer.state == "settled" || row.transfer.state == "returned" {
                add(&byMatch, row.matchKind.isEmpty ? "not_on_statement" : row.matchKind)
            }
            for kind in row.openExceptions { add(&byException, kind) }
            total = (total.0 + 1, total.1 &+ amount)
        }
    }

    /// Per state, per match kind, per open exception kind (each by key), and overall.
    package var table: ExportTable {
        var table = ExportTable(columns: ["section", "key", "count", "amount"])
        for (section, values) in [("state", byState), ("match", byMatch), ("exception", byException)] {
            for (key, value) in values.sorted(by: { $0.key < $1.key }) {
                table.rows.append([.text(section), .text(key), .integer(Int64(value.0)), .integer(value.1)])
            }
        }
        table.rows.append([.text("total"), .text("transfers"), .integer(Int64(total.0)), .integer(total.1)])
        return table
    }
}

/// `salurctl export statement-check`: each stored statement, its balances, whether it follows on
/// from the previous one, and how its debits reconcile.
package enum StatementCheckExport {
    package static let columns = [
        "account_no", "statement_id", "sequence", "format", "opening_date", "closing_date", "opening_balance", "credit_count",
        "credit_total", "debit_count", "debit_total", "closing_balance", "balanced", "gap_from_previous", "matched_debits",
        "matched_amount", "weak_debits", "duplicate_debits", "unmatched_debits", "unmatched_amount", "returns", "open_exceptions",
        "source_file", "file_sha256", "imported_by", "imported_at",
    ] + BankItemKind.allCases.flatMap { ["\($0.rawValue)_count", "\($0.rawValue)_amount"] } + ["opening_derived_from"]

    /// Amounts are whole rupiah, or rupiah and sen (`12345.67`) where the statement has sen; the
    /// bank's own items (interest, tax on it, fees) follow per kind, then where a derived opening
    /// balance came from.
    package static func table(_ checks: [StatementCheck]) -> ExportTable {
        ExportTable(columns: columns, rows: checks.map { c in
            let x = c.exact
            var row: [ExportValue] = [
                .text(c.accountNo), .text(c.statementId), .optional(c.sequence), .text(c.format), .text(c.openingDate),
                .text(c.closingDate), .amount(x.openingBalance), .integer(Int64(c.creditCount)), .amount(x.creditTotal),
                .integer(Int64(c.debitCount)), .amount(x.debitTotal), .amount(x.closingBalance), .flag(c.balanced),
                x.gapFromPrevious.map(ExportValue.amount) ?? .null, .integer(Int64(c.matchedDebits)), .amount(x.matchedAmount),
                .integer(Int64(c.weakDebits)), .integer(Int64(c.duplicateDebits)), .integer(Int64(c.unmatchedDebits)),
                .amount(x.unmatchedAmount), .integer(Int64(c.returns)), .integer(Int64(c.openExceptions)), .text(c.sourceFile),
                .text(c.fileSHA256), .text(c.importedBy), .text(c.importedAt),
            ]
            for kind in BankItemKind.allCases {
                let total = c.bankItems[kind.rawValue] ?? BankItemTotal()
                row += [.integer(Int64(total.count)), .amount(Sen(total.amountSen))]
            }
            row.append(.optional(c.openingDerivedFrom))
            return row
        })
    }
}

/// `salurctl export batch ID`: per-batch proof of payment, the document a treasury attaches to
/// its accountability report (laporan pertanggungjawaban). Accounts and NIKs are masked.
package enum BatchProofExport {
    package static let columns = [
        "batch_id", "program", "period", "line", "partner_reference_no", "bank_reference_no", "paid_at", "amount", "account_masked",
        "name", "nik_masked", "state", "statement_id", "statement_line", "entry_value_date", "match_kind",
    ]

    package static let headerColumns = [
        "batch_id", "program", "period", "state", "approved_by", "approved_at", "items", "amount", "settled_count", "settled_amount",
        "on_statement_count", "on_statement_amount",
    ]

    /// The lines, with `paid_at` in the bank's time zone.
    package static func table(batch: BatchSummary, transfers: [ReconciledTransfer], utcOffsetHours: Int) -> ExportTable {
        ExportTable(columns: columns, rows: rows(batch: batch, transfers: transfers, firstLine: 1, utcOffsetHours: utcOffsetHours))
    }

    /// The lines of these transfers, numbered from `firstLine` (a chunk's, when the proof is written
    /// as it is read).
    package static func rows(batch: BatchSummary, transfers: [ReconciledTransfer], firstLine: Int, utcOffsetHours: Int) -> [[ExportValue]] {
        transfers.enumerated().map { index, row in
            let r = row.transfer
            let paid = r.state == "settled" || r.state == "returned"
            return [
                .text(batch.id), .text(batch.program), .text(batch.period), .integer(Int64(firstLine + index)), .text(r.partnerReferenceNo),
                .optional(paid ? r.bankReferenceNo : nil), .optional(paid ? BankTime.local(r.settledAt, utcOffsetHours: utcOffsetHours) : nil),
                .integer(r.amount.value), .text(AccountMask.mask(r.accountNo)), .text(r.name), .optional(AccountMask.maskNIK(r.nik)),
                .text(r.state), .optional(row.entry?.statementId), .optional(row.entry?.line), .optional(row.entry?.valueDate),
                .optional(row.matchKind),
            ]
        }
    }

    /// The batch's header row: who approved it, and its paid and reconciled totals.
    package static func header(batch: BatchSummary, transfers: [ReconciledTransfer]) -> ExportTable {
        var totals = BatchProofTotals()
        totals.add(transfers)
        return header(batch: batch, totals: totals)
    }

    /// The header row from totals added up as the lines were written.
    package static func header(batch: BatchSummary, totals: BatchProofTotals) -> ExportTable {
        ExportTable(columns: headerColumns, rows: [[
            .text(batch.id), .text(batch.program), .text(batch.period), .text(batch.state), .optional(batch.approvedBy),
            .optional(batch.approvedAt), .integer(Int64(batch.itemCount)), .integer(batch.amount.value), .integer(Int64(totals.settled.count)),
            .integer(totals.settled.amount), .integer(Int64(totals.onStatement.count)), .integer(totals.onStatement.amount),
        ]])
    }

    /// `{"batch": {…}, "lines": [ … ]}`.
    package static func json(header: ExportTable, lines: ExportTable) -> [UInt8] {
        var out = jsonEnvelope(header: header).prefix
        out += lines.json()
        out.removeLast() // the array's newline, so the object closes on its line
        return out + jsonEnvelope(header: header).suffix
    }

    /// What comes before the lines' JSON array (`{"batch": {…},\n"lines": `) and after it once its
    /// last newline is dropped (`\n}\n`).
    package static func jsonEnvelope(header: ExportTable) -> (prefix: [UInt8], suffix: [UInt8]) {
        (Array("{\"batch\": ".utf8) + header.jsonObject(header.rows[0]) + Array(",\n\"lines\": ".utf8), Array("\n}\n".utf8))
    }
}

/// A batch proof's counts and amounts, added up chunk by chunk: every line, those paid (settled or
/// returned), and those paid and on a bank statement.
package struct BatchProofTotals: Sendable {
    package private(set) var all = (count: 0, amount: Int64(0))
    package private(set) var settled = (count: 0, amount: Int64(0))
    package private(set) var onStatement = (count: 0, amount: Int64(0))

    package init() {}

    package mutating func add(_ transfers: [ReconciledTransfer]) {
        for row in transfers {
            let amount = row.transfer.amount.value
            all = (all.count + 1, all.amount &+ amount)
            guard row.transfer.state == "settled" || row.transfer.state == "returned" else { continue }
            settled = (settled.count + 1, settled.amount &+ amount)
            if row.entry != nil { onStatement = (onStatement.count + 1, onStatement.amount &+ amount) }
        }
    }
}
