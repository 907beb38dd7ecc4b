package import SalurCore

/// A recipient as queueing a one-off payment needs it.
package struct Payee: Sendable {
    package let id: Int64
    package let name: String
    package let openingState: String
    package let account: String?
    package let accountCheck: String?

    package init(id: Int64, name: String, openingState: String, account: String?, accountCheck: String?) {
        self.id = id
        self.name = name
        self.openingState = openingState
        self.account = account
        self.accountCheck = accountCheck
    }
}

/// What one line of a payments file comes to.
package enum QueueDecision {
    case queue(NewTransfer)
    case refused(ImportIssue)
}

extension TransferFile.Row {
    /// The transfer this line of a payments file asks for, or why it cannot be queued (by file, line
    /// and field) — the same rules whichever store looks the recipient up.
    package func transfer(to payee: Payee?, source: SourceFile, rules: BatchingRules) -> QueueDecision {
        guard let payee else {
            return .refused(ImportIssue(file: source.path, line: line, field: "nik", reason: "unknown NIK: not an imported recipient"))
        }
        guard payee.openingState == "opened", let account = payee.account else {
            return .refused(ImportIssue(file: source.path, line: line, field: "nik",
                                        reason: "recipient has no opened account (state \(payee.openingState))"))
        }
        if let check = payee.accountCheck.flatMap(AccountCheck.init), !check.payable {
            return .refused(ImportIssue(file: source.path, line: line, field: "nik",
                                        reason: "the bank reports the recipient's account \(check.rawValue)"))
        }
        if amount > rules.maxAmount {
            return .refused(ImportIssue(file: source.path, line: line, field: "amount", reason: "exceeds batching.max_amount (\(rules.maxAmount))"))
        }
        if case .failure(let refusal) = rules.routing.route(kind: .intrabank, amount: amount, bankCode: nil) {
            return .refused(ImportIssue(file: source.path, line: line, field: "amount", reason: refusal.description))
        }
        return .queue(NewTransfer(kind: .intrabank, dedupeKey: "aid:\(nik.digits):\(program):\(period)",
                                    recipientID: payee.id, nik: nik.digits, beneficiaryName: payee.name,
                                    beneficiaryAccount: account, beneficiaryBankCode: nil, program: program,
                                    period: period.description, amount: amount, remark: remark))
    }
}
