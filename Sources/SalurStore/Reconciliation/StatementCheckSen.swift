package import SalurCore

/// The sen side of `export statement-check`, computed once here for both stores from three plain
/// queries (`StatementCheckSen.statementsSQL`, `debitsSQL`, `bankItemsSQL`), which both dialects run
/// as written.
package enum StatementCheckSen {
    /// Every statement's balances and totals as whole rupiah and sen parts, in the order gaps are
    /// judged in: by account, then closing and opening date.
    package static let statementsSQL = """
        SELECT id, account_no, opening_balance, opening_balance_sen_part, closing_balance, closing_balance_sen_part,
               credit_total, credit_total_sen_part, debit_total, debit_total_sen_part, opening_derived_from
        FROM statement ORDER BY account_no, closing_date, opening_date, id
        """

    /// Per statement: the booked debits paid to a transfer, and those neither matched nor a bank item, in sen.
    package static let debitsSQL = """
        SELECT statement_row,
               CAST(coalesce(sum(CASE WHEN match_kind IN (\(StoreSQL.list(MatchKind.paid))) THEN amount * 100 + amount_sen_part END), 0) AS BIGINT),
               CAST(coalesce(sum(CASE WHEN match_kind IS NULL AND bank_item IS NULL THEN amount * 100 + amount_sen_part END), 0) AS BIGINT)
        FROM statement_entry WHERE status = 'booked' AND direction = 'debit' GROUP BY statement_row
        """

    /// Per statement and kind: the bank's own items, how many and their total in sen.
    package static let bankItemsSQL = """
        SELECT statement_row, bank_item, count(*), CAST(coalesce(sum(amount * 100 + amount_sen_part), 0) AS BIGINT)
        FROM statement_entry WHERE status = 'booked' AND bank_item IS NOT NULL GROUP BY statement_row, bank_item
        """

    /// One row of `statementsSQL`.
    package struct StatementRow: Sendable {
        package var id: Int64
        package var accountNo: String
        package var opening: (Int64, Int64)
        package var closing: (Int64, Int64)
        package var credits: (Int64, Int64)
        package var debits: (Int64, Int64)
        package var openingDerivedFrom: String?

        package init(id: Int64, accountNo: String, opening: (Int64, Int64), closing: (Int64, Int64), credits: (Int64, Int64),
                     debits: (Int64, Int64), openingDerivedFrom: String?) {
            self.id = id
            self.accountNo = accountNo
            self.opening = opening
            self.closing = closing
            self.credits = credits
            self.debits = debits
            self.openingDerivedFrom = openingDerivedFrom
        }
    }

    /// Fills `exact`, `openingDerivedFrom` and `bankItems` of `checks` from the three queries' rows.
    package static func fill(_ checks: inout [StatementCheck], statements: [StatementRow],
                             debits: [Int64: (matched: Int64, unmatched: Int64)],
                             bankItems: [(statement: Int64, kind: String, count: Int, sen: Int64)]) {
        var exact: [Int64: (StatementCheck.ExactAmounts, String?)] = [:]
        var lastClosing: [String: Sen] = [:]
        for row in statements {
            var amounts = StatementCheck.ExactAmounts()
            amounts.openingBalance = Sen(whole: row.opening.0, senPart: row.opening.1) ?? .zero
            amounts.closingBalance = Sen(whole: row.closing.0, senPart: row.closing.1) ?? .zero
            amounts.creditTotal = Sen(whole: row.credits.0, senPart: row.credits.1) ?? .zero
            amounts.debitTotal = Sen(whole: row.debits.0, senPart: row.debits.1) ?? .zero
            amounts.gapFromPrevious = lastClosing[row.accountNo].flatMap { try? amounts.openingBalance.subtracting($0) }
            lastClosing[row.accountNo] = amounts.closingBalance
            amounts.matchedAmount = Sen(debits[row.id]?.matched ?? 0)
            amounts.unmatchedAmount = Sen(debits[row.id]?.unmatched ?? 0)
            exact[row.id] = (amounts, row.openingDerivedFrom)
        }
        var items: [Int64: [String: BankItemTotal]] = [:]
        for item in bankItems { items[item.statement, default: [:]][item.kind] = BankItemTotal(count: item.count, amountSen: item.sen) }
        for index in checks.indices {
            if let (amounts, derived) = exact[checks[index].rowID] {
                checks[index].exact = amounts
                let computed = try? amounts.openingBalance.adding(amounts.creditTotal).subtracting(amounts.debitTotal)
                checks[index].balanced = computed == amounts.closingBalance
                checks[index].openingDerivedFrom = derived
            }
            checks[index].bankItems = items[checks[index].rowID] ?? [:]
        }
    }
}
