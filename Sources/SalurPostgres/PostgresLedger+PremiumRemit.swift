import Foundation
import PostgresNIO
package import SalurCore
package import SalurStore

/// Remittances and what a payroll run says, on PostgreSQL — port of `SQLiteLedger+PayrollRemit`
/// and `+PayrollReports`. A remittance is one interbank transfer queued through the same insert and
/// batch forming as every other transfer (`insert(_:_:actor:rules:into:)`).
extension PostgresLedger {
    /// The name the remittance is sent with (SNAP's `beneficiaryAccountName`), as on SQLite.
    static let bpjsName = Remittance.bpjsName

    package func remitPayroll(agreementID: String?, period: Period, actor: String, rules: BatchingRules) async throws -> RemitResult {
        try await transaction(Remittance.operation(period)) { connection in
            let found = try await self.resolveRun(connection, kind: .payroll, owner: agreementID, period: period)
            // The agreement's row lock keeps an import (or another remit) of its payrolls out until commit.
            guard let id = found.agreementID, let stored = try await self.fetchAgreement(connection, id: id, lock: true) else {
                throw PremiumRunError.inconsistent(found, reason: "its agreement is missing")
            }
            guard let run = try await self.findRun(connection, id: found.id) else {
                throw PremiumRunError.noRun(kind: .payroll, owner: "agreement \(id)", period: period)
            }
            let names = Remittance.payroll(agreementID: id, period: period)
            return try await self.remit(connection, run: run, dedupePrefix: names.dedupePrefix, program: names.program,
                                        account: stored.agreement.bpjsAccount, bankCode: stored.agreement.bpjsBankCode,
                                        remark: names.remark, actor: actor, rules: rules)
        }
    }

    package func remitBPU(budgetID: String, period: Period, account: String?, bankCode: String?, actor: String,
                          rules: BatchingRules) async throws -> RemitResult {
        try await transaction(Remittance.operation(period)) { connection in
            _ = try await self.resolveRun(connection, kind: .bpu, owner: budgetID, period: period)
            guard let stored = try await self.fetchBudget(connection, id: budgetID, lock: true) else {
                throw StoreError.notFound("budget \(budgetID)")
            }
            let run = try await self.resolveRun(connection, kind: .bpu, owner: budgetID, period: period)
            guard let account = account ?? stored.budget.bpjsAccount, let bankCode = bankCode ?? stored.budget.bpjsBankCode else {
                throw PremiumRunError.budgetWithoutAccount(budget: budgetID)
            }
            let names = Remittance.bpu(budgetID: budgetID, period: period)
            return try await self.remit(connection, run: run, dedupePrefix: names.dedupePrefix, program: names.program,
                                        account: account, bankCode: bankCode, remark: names.remark, actor: actor, rules: rules)
        }
    }

    /// Called with the run's owner row locked.
    func remit(_ connection: PostgresConnection, run: PremiumRunSummary, dedupePrefix: String, program: String, account: String,
               bankCode: String, remark: String, actor: String, rules: BatchingRules) async throws -> RemitResult {
        if let existing = run.remittance, existing.isLive {
            return RemitResult.make(queued: false, run: run, remittance: existing, beneficiaryAccount: account,
                                    beneficiaryBankCode: bankCode, batches: [])
        }
        guard run.grandTotal > .zero else { throw PremiumRunError.nothingToRemit(run) }
        let number = try await connection.statement("SELECT remittances FROM premium_run WHERE id = \(run.id) FOR UPDATE", logger: logger)
            .first?.decode(Int.self) ?? 0
        let dedupeKey = Remittance.dedupeKey(prefix: dedupePrefix, run: run, number: number + 1)
        let transfer = NewTransfer(kind: .interbank, dedupeKey: dedupeKey, recipientID: nil, nik: nil, beneficiaryName: Self.bpjsName,
                                   beneficiaryAccount: account, beneficiaryBankCode: bankCode, program: program,
                                   period: run.period.description, amount: run.grandTotal, remark: String(remark.prefix(50)))
        var summary = EnqueueSummary()
        try await insert(connection, [transfer], actor: actor, rules: rules, into: &summary)
        guard let transferID = try await connection.statement("SELECT id FROM transfer WHERE dedupe_key = \(dedupeKey)", logger: logger)
            .first?.decode(Int64.self) else {
            throw StoreError.notFound(Remittance.transferMissing(dedupeKey: dedupeKey))
        }
        try await execute(connection, """
            UPDATE premium_run SET remittances = \(number + 1), remittance_transfer_id = \(transferID) WHERE id = \(run.id)
            """)
        guard let updated = try await findRun(connection, id: run.id), let remittance = updated.remittance else {
            throw StoreError.notFound("premium run \(run.id)")
        }
        try await audit(connection, actor: actor, action: Remittance.action(run), subject: Remittance.subject(run),
                        details: Remittance.details(run, remittance: remittance, account: account, bankCode: bankCode, batches: summary.batches))
        return RemitResult.make(queued: true, run: updated, remittance: remittance, beneficiaryAccount: account,
                                beneficiaryBankCode: bankCode, batches: summary.batches)
    }

    // MARK: Report and deductions

    package func payrollReport(agreementID: String?, period: Period) async throws -> PayrollReport {
        // One transaction at REPEATABLE READ, so the run, its lines and its work units are one snapshot.
        try await transaction("reading the payroll report for \(period)", audited: false) { connection in
            try await self.execute(connection, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            let run = try await self.resolveRun(connection, kind: .payroll, owner: agreementID, period: period)
            guard let agreementID = run.agreementID, let stored = try await self.fetchAgreement(connection, id: agreementID) else {
                throw PremiumRunError.inconsistent(run, reason: "its agreement is missing")
            }
            guard let sums = try await connection.statement("""
                SELECT count(*), coalesce(sum(wage), 0)::bigint, coalesce(sum(jkk), 0)::bigint, coalesce(sum(jkm), 0)::bigint,
                       coalesce(sum(jht_employer), 0)::bigint, coalesce(sum(jht_employee), 0)::bigint,
                       coalesce(sum(jp_employer), 0)::bigint, coalesce(sum(jp_employee), 0)::bigint
                FROM payroll_line WHERE run_id = \(run.id)
                """, logger: self.logger).first?.decode((Int, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self) else {
                throw PremiumRunError.inconsistent(run, reason: "no sums")
            }
            let totals = try PremiumTotals(
                lines: sums.0, wage: Rupiah(sums.1), jkk: Rupiah(sums.2), jkm: Rupiah(sums.3), jhtEmployer: Rupiah(sums.4),
                jhtEmployee: Rupiah(sums.5), jpEmployer: Rupiah(sums.6), jpEmployee: Rupiah(sums.7))
            guard totals.lines == run.lines, totals.employerTotal == run.employerTotal, totals.employeeTotal == run.employeeTotal,
                  totals.grandTotal == run.grandTotal else {
                throw PremiumRunError.inconsistent(run, reason: PremiumImport.linesDisagree(run, lines: totals.lines, grandTotal: totals.grandTotal))
            }
            var units: [WorkUnitTotal] = []
            for try await (unit, count, er, ee) in try await connection.streamedStatement("""
                SELECT work_unit, count(*) AS n, sum(employer_total)::bigint, sum(employee_total)::bigint
                FROM payroll_line WHERE run_id = \(run.id) GROUP BY work_unit ORDER BY n DESC, work_unit COLLATE "C"
                """, logger: self.logger).decode((String, Int, Int64, Int64).self) {
                let employer = Rupiah(er), employee = Rupiah(ee)
                units.append(WorkUnitTotal.make(workUnit: unit, headcount: count, employerTotal: employer, employeeTotal: employee,
                                                total: try employer.adding(employee)))
            }
            return PayrollReport.make(agreement: stored.agreement, run: run, totals: totals, workUnits: units)
        }
    }

    package func payrollDeductions(agreementID: String?, period: Period) async throws -> (run: PremiumRunSummary, rows: [DeductionRow]) {
        try await transaction("reading the deductions for \(period)", audited: false) { connection in
            try await self.execute(connection, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            let run = try await self.resolveRun(connection, kind: .payroll, owner: agreementID, period: period)
            var rows: [DeductionRow] = []
            rows.reserveCapacity(run.lines)
            for try await (line, employeeID, nik, name, workUnit, riskClass, wage, jkk, jkm, jhtER, jhtEE, jpER, jpEE) in try await connection.streamedStatement("""
                SELECT line, employee_id, nik, name, work_unit, risk_class, wage, jkk, jkm, jht_employer, jht_employee, jp_employer,
                       jp_employee
                FROM payroll_line WHERE run_id = \(run.id) ORDER BY line
                """, logger: self.logger).decode((Int, String, String, String, String, Int, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self) {
                let premiums = try PremiumLines(jkk: Rupiah(jkk), jkm: Rupiah(jkm), jhtEmployer: Rupiah(jhtER), jhtEmployee: Rupiah(jhtEE),
                                                jpEmployer: Rupiah(jpER), jpEmployee: Rupiah(jpEE))
                rows.append(DeductionRow.make(line: line, employeeID: employeeID, nik: nik, name: name, workUnit: workUnit,
                                              riskClass: riskClass, wage: Rupiah(wage), premiums: premiums))
            }
            return (run, rows)
        }
    }
}
