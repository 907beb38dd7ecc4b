internal import SalurCore

extension Statement {
    /// Checks that opening + booked credits − booked debits = closing, to the sen. Pending entries
    /// do not count. A statement without an opening balance (`hasOpeningBalance` false) cannot be
    /// checked: derive its opening balance first.
    ///
    /// All arithmetic is overflow-checked `Sen`; an overflow is reported, never wrapped.
    public func checkBalance() throws(StatementBalanceError) {
        var credits = Sen.zero, debits = Sen.zero
        let problem: StatementBalanceError.Problem
        do throws(MoneyError) {
            for entry in entries where entry.status == .booked {
                switch entry.direction {
                case .credit: credits = try credits.adding(entry.amountSen)
                case .debit: debits = try debits.adding(entry.amountSen)
                }
            }
            let computed = try openingBalanceSen.adding(credits).subtracting(debits)
            if computed == closingBalanceSen { return }
            problem = .mismatch(credits: credits, debits: debits, computedClosing: computed,
                                difference: try closingBalanceSen.subtracting(computed))
        } catch {
            problem = .overflow(error.description)
        }
        throw StatementBalanceError(statement: self, problem: problem)
    }
}
