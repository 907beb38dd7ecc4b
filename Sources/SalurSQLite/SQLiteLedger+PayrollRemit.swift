import Foundation
import GRDB
package import SalurCore
package import SalurStore

/// Remittances: one interbank transfer (SNAP service 18) per run to BPJS Ketenagakerjaan's account,
/// queued like any transfer, so it goes through maker-checker batches and exactly-once posting.
extension SQLiteLedger {
    /// The name the remittance is sent with (SNAP's `beneficiaryAccountName`).
    static let bpjsName = "BPJS KETENAGAKERJAAN"

    /// Queues the remittance of a payroll period's grand total to the agreement's BPJS account.
    ///
    /// Idempotent: while the period has a live remittance (anything but cancelled), nothing is
    /// queued and the existing one is returned. The dedupe key is per agreement, period and
    /// remittance number, so a remittance cancelled by an operator can be queued again.
    package func remitPayroll(agreementID: String?, period: Period, actor: String, rules: BatchingRules) throws -> RemitResult {
        try write("queueing the BPJS remittance for \(period)") { db in
            let run = try SQLiteLedger.resolveRun(db, kind: .payroll, owner: agreementID, period: period)
            guard let id = run.agreementID, let stored = try SQLiteLedger.fetchAgreement(db, id: id) else {
                throw PremiumRunError.inconsistent(run, reason: "its agreement is missing")
            }
            return try SQLiteLedger.remit(db, run: run, dedupePrefix: "bpjs-tk:\(id)", program: "BPJSTK-\(id)",
                                          account: stored.agreement.bpjsAccount, bankCode: stored.agreement.bpjsBankCode,
                                          remark: TransferRemark.formed("BPJSTK \(id) \(period)"), actor: actor, rules: rules, at: self.clock.now)
        }
    }

    /// Queues the remittance of a BPU run's total from its envelope to BPJS; `account`/`bankCode`
    /// are needed when the budget was recorded without them, and override them otherwise.
    package func remitBPU(budgetID: String, period: Period, account: String?, bankCode: String?, actor: String,
                          rules: BatchingRules) throws -> RemitResult {
        try write("queueing the BPJS remittance for \(period)") { db in
            let run = try SQLiteLedger.resolveRun(db, kind: .bpu, owner: budgetID, period: period)
            guard let stored = try SQLiteLedger.fetchBudget(db, id: budgetID) else { throw StoreError.notFound("budget \(budgetID)") }
            guard let account = account ?? stored.budget.bpjsAccount, let bankCode = bankCode ?? stored.budget.bpjsBankCode else {
                throw PremiumRunError.budgetWithoutAccount(budget: budgetID)
            }
            return try SQLiteLedger.remit(db, run: run, dedupePrefix: "bpjs-bpu:\(budgetID)", program: "BPJSTK-BPU-\(budgetID)",
                                          account: account, bankCode: bankCode, remark: TransferRemark.formed("BPJSTK BPU \(budgetID) \(period)"),
                                          actor: actor, rules: rules, at: self.clock.now)
        }
    }

    static func remit(_ db: Database, run: PremiumRunSummary, dedupePrefix: String, program: String, account: String,
                      bankCode: String, remark: String, actor: String, rules: BatchingRules, at date: Date) throws -> RemitResult {
        if let existing = run.remittance, existing.isLive {
            return RemitResult.make(queued: false, run: run, remittance: existing, beneficiaryAccount: account,
                               beneficiaryBankCode: bankCode, batches: [])
        }
        guard run.grandTotal > .zero else { throw PremiumRunError.nothingToRemit(run) }
        let number = try Int.fetchOne(db, sql: "SELECT remittances FROM premium_run WHERE id = ?", arguments: [run.id]) ?? 0
        let dedupeKey = "\(dedupePrefix):\(run.period):\(number + 1)"
        let transfer = NewTransfer(kind: .interbank, dedupeKey: dedupeKey, recipientID: nil, nik: nil, beneficiaryName: bpjsName,
                                   beneficiaryAccount: account, beneficiaryBankCode: bankCode, program: program,
                                   period: run.period.description, amount: run.grandTotal, remark: String(remark.prefix(50)))
        var summary = EnqueueSummary()
        try insert(db, [transfer], actor: actor, rules: rules, at: date, into: &summary)
        guard let transferID = try Int64.fetchOne(db, sql: "SELECT id FROM transfer WHERE dedupe_key = ?", arguments: [dedupeKey]) else {
            throw StoreError.notFound("the remittance transfer \(dedupeKey)")
        }
        try db.execute(sql: "UPDATE premium_run SET remittances = ?, remittance_transfer_id = ? WHERE id = ?",
                       arguments: [number + 1, transferID, run.id])
        guard let updated = try findRun(db, id: run.id), let remittance = updated.remittance else {
            throw StoreError.notFound("premium run \(run.id)")
        }
        try audit(db, actor: actor, action: "\(run.kind.rawValue).remit", subject: "\(run.owner) \(run.period)", details: [
            "transfer": remittance.partnerReferenceNo, "amount": String(run.grandTotal.value), "revision": String(run.revision),
            "bpjs_account": Validate.maskedAccount(account), "bpjs_bank_code": bankCode, "batches": summary.batches.joined(separator: " "),
            "due": run.period.remittanceDueDate.description,
        ])
        return RemitResult.make(queued: true, run: updated, remittance: remittance, beneficiaryAccount: account,
                           beneficiaryBankCode: bankCode, batches: summary.batches)
    }
}
