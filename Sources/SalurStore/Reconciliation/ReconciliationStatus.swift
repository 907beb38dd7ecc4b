package import SalurCore

/// `salurctl reconcile status`: how far the statements account for the transfers, and the reverse.
package struct ReconciliationStatus: Sendable, Codable, Equatable {
    /// The month (in the bank's time zone) the figures are for; nil for all time.
    package var period: String?
    /// Settled (or returned) transfers found on a statement.
    package var matched = 0
    package var matchedAmount: Int64 = 0
    /// Of those, found only by amount, account and day.
    package var matchedWeak = 0
    /// Settled (or returned) transfers on no statement yet.
    package var unmatched = 0
    package var unmatchedAmount: Int64 = 0
    /// Open exceptions by kind (every kind present, zero when none).
    package var exceptions: [String: Int] = [:]
    package var exceptionAmounts: [String: Int64] = [:]
    /// Resolved exceptions by kind.
    package var resolved: [String: Int] = [:]
    /// Statements stored whose dates touch the period, and their booked debits.
    package var statements = 0
    package var statementDebits = 0
    package var statementDebitAmount: Int64 = 0
    /// The bank's own items (interest, tax on it, fees) booked in the period (by value date), by
    /// kind: how many and their total in sen. Every kind is present, zero when none.
    package var bankItems: [String: BankItemTotal] = [:]
    /// Recipients flagged by a return (open `returned` exceptions).
    package var flaggedRecipients = 0

    package init() {}

    enum CodingKeys: String, CodingKey {
        case period, matched, unmatched, exceptions, resolved, statements
        case matchedAmount = "matched_amount", matchedWeak = "matched_weak", unmatchedAmount = "unmatched_amount"
        case exceptionAmounts = "exception_amounts", statementDebits = "statement_debits"
        case statementDebitAmount = "statement_debit_amount", flaggedRecipients = "flagged_recipients"
        case bankItems = "bank_items"
    }

    /// The bank items per kind of a period (`month` the placeholder binding `YYYY-MM`, nil for all
    /// time), in the SQL both stores speak: kind, count, total in sen.
    package static func bankItemsSQL(month placeholder: String?) -> String {
        """
        SELECT bank_item, count(*), CAST(coalesce(sum(amount * 100 + amount_sen_part), 0) AS BIGINT) FROM statement_entry
        WHERE status = 'booked' AND bank_item IS NOT NULL\(placeholder.map { " AND substr(value_date, 1, 7) = \($0)" } ?? "")
        GROUP BY bank_item
        """
    }

    /// Takes the figures a reconciliation run kept (`ReconciliationBasis.Figures`) for `period`
    /// (nil: all time): matched and unmatched transfers, statement debits and bank items.
    package mutating func setKept(_ figures: ReconciliationBasis.Figures, period: Period?) {
        let month = period?.description ?? ""
        let kept = figures.status[month] ?? ReconciliationBasis.StatusFigures()
        matched = kept.matched
        matchedAmount = kept.matchedAmount
        matchedWeak = kept.matchedWeak
        unmatched = kept.unmatched
        unmatchedAmount = kept.unmatchedAmount
        statementDebits = kept.debits
        statementDebitAmount = kept.debitAmount
        var totals: [String: BankItemTotal] = [:]
        for (itemMonth, kinds) in figures.bankItems where period == nil || itemMonth == month {
            for (kind, total) in kinds {
                totals[kind, default: BankItemTotal()].count += total.count
                totals[kind, default: BankItemTotal()].amountSen += total.amountSen
            }
        }
        setBankItems(totals.map { (kind: $0.key, count: $0.value.count, sen: $0.value.amountSen) })
    }

    /// Records the rows of `bankItemsSQL`, every kind present.
    package mutating func setBankItems(_ rows: [(kind: String, count: Int, sen: Int64)]) {
        for kind in BankItemKind.allCases { bankItems[kind.rawValue] = BankItemTotal() }
        for row in rows { bankItems[row.kind] = BankItemTotal(count: row.count, amountSen: row.sen) }
    }
}

/// One exception as listed.
package struct ReconciliationException: Sendable, Codable, Equatable {
    package let id: Int64
    package let kind: String
    package let state: String
    package let amount: Int64
    package let day: String
    package let evidence: String
    package let transferID: Int64?
    package let partnerReferenceNo: String?
    package let transferState: String?
    package let nik: String?
    package let name: String?
    package let entryID: Int64?
    package let statementId: String?
    package let statementLine: Int?
    package let detectedAt: String
    package let resolvedBy: String?
    package let resolvedAt: String?
    package let resolution: String?
    package let clearedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, kind, state, amount, day, evidence, nik, name, resolution
        case transferID = "transfer_id", partnerReferenceNo = "partner_reference_no", transferState = "transfer_state"
        case entryID = "entry_id", statementId = "statement_id", statementLine = "statement_line", detectedAt = "detected_at"
        case resolvedBy = "resolved_by", resolvedAt = "resolved_at", clearedAt = "cleared_at"
    }
}

/// Which exceptions `reconcile exceptions` lists.
package struct ExceptionFilter: Sendable {
    /// nil: open ones only.
    package var states: Set<String>?
    package var kind: String?
    /// `YYYY-MM`, on the exception's day.
    package var period: String?

    package init(states: Set<String>? = nil, kind: String? = nil, period: String? = nil) {
        self.states = states
        self.kind = kind
        self.period = period
    }
}

/// A recipient whose payment came back: the operator must check the account and pay again or not.
package struct FlaggedRecipient: Sendable, Codable, Equatable {
    package let exceptionID: Int64
    package let recipientID: Int64?
    package let nik: String?
    package let name: String
    package let accountNo: String
    package let transferID: Int64
    package let partnerReferenceNo: String
    package let amount: Int64
    package let returnedOn: String
    package let evidence: String

    enum CodingKeys: String, CodingKey {
        case nik, name, amount, evidence
        case exceptionID = "exception_id", recipientID = "recipient_id", accountNo = "account_no", transferID = "transfer_id"
        case partnerReferenceNo = "partner_reference_no", returnedOn = "returned_on"
    }
}

extension ReconciliationException {
    /// Resolving needs the operator's reason.
    package static let reasonMissing = "give a reason: what was checked, and what was done"

    /// Resolving an exception the store does not have.
    package static func notFound(id: Int64) -> String { "exception \(id); see salurctl reconcile exceptions --all" }

    /// Resolving an exception already resolved.
    package static func alreadyResolved(id: Int64, by: String?, at: String?) -> String {
        "exception \(id) was already resolved by \(by ?? "?") at \(at ?? "?")"
    }

    /// Resolving an exception whose condition went away by itself.
    package static func alreadyCleared(id: Int64, at: String?) -> String {
        "exception \(id) cleared by itself at \(at ?? "?") (a later statement or settlement explained it); nothing to resolve"
    }
}

/// Which statements a period's figures count: those whose days overlap its month.
package enum StatementPeriod {
    /// The month's first and last day (`YYYY-MM-DD`): a statement counts when it opens on or before
    /// the last and closes on or after the first.
    package static func bounds(_ period: Period) -> (first: String, last: String) {
        ("\(period)-01", "\(period)-\(CalendarDate.days(in: period))")
    }
}
