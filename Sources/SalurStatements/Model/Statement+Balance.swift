internal import SalurCore

extension Statement {
    /// Checks that opening + booked credits − booked debits = closing. Pending entries do not count.
    ///
    /// All arithmetic is overflow-checked `Rupiah`; an overflow is reported, never wrapped.
    public func checkBalance() throws(StatementBalanceError) {
        var credits = Rupiah.zero, debits = Rupiah.zero
        let problem: StatementBalanceError.Problem
        do throws(MoneyError) {
            for entry in entries where entry.status == .booked {
                switch entry.direction {
                case .credit: credits = try credits.adding(entry.amount)
                case .debit: debits = try debits.adding(entry.amount)
                }
            }
            let computed = try openingBalance.adding(credits).subtracting(debits)
            if computed == closingBalance { return }
            problem = .mismatch(credits: credits, debits: debits, computedClosing: computed,
                                difference: try closingBalance.subtracting(computed))
        } catch {
            problem = .overflow(error.description)
        }
        throw StatementBalanceError(statement: self, problem: problem)
    }
}
