package import SalurStore
import SalurCore

extension StatementCheckExport {
    /// Control totals of the statements checked, to the sen: counts and amounts of credits, debits
    /// and how the debits reconcile, the bank's own items per kind, and the statements that do not
    /// balance or do not follow on; the summary sheet of `export statement-check --format xlsx`.
    package static func summary(_ checks: [StatementCheck]) -> ExportTable {
        var table = ExportTable(columns: ["section", "key", "count", "amount"])
        func add(_ section: String, _ key: String, _ count: Int, _ sen: Int64?) {
            table.rows.append([.text(section), .text(key), .integer(Int64(count)), sen.map { .amount(Sen($0)) } ?? .null])
        }
        func total(_ amount: (StatementCheck) -> Sen) -> Int64 { checks.reduce(0) { $0 &+ amount($1).value } }
        add("statements", "all", checks.count, nil)
        add("statements", "not_balanced", checks.filter { !$0.balanced }.count, nil)
        let gaps = checks.filter { ($0.exact.gapFromPrevious ?? .zero) != .zero }
        add("statements", "gap_from_previous", gaps.count, gaps.reduce(0) { $0 &+ ($1.exact.gapFromPrevious ?? .zero).value })
        add("statements", "opening_derived", checks.filter { $0.openingDerivedFrom != nil }.count, nil)
        add("credits", "all", checks.reduce(0) { $0 + $1.creditCount }, total(\.exact.creditTotal))
        add("debits", "all", checks.reduce(0) { $0 + $1.debitCount }, total(\.exact.debitTotal))
        add("debits", "matched", checks.reduce(0) { $0 + $1.matchedDebits }, total(\.exact.matchedAmount))
        add("debits", "unmatched", checks.reduce(0) { $0 + $1.unmatchedDebits }, total(\.exact.unmatchedAmount))
        add("debits", "weak", checks.reduce(0) { $0 + $1.weakDebits }, nil)
        add("debits", "duplicate", checks.reduce(0) { $0 + $1.duplicateDebits }, nil)
        for kind in BankItemKind.allCases {
            let items = checks.map { $0.bankItems[kind.rawValue] ?? BankItemTotal() }
            add("bank_items", kind.rawValue, items.reduce(0) { $0 + $1.count }, items.reduce(0) { $0 &+ $1.amountSen })
        }
        add("returns", "all", checks.reduce(0) { $0 + $1.returns }, nil)
        add("exceptions", "open", checks.reduce(0) { $0 + $1.openExceptions }, nil)
        return table
    }
}
