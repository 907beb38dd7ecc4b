package import SalurCore

/// What storing a run's bank-item classification decides — once, here, for both stores.
package enum BankItemChanges {
    /// The stored entries (the first `previous.count` of `outcome`) whose bank item changed: a
    /// `[reconciliation.bank_items]` rule was added, changed or removed since they were classified.
    package static func changed(previous: [BankItemKind?], _ outcome: ReconciliationOutcome) -> [Int] {
        previous.indices.filter { previous[$0] != outcome.bankItem($0) }
    }

    /// The audit row's details for re-classified entries: how many, and how many moved from one
    /// kind to another (`interest->none`, `none->account_fee`).
    package static func auditDetails(_ changed: [Int], previous: [BankItemKind?], _ outcome: ReconciliationOutcome,
                                     entries: ReconciliationEntries) -> [String: String] {
        var moves: [String: Int] = [:]
        var first: [String] = []
        for index in changed {
            let move = "\(previous[index]?.rawValue ?? "none")->\(outcome.bankItem(index)?.rawValue ?? "none")"
            moves[move, default: 0] += 1
            if first.count < 10 { first.append("E\(entries[index].id)") }
        }
        var details = ["reclassified": String(changed.count), "entries": first.joined(separator: ",") + (changed.count > 10 ? ",…" : "")]
        for (move, count) in moves { details[move] = String(count) }
        return details
    }

    /// The months (`YYYY-MM`, value date) of the booked lines of `records`: the months a run's summary totals.
    /// Read in place: a statement of a million lines is neither copied nor made into a million strings.
    package static func months(of records: [StatementRecord]) -> Set<String> {
        var months: Set<Period> = []
        for record in records {
            for line in record.lines where line.isBooked { months.insert(line.valueDate.period) }
        }
        return Set(months.map(\.description))
    }
}

extension Sen {
    /// The whole-rupiah column and the `_sen_part` column a store keeps an amount in.
    package var columns: (whole: Int64, senPart: Int64) { (value / 100, value % 100) }

    /// The exact amount from a whole-rupiah column and its `_sen_part` column (nil on overflow).
    package init?(whole: Int64, senPart: Int64) {
        let (times100, o1) = whole.multipliedReportingOverflow(by: 100)
        let (sum, o2) = times100.addingReportingOverflow(senPart)
        if o1 || o2 { return nil }
        self.init(sum)
    }
}
