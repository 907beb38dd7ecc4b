import SalurCore
import SalurStore

/// The words an exception's evidence is written in: enough to find the entry in the bank's file
/// and the transfer in Salur.
struct Evidence {
    let statements: [Int64: StatementReference]

    let weakNote = " (weak match: amount, beneficiary account and day agree, no reference)"

    /// `debit of Rp 300.000 valued 2026-11-23, statement STMT1 (bank.sta:42), bank ref 2026…, customer ref SLR…`
    func entry(_ entry: ReconciliationEntry) -> String {
        var text = "\(entry.isReversal ? "reversal " : "")\(entry.isDebit ? "debit" : "credit") of \(entry.amountSen) valued \(entry.valueDate)"
        if let statement = statements[entry.statement] {
            text += ", statement \(statement.statementId)\(statement.sequence.isEmpty ? "" : " no. \(statement.sequence)")"
                + " (\(statement.sourceFile):\(entry.line))"
        }
        if !entry.bankReference.isEmpty { text += ", bank ref \(entry.bankReference)" }
        if !entry.customerReference.isEmpty { text += ", customer ref \(entry.customerReference)" }
        if let account = entry.counterpartyAccount, !account.isEmpty { text += ", account \(account)" }
        if !entry.description.isEmpty { text += ", \"\(entry.description.prefix(80))\"" }
        return text
    }

    /// `transfer SLR000000000042 (Rp 300.000 to account 0012345678, settled 2026-11-23)`
    func transfer(_ transfer: ReconciliationTransfer, showState: Bool = true) -> String {
        var text = "transfer \(transfer.partnerReferenceNo) (\(transfer.amount) to account \(transfer.accountNo)"
        if let day = transfer.settledDay { text += ", settled \(day)" } else if showState { text += ", \(transfer.state.rawValue)" }
        if let bank = transfer.bankReferenceNo, !bank.isEmpty { text += ", bank ref \(bank)" }
        return text + ")"
    }
}
