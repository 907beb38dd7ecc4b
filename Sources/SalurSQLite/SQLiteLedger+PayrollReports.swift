import GRDB
package import SalurCore
package import SalurStore

/// What a payroll run says: the deductions file and the report, both read from the stored lines.
extension SQLiteLedger {
    /// `payroll report`: totals per programme and headcount per work unit, summed from the lines
    /// and checked against the run's stored totals (which the remittance pays).
    package func payrollReport(agreementID: String?, period: Period) throws -> PayrollReport {
        try read { db in
            let run = try SQLiteLedger.resolveRun(db, kind: .payroll, owner: agreementID, period: period)
            guard let agreementID = run.agreementID, let stored = try SQLiteLedger.fetchAgreement(db, id: agreementID) else {
                throw PremiumRunError.inconsistent(run, reason: "its agreement is missing")
            }
            guard let sums = try Row.fetchOne(db, sql: """
                SELECT count(*) AS n, coalesce(sum(wage), 0) AS wage, coalesce(sum(jkk), 0) AS jkk, coalesce(sum(jkm), 0) AS jkm,
                       coalesce(sum(jht_employer), 0) AS jht_er, coalesce(sum(jht_employee), 0) AS jht_ee,
                       coalesce(sum(jp_employer), 0) AS jp_er, coalesce(sum(jp_employee), 0) AS jp_ee
                FROM payroll_line WHERE run_id = ?
                """, arguments: [run.id]) else { throw PremiumRunError.inconsistent(run, reason: "no sums") }
            let totals = try PremiumTotals(
                lines: sums["n"], wage: Rupiah(sums["wage"] as Int64), jkk: Rupiah(sums["jkk"] as Int64), jkm: Rupiah(sums["jkm"] as Int64),
                jhtEmployer: Rupiah(sums["jht_er"] as Int64), jhtEmployee: Rupiah(sums["jht_ee"] as Int64),
                jpEmployer: Rupiah(sums["jp_er"] as Int64), jpEmployee: Rupiah(sums["jp_ee"] as Int64))
            guard totals.lines == run.lines, totals.employerTotal == run.employerTotal, totals.employeeTotal == run.employeeTotal,
                  totals.grandTotal == run.grandTotal else {
                throw PremiumRunError.inconsistent(run, reason: PremiumImport.linesDisagree(run, lines: totals.lines, grandTotal: totals.grandTotal))
            }
            let units = try Row.fetchAll(db, sql: """
                SELECT work_unit, count(*) AS n, sum(employer_total) AS er, sum(employee_total) AS ee
                FROM payroll_line WHERE run_id = ? GROUP BY work_unit ORDER BY n DESC, work_unit
                """, arguments: [run.id]).map { row -> WorkUnitTotal in
                    let employer = Rupiah(row["er"] as Int64), employee = Rupiah(row["ee"] as Int64)
                    return WorkUnitTotal.make(workUnit: row["work_unit"], headcount: row["n"], employerTotal: employer,
                                         employeeTotal: employee, total: try employer.adding(employee))
                }
            return PayrollReport.make(agreement: stored.agreement, run: run, totals: totals, workUnits: units)
        }
    }

    /// `payroll deductions`: one row per employee, in the order of the imported file.
    package func payrollDeductions(agreementID: String?, period: Period) throws -> (run: PremiumRunSummary, rows: [DeductionRow]) {
        try read { db in
            let run = try SQLiteLedger.resolveRun(db, kind: .payroll, owner: agreementID, period: period)
            var rows: [DeductionRow] = []
            rows.reserveCapacity(run.lines)
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM payroll_line WHERE run_id = ? ORDER BY line", arguments: [run.id])
            while let row = try cursor.next() {
                func money(_ column: String) -> Rupiah { Rupiah(row[column] as Int64) }
                let premiums = try PremiumLines(jkk: money("jkk"), jkm: money("jkm"), jhtEmployer: money("jht_employer"),
                                                jhtEmployee: money("jht_employee"), jpEmployer: money("jp_employer"),
                                                jpEmployee: money("jp_employee"))
                rows.append(DeductionRow.make(line: row["line"], employeeID: row["employee_id"], nik: row["nik"], name: row["name"],
                                         workUnit: row["work_unit"], riskClass: row["risk_class"], wage: money("wage"),
                                         premiums: premiums))
            }
            return (run, rows)
        }
    }
}
