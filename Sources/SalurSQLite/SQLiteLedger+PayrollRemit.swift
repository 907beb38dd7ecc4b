import Foundation
import GRDB
package import SalurCore
package import SalurStore

/// Remittances: one interbank transfer (SNAP service 18) per run to BPJS Ketenagakerjaan's account,
/// queued like any transfer, so it goes through maker-checker batches and exactly-once posting.
extension SQLiteLedger {
    /// The name the remittance is sent with (SNAP's `beneficiaryAccountName`).
    static let bpjsName = Remittance.bpjsName

    /// Queues the remittance of a payroll period's grand total to the agreement's BPJS account.
    ///
    /// Idempotent: while the period has a live remittance (anything but cancelled), nothing is
    /// queued and the existing one is returned. The dedupe key is per agreement, period and
    /// remittance number, so a remittance cancelled by an operator can be queued again.
    package func remitPayroll(agreementID: String?, period: Period, actor: String, rules: BatchingRules) throws -> RemitResult {
        try write(Remittance.operation(period)) { db in
            let run = try SQLiteLedger.resolveRun(db, kind: .payroll, owner: agreementID, period: period)
            guard let id = run.agreementID, let stored = try SQLiteLedger.fetchAgreement(db, id: id) else {
                throw PremiumRunError.inconsistent(run, reason: "its agreement is missing")
            }
            let names = Remittance.payroll(agreementID: id, period: period)
            return try SQLiteLedger.remit(db, run: run, dedupePrefix: names.dedupePrefix, program: names.program,
                                          account: stored.agreement.bpjsAccount, bankCode: stored.agreement.bpjsBankCode,
                                          remark: names.remark, actor: actor, rules: rules, at: self.clock.now)
        }
    }

    /// Queues the remittance of a BPU run's total from its envelope to BPJS; `account`/`bankCode`
    /// are needed when the budget was recorded without them, and override them otherwise.
    package func remitBPU(budgetID: String, period: Period, account: String?, bankCode: String?, actor: String,
                          rules: BatchingRules) throws -> RemitResult {
        try write(Remittance.operation(period)) { db in
            let run = try SQLiteLedger.resolveRun(db, kind: .bpu, owner: budgetID, period: period)
            guard let stored = try SQLiteLedger.fetchBudget(db, id: budgetID) else { throw StoreError.notFound("budget \(budgetID)") }
            guard let account = account ?? stored.budget.bpjsAccount, let bankCode = bankCode ?? stored.budget.bpjsBankCode else {
                throw PremiumRunError.budgetWithoutAccount(budget: budgetID)
            }
            let names = Remittance.bpu(budgetID: budgetID, period: period)
            return try SQLiteLedger.remit(db, run: run, dedupePrefix: names.dedupePrefix, program: names.program,
                                          account: account, bankCode: bankCode, remark: names.remark,
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
        let dedupeKey = Remittance.dedupeKey(prefix: dedupePrefix, run: run, number: number + 1)
        let transfer = NewTransfer(kind: .interbank, dedupeKey: dedupeKey, recipientID: nil, nik: nil, beneficiaryName: bpjsName,
                                   beneficiaryAccount: account, beneficiaryBankCode: bankCode, program: program,
                                   period: run.period.description, amount: run.grandTotal, remark: String(remark.prefix(50)))
        var summary = EnqueueSummary()
        try insert(db, [transfer], actor: actor, rules: rules, at: date, into: &summary)
        guard let transferID = try Int64.fetchOne(db, sql: "SELECT id FROM transfer WHERE dedupe_key = ?", arguments: [dedupeKey]) else {
            throw StoreError.notFound(Remittance.transferMissing(dedupeKey: dedupeKey))
        }
        try db.execute(sql: "UPDATE premium_run SET remittances = ?, remittance_transfer_id = ? WHERE id = ?",
                       arguments: [number + 1, transferID, run.id])
        guard let updated = try findRun(db, id: run.id), let remittance = updated.remittance else {
            throw StoreError.notFound("premium run \(run.id)")
        }
        try audit(db, actor: actor, action: Remittance.action(run), subject: Remittance.subject(run),
                        details: Remittance.details(run, remittance: remittance, account: account, bankCode: bankCode, batches: summary.batches))
        return RemitResult.make(queued: true, run: updated, remittance: remittance, beneficiaryAccount: account,
                           beneficiaryBankCode: bankCode, batches: summary.batches)
    }
}
