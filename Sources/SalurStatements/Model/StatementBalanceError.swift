public import SalurCore

/// A statement whose balances do not add up: `FILE:LINE: statement ID (account N): …`.
public struct StatementBalanceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public enum Problem: Sendable, Hashable {
        /// opening + credits − debits is `computedClosing`, which is `difference` less than the
        /// stated closing balance (`difference` = closing − computed, signed).
        case mismatch(credits: Sen, debits: Sen, computedClosing: Sen, difference: Sen)
        /// The sums do not fit 64-bit sen.
        case overflow(String)
    }

    /// The file the statement was read from.
    public let file: String
    /// Where the statement starts in it.
    public let line: Int
    /// The statement's id (MT940 `:20:`, camt `Stmt/Id`).
    public let statementId: String
    /// Its account.
    public let accountNo: String
    /// Stated opening balance.
    public let openingBalance: Sen
    /// Stated closing balance.
    public let closingBalance: Sen
    /// What is wrong.
    public let problem: Problem

    init(statement: Statement, problem: Problem) {
        file = statement.sourceFile
        line = statement.sourceLine
        statementId = statement.statementId
        accountNo = statement.accountNo
        openingBalance = statement.openingBalanceSen
        closingBalance = statement.closingBalanceSen
        self.problem = problem
    }

    /// The signed difference closing − (opening + credits − debits) in sen, when the sums fit.
    public var difference: Sen? {
        if case .mismatch(_, _, _, let difference) = problem { return difference }
        return nil
    }

    /// `FILE:LINE: statement ID (account N): balances do not add up: … off by +500 rupiah …` (`+0.67` when sen)
    public var description: String {
        let head = "\(file.isEmpty ? "<statement>" : file):\(line): statement \(statementId.isEmpty ? "(no id)" : statementId) (account \(accountNo))"
        switch problem {
        case .mismatch(let credits, let debits, let computed, let difference):
            return head + ": balances do not add up: opening \(openingBalance) + credits \(credits) − debits \(debits) = \(computed), "
                + "but the closing balance is \(closingBalance); off by \(difference.value > 0 ? "+" : "")\(difference.plain) rupiah "
                + "(closing − computed). Check for a missing or duplicated entry, or a partial file."
        case .overflow(let detail):
            return head + ": balances cannot be checked: \(detail)"
        }
    }
}
