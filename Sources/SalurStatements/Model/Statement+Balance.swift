public import SalurCore

/// A statement's booked credits and debits, summed as its entries are read, so that its balances
/// can be checked without keeping the entries. Pending entries do not count.
public struct StatementTally: Sendable, Hashable {
    public private(set) var credits = Sen.zero
    public private(set) var debits = Sen.zero
    /// The first sum that did not fit 64-bit sen: the statement cannot be checked.
    public private(set) var overflow: String?

    public init() {}

    /// Adds `entry` when it is booked.
    public mutating func add(_ entry: StatementEntry) {
        guard entry.status == .booked, overflow == nil else { return }
        do throws(MoneyError) {
            switch entry.direction {
            case .credit: credits = try credits.adding(entry.amountSen)
            case .debit: debits = try debits.adding(entry.amountSen)
            }
        } catch {
            overflow = error.description
        }
    }
}

extension Statement {
    /// Checks that opening + booked credits − booked debits = closing, to the sen. Pending entries
    /// do not count. A statement without an opening balance (`hasOpeningBalance` false) cannot be
    /// checked: derive its opening balance first.
    ///
    /// All arithmetic is overflow-checked `Sen`; an overflow is reported, never wrapped.
    public func checkBalance() throws(StatementBalanceError) {
        var tally = StatementTally()
        for entry in entries { tally.add(entry) }
        try checkBalance(tally)
    }

    /// `checkBalance()` with the booked entries already summed in `tally` (the entries themselves
    /// may be gone: `MT940Parser.Stream`).
    public func checkBalance(_ tally: StatementTally) throws(StatementBalanceError) {
        let problem: StatementBalanceError.Problem
        if let overflow = tally.overflow {
            problem = .overflow(overflow)
        } else {
            do throws(MoneyError) {
                let computed = try openingBalanceSen.adding(tally.credits).subtracting(tally.debits)
                if computed == closingBalanceSen { return }
                problem = .mismatch(credits: tally.credits, debits: tally.debits, computedClosing: computed,
                                    difference: try closingBalanceSen.subtracting(computed))
            } catch {
                problem = .overflow(error.description)
            }
        }
        throw StatementBalanceError(statement: self, problem: problem)
    }
}
