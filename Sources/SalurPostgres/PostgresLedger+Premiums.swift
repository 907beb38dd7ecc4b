import Foundation
import PostgresNIO
package import SalurCore
package import SalurStore

/// BPJS Ketenagakerjaan agreements (PKS) and BPU budget envelopes on PostgreSQL: the same results,
/// refusals and audit rows as `SQLiteLedger+Payroll`. Recorded once, never edited.
///
/// An addition inserts with `ON CONFLICT DO NOTHING`: of two operators recording the same id at
/// once, one inserts and the other waits for it, then compares terms with the committed row.
extension PostgresLedger: PremiumLedger {
    package func addAgreement(_ agreement: Agreement, actor: String) async throws -> Bool {
        try await transaction(StoredAgreement.operation(agreement.id)) { connection in
            let programmes = agreement.orderedProgrammes.map(\.rawValue).joined(separator: ",")
            let workUnits = try agreement.workUnits.map(Self.jsonArray)
            let now = Timestamp.iso8601(clock.now)
            let inserted = try await self.execute(connection, """
                INSERT INTO agreement (id, employer, programmes, risk_class, valid_from, valid_to, bpjs_account, bpjs_bank_code,
                                       work_units, created_by, created_at)
                VALUES (\(agreement.id), \(agreement.employer), \(programmes), \(agreement.riskClass.rawValue),
                        \(agreement.validFrom.description), \(agreement.validTo.description), \(agreement.bpjsAccount),
                        \(agreement.bpjsBankCode), \(workUnits), \(actor), \(now))
                ON CONFLICT (id) DO NOTHING RETURNING 1
                """)
            guard inserted == 1 else {
                guard let existing = try await self.fetchAgreement(connection, id: agreement.id) else {
                    throw StoreError.notFound("agreement \(agreement.id)")
                }
                guard existing.agreement == agreement else {
                    throw StoreError.refused(existing.otherTerms(agreement))
                }
                return false
            }
            try await self.audit(connection, actor: actor, action: "agreement.add", subject: agreement.id,
                                 details: StoredAgreement.auditDetails(agreement, programmes: programmes))
            return true
        }
    }

    package func agreements() async throws -> [StoredAgreement] {
        try await withConnection("reading agreements") { connection in
            try await self.rows(connection, "SELECT \(unescaped: Self.agreementColumns) FROM agreement ORDER BY id COLLATE \"C\"")
                .map(Self.storedAgreement)
        }
    }

    package func agreement(id: String) async throws -> StoredAgreement {
        try await withConnection("reading agreement \(id)") { connection in
            guard let found = try await self.fetchAgreement(connection, id: id) else { throw StoreError.notFound("agreement \(id)") }
            return found
        }
    }

    static let agreementColumns = """
        id, employer, programmes, risk_class, valid_from, valid_to, bpjs_account, bpjs_bank_code, work_units, created_by, created_at
        """

    /// The agreement, or nil; `lock` takes its row `FOR UPDATE` (imports and remittances of its
    /// payrolls serialise on it).
    func fetchAgreement(_ connection: PostgresConnection, id: String, lock: Bool = false) async throws -> StoredAgreement? {
        try await rows(connection, """
            SELECT \(unescaped: Self.agreementColumns) FROM agreement WHERE id = \(id) \(unescaped: lock ? "FOR UPDATE" : "")
            """).first.map(Self.storedAgreement)
    }

    static func storedAgreement(_ row: PostgresRandomAccessRow) throws -> StoredAgreement {
        let id = try row["id"].decode(String.self)
        func corrupt(_ what: String) -> any Error { StoreError.refused(StoredAgreement.unreadable(id: id, what: what)) }
        var programmes: Set<Programme> = []
        for name in try row["programmes"].decode(String.self).split(separator: ",") {
            guard let programme = Programme(rawValue: String(name)) else { throw corrupt("programme \(name)") }
            programmes.insert(programme)
        }
        guard let riskClass = RiskClass(rawValue: try row["risk_class"].decode(Int.self)) else { throw corrupt("risk class") }
        guard let from = CalendarDate(try row["valid_from"].decode(String.self)),
              let to = CalendarDate(try row["valid_to"].decode(String.self)) else {
            throw corrupt("validity dates")
        }
        let workUnits = try row["work_units"].decode(String?.self).map(stringArray)
        let employer = try row["employer"].decode(String.self)
        let account = try row["bpjs_account"].decode(String.self), bankCode = try row["bpjs_bank_code"].decode(String.self)
        let createdBy = try row["created_by"].decode(String.self), createdAt = try row["created_at"].decode(String.self)
        do {
            let agreement = try Agreement(id: id, employer: employer, programmes: programmes, riskClass: riskClass, validFrom: from,
                                          validTo: to, bpjsAccount: account, bpjsBankCode: bankCode, workUnits: workUnits)
            return StoredAgreement.make(agreement: agreement, createdBy: createdBy, createdAt: createdAt)
        } catch {
            throw corrupt(error.description)
        }
    }

    // MARK: Budgets

    package func addBudget(_ budget: BudgetEnvelope, actor: String) async throws -> Bool {
        try await transaction(StoredBudget.operation(budget.id)) { connection in
            let now = Timestamp.iso8601(clock.now)
            let inserted = try await self.execute(connection, """
                INSERT INTO budget (id, agency, year, amount, bpjs_account, bpjs_bank_code, created_by, created_at)
                VALUES (\(budget.id), \(budget.agency), \(budget.year), \(budget.amount.value), \(budget.bpjsAccount),
                        \(budget.bpjsBankCode), \(actor), \(now))
                ON CONFLICT (id) DO NOTHING RETURNING 1
                """)
            guard inserted == 1 else {
                guard let existing = try await self.fetchBudget(connection, id: budget.id) else {
                    throw StoreError.notFound("budget \(budget.id)")
                }
                guard existing.budget == budget else {
                    throw StoreError.refused(existing.otherTerms(budget))
                }
                return false
            }
            try await self.audit(connection, actor: actor, action: "budget.add", subject: budget.id, details: StoredBudget.auditDetails(budget))
            return true
        }
    }

    package func budgets() async throws -> [StoredBudget] {
        try await withConnection("reading budgets") { connection in
            var budgets: [StoredBudget] = []
            for row in try await self.rows(connection, "SELECT \(unescaped: Self.budgetColumns) FROM budget ORDER BY id COLLATE \"C\"") {
                budgets.append(try await self.storedBudget(connection, row))
            }
            return budgets
        }
    }

    package func budget(id: String) async throws -> StoredBudget {
        try await withConnection("reading budget \(id)") { connection in
            guard let found = try await self.fetchBudget(connection, id: id) else { throw StoreError.notFound("budget \(id)") }
            return found
        }
    }

    static let budgetColumns = "id, agency, year, amount, bpjs_account, bpjs_bank_code, created_by, created_at"

    /// The budget with its use, or nil; `lock` takes its row `FOR UPDATE`: imports and remittances of
    /// its BPU runs serialise on it, so two imports never both fit in what is left of the envelope.
    func fetchBudget(_ connection: PostgresConnection, id: String, lock: Bool = false) async throws -> StoredBudget? {
        guard let row = try await rows(connection, """
            SELECT \(unescaped: Self.budgetColumns) FROM budget WHERE id = \(id) \(unescaped: lock ? "FOR UPDATE" : "")
            """).first else { return nil }
        return try await storedBudget(connection, row)
    }

    private func storedBudget(_ connection: PostgresConnection, _ row: PostgresRandomAccessRow) async throws -> StoredBudget {
        let id = try row["id"].decode(String.self)
        let agency = try row["agency"].decode(String.self), year = try row["year"].decode(Int.self)
        let amount = Rupiah(try row["amount"].decode(Int64.self))
        let account = try row["bpjs_account"].decode(String?.self), bankCode = try row["bpjs_bank_code"].decode(String?.self)
        let budget: BudgetEnvelope
        do {
            budget = try BudgetEnvelope(id: id, agency: agency, year: year, amount: amount, bpjsAccount: account, bpjsBankCode: bankCode)
        } catch {
            throw StoreError.refused(StoredBudget.unreadable(id: id, what: error.description))
        }
        return StoredBudget.make(budget: budget, use: try await envelopeUse(connection, budget: budget, excludingRun: nil),
                                 createdBy: try row["created_by"].decode(String.self), createdAt: try row["created_at"].decode(String.self))
    }

    /// Spent (remittance settled) and committed (every other run) of an envelope; `excludingRun`
    /// leaves out a run about to be replaced. The sums are cast back to BIGINT, which raises an
    /// error on overflow as SQLite's `sum` does.
    func envelopeUse(_ connection: PostgresConnection, budget: BudgetEnvelope, excludingRun: Int64?) async throws -> EnvelopeUse {
        let excluded = excludingRun ?? 0
        let sums = try await connection.statement("""
            SELECT coalesce(sum(CASE WHEN t.state = 'settled' THEN r.grand_total ELSE 0 END), 0)::bigint,
                   coalesce(sum(CASE WHEN t.state = 'settled' THEN 0 ELSE r.grand_total END), 0)::bigint
            FROM premium_run r LEFT JOIN transfer t ON t.id = r.remittance_transfer_id
            WHERE r.budget_id = \(budget.id) AND r.id <> \(excluded)
            """, logger: logger).first
        var spent: Int64 = 0, committed: Int64 = 0
        if let sums { (spent, committed) = try sums.decode((Int64, Int64).self) }
        let rate = try await connection.statement("""
            SELECT grand_total FROM premium_run WHERE budget_id = \(budget.id) AND id <> \(excluded)
            ORDER BY period COLLATE "C" DESC LIMIT 1
            """, logger: logger).first?.decode(Int64.self)
        return try EnvelopeUse(amount: budget.amount, spent: Rupiah(spent), committed: Rupiah(committed),
                               lastMonthRunRate: rate.map(Rupiah.init))
    }

    static func jsonArray(_ values: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(values), as: UTF8.self)
    }

    static func stringArray(_ json: String) throws -> [String] {
        try JSONDecoder().decode([String].self, from: Data(json.utf8))
    }
}
