import Foundation
import GRDB
package import SalurCore
package import SalurStore

/// BPJS Ketenagakerjaan agreements (PKS) and BPU budget envelopes: recorded once, never edited,
/// each addition one audited transaction.
extension SQLiteLedger {
    /// Records an agreement. Adding the same terms again changes nothing (returns false); other
    /// terms under a known id are refused, since runs were computed under the recorded ones.
    package func addAgreement(_ agreement: Agreement, actor: String) throws -> Bool {
        try write(StoredAgreement.operation(agreement.id)) { db in
            if let existing = try SQLiteLedger.fetchAgreement(db, id: agreement.id) {
                guard existing.agreement == agreement else {
                    throw StoreError.refused(existing.otherTerms(agreement))
                }
                return false
            }
            let programmes = agreement.orderedProgrammes.map(\.rawValue).joined(separator: ",")
            let workUnits = try agreement.workUnits.map(SQLiteLedger.jsonArray)
            try db.execute(sql: """
                INSERT INTO agreement (id, employer, programmes, risk_class, valid_from, valid_to, bpjs_account, bpjs_bank_code,
                                       work_units, created_by, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [agreement.id, agreement.employer, programmes, agreement.riskClass.rawValue,
                                 agreement.validFrom.description, agreement.validTo.description, agreement.bpjsAccount,
                                 agreement.bpjsBankCode, workUnits, actor, self.timestamp()])
            try SQLiteLedger.audit(db, actor: actor, action: "agreement.add", subject: agreement.id,
                                   details: StoredAgreement.auditDetails(agreement, programmes: programmes))
            return true
        }
    }

    /// Every agreement, by id.
    package func agreements() throws -> [StoredAgreement] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM agreement ORDER BY id").map(SQLiteLedger.agreement)
        }
    }

    /// One agreement, or `StoreError.notFound`.
    package func agreement(id: String) throws -> StoredAgreement {
        try read { db in
            guard let found = try SQLiteLedger.fetchAgreement(db, id: id) else { throw StoreError.notFound("agreement \(id)") }
            return found
        }
    }

    static func fetchAgreement(_ db: Database, id: String) throws -> StoredAgreement? {
        try Row.fetchOne(db, sql: "SELECT * FROM agreement WHERE id = ?", arguments: [id]).map(agreement)
    }

    static func agreement(_ row: Row) throws -> StoredAgreement {
        let id: String = row["id"]
        func corrupt(_ what: String) -> any Error { StoreError.refused(StoredAgreement.unreadable(id: id, what: what)) }
        var programmes: Set<Programme> = []
        for name in (row["programmes"] as String).split(separator: ",") {
            guard let programme = Programme(rawValue: String(name)) else { throw corrupt("programme \(name)") }
            programmes.insert(programme)
        }
        guard let riskClass = RiskClass(rawValue: row["risk_class"]) else { throw corrupt("risk class") }
        guard let from = CalendarDate(row["valid_from"] as String), let to = CalendarDate(row["valid_to"] as String) else {
            throw corrupt("validity dates")
        }
        let workUnits = try (row["work_units"] as String?).map(stringArray)
        do {
            let agreement = try Agreement(id: id, employer: row["employer"], programmes: programmes, riskClass: riskClass,
                                          validFrom: from, validTo: to, bpjsAccount: row["bpjs_account"],
                                          bpjsBankCode: row["bpjs_bank_code"], workUnits: workUnits)
            return StoredAgreement.make(agreement: agreement, createdBy: row["created_by"], createdAt: row["created_at"])
        } catch {
            throw corrupt(error.description)
        }
    }

    // MARK: Budgets

    /// Records a budget envelope; the same terms again change nothing (returns false).
    package func addBudget(_ budget: BudgetEnvelope, actor: String) throws -> Bool {
        try write(StoredBudget.operation(budget.id)) { db in
            if let existing = try SQLiteLedger.fetchBudget(db, id: budget.id) {
                guard existing.budget == budget else {
                    throw StoreError.refused(existing.otherTerms(budget))
                }
                return false
            }
            try db.execute(sql: """
                INSERT INTO budget (id, agency, year, amount, bpjs_account, bpjs_bank_code, created_by, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [budget.id, budget.agency, budget.year, budget.amount.value, budget.bpjsAccount, budget.bpjsBankCode,
                                 actor, self.timestamp()])
            try SQLiteLedger.audit(db, actor: actor, action: "budget.add", subject: budget.id, details: StoredBudget.auditDetails(budget))
            return true
        }
    }

    /// Every budget with its use, by id.
    package func budgets() throws -> [StoredBudget] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT id FROM budget ORDER BY id").compactMap { try SQLiteLedger.fetchBudget(db, id: $0) }
        }
    }

    /// One budget with its use, or `StoreError.notFound`.
    package func budget(id: String) throws -> StoredBudget {
        try read { db in
            guard let found = try SQLiteLedger.fetchBudget(db, id: id) else { throw StoreError.notFound("budget \(id)") }
            return found
        }
    }

    static func fetchBudget(_ db: Database, id: String) throws -> StoredBudget? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM budget WHERE id = ?", arguments: [id]) else { return nil }
        let budget: BudgetEnvelope
        do {
            budget = try BudgetEnvelope(id: id, agency: row["agency"], year: row["year"], amount: Rupiah(row["amount"] as Int64),
                                        bpjsAccount: row["bpjs_account"], bpjsBankCode: row["bpjs_bank_code"])
        } catch {
            throw StoreError.refused(StoredBudget.unreadable(id: id, what: error.description))
        }
        return StoredBudget.make(budget: budget, use: try envelopeUse(db, budget: budget, excludingRun: nil),
                            createdBy: row["created_by"], createdAt: row["created_at"])
    }

    /// Spent (remittance settled) and committed (every other run) of an envelope; `excludingRun`
    /// leaves out a run about to be replaced. SQLite's `sum` raises an error on overflow.
    static func envelopeUse(_ db: Database, budget: BudgetEnvelope, excludingRun: Int64?) throws -> EnvelopeUse {
        let row = try Row.fetchOne(db, sql: """
            SELECT coalesce(sum(CASE WHEN t.state = 'settled' THEN r.grand_total ELSE 0 END), 0) AS spent,
                   coalesce(sum(CASE WHEN t.state = 'settled' THEN 0 ELSE r.grand_total END), 0) AS committed
            FROM premium_run r LEFT JOIN transfer t ON t.id = r.remittance_transfer_id
            WHERE r.budget_id = ? AND r.id IS NOT ?
            """, arguments: [budget.id, excludingRun])
        let rate = try Int64.fetchOne(db, sql: """
            SELECT grand_total FROM premium_run WHERE budget_id = ? AND id IS NOT ? ORDER BY period DESC LIMIT 1
            """, arguments: [budget.id, excludingRun])
        return try EnvelopeUse(amount: budget.amount, spent: Rupiah(row?["spent"] ?? 0), committed: Rupiah(row?["committed"] ?? 0),
                               lastMonthRunRate: rate.map(Rupiah.init))
    }

    static func jsonArray(_ values: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(values), as: UTF8.self)
    }

    static func stringArray(_ json: String) throws -> [String] {
        try JSONDecoder().decode([String].self, from: Data(json.utf8))
    }
}
