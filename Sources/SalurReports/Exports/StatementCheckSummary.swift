package import SalurStore

extension StatementCheckExport {
    /// Control totals of the statements checked: counts and amounts of credits, debits and how
    /// the debits reconcile, and the statements that do not balance or do not follow on; the
    /// summary sheet of `export statement-check --format xlsx`.
    package static func summary(_ checks: [StatementCheck]) -> ExportTable {
        var table = ExportTable(columns: ["section", "key", "count", "amount"])
        func add(_ section: String, _ key: String, _ count: Int, _ amount: Int64?) {
            table.rows.append([.text(section), .text(key), .integer(Int64(count)), .optional(amount)])
        }
        add("statements", "all", checks.count, nil)
        add("statements", "not_balanced", checks.filter { !$0.balanced }.count, nil)
        let gaps = checks.filter { ($0.gapFromPrevious ?? 0) != 0 }
        add("statements", "gap_from_previous", gaps.count, gaps.reduce(0) { $0 &+ ($1.gapFromPrevious ?? 0) })
        add("credits", "all", checks.reduce(0) { $0 + $1.creditCount }, checks.reduce(0) { $0 &+ $1.creditTotal })
        add("debits", "all", checks.reduce(0) { $0 + $1.debitCount }, checks.reduce(0) { $0 &+ $1.debitTotal })
        add("debits", "matched", checks.reduce(0) { $0 + $1.matchedDebits }, checks.reduce(0) { $0 &+ $1.matchedAmount })
        add("debits", "unmatched", checks.reduce(0) { $0 + $1.unmatchedDebits }, checks.reduce(0) { $0 &+ $1.unmatchedAmount })
        add("debits", "weak", checks.reduce(0) { $0 + $1.weakDebits }, nil)
        add("debits", "duplicate", checks.reduce(0) { $0 + $1.duplicateDebits }, nil)
        add("returns", "all", checks.reduce(0) { $0 + $1.returns }, nil)
        add("exceptions", "open", checks.reduce(0) { $0 + $1.openExceptions }, nil)
        return table
    }
}
