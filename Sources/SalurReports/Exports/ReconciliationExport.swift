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
        ExportTable(columns: columns, rows: transfers.map { row in
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
        })
    }

    /// Counts and control totals: per state, per match kind, per open exception kind, and overall.
    package static func summary(_ transfers: [ReconciledTransfer]) -> ExportTable {
        var byState: [String: (Int, Int64)] = [:]
        var byMatch: [String: (Int, Int64)] = [:]
        var byException: [String: (Int, Int64)] = [:]
        var total = (0, Int64(0))
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
        ExportTable(columns: columns, rows: transfers.enumerated().map { index, row in
            let r = row.transfer
            let paid = r.state == "settled" || r.state == "returned"
            return [
                .text(batch.id), .text(batch.program), .text(batch.period), .integer(Int64(index + 1)), .text(r.partnerReferenceNo),
                .optional(paid ? r.bankReferenceNo : nil), .optional(paid ? BankTime.local(r.settledAt, utcOffsetHours: utcOffsetHours) : nil),
                .integer(r.amount.value), .text(AccountMask.mask(r.accountNo)), .text(r.name), .optional(AccountMask.maskNIK(r.nik)),
                .text(r.state), .optional(row.entry?.statementId), .optional(row.entry?.line), .optional(row.entry?.valueDate),
                .optional(row.matchKind),
            ]
        })
    }

    /// The batch's header row: who approved it, and its paid and reconciled totals.
    package static func header(batch: BatchSummary, transfers: [ReconciledTransfer]) -> ExportTable {
        var settled = (0, Int64(0)), onStatement = (0, Int64(0))
        for row in transfers where row.transfer.state == "settled" || row.transfer.state == "returned" {
            settled = (settled.0 + 1, settled.1 &+ row.transfer.amount.value)
            if row.entry != nil { onStatement = (onStatement.0 + 1, onStatement.1 &+ row.transfer.amount.value) }
        }
        return ExportTable(columns: headerColumns, rows: [[
            .text(batch.id), .text(batch.program), .text(batch.period), .text(batch.state), .optional(batch.approvedBy),
            .optional(batch.approvedAt), .integer(Int64(batch.itemCount)), .integer(batch.amount.value), .integer(Int64(settled.0)),
            .integer(settled.1), .integer(Int64(onStatement.0)), .integer(onStatement.1),
        ]])
    }

    /// `{"batch": {…}, "lines": [ … ]}`.
    package static func json(header: ExportTable, lines: ExportTable) -> [UInt8] {
        var out = Array("{\"batch\": ".utf8)
        out += header.jsonObject(header.rows[0])
        out += Array(",\n\"lines\": ".utf8)
        out += lines.json()
        out.removeLast() // the array's newline, so the object closes on its line
        out += Array("\n}\n".utf8)
        return out
    }
}
