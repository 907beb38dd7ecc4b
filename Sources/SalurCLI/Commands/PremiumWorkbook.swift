import SalurCore
import SalurReports
import SalurStore

/// The sheets of `payroll deductions --format xlsx` and `payroll report --format xlsx`.
enum PremiumWorkbook {
    /// The run's facts and control totals: what the summary sheet shows.
    static func summary(agreement: String, employer: String?, period: Period, revision: Int, source: String?,
                        totals: PremiumTotals, remittance: String?) -> ExportTable {
        var table = ExportTable(columns: ["item", "value", "amount"])
        func fact(_ item: String, _ value: ExportValue) { table.rows.append([.text(item), value, .null]) }
        func amount(_ item: String, _ value: Rupiah) { table.rows.append([.text(item), .null, .integer(value.value)]) }
        fact("agreement", .text(agreement))
        if let employer { fact("employer", .text(employer)) }
        fact("period", .text(period.description))
        fact("revision", .integer(Int64(revision)))
        if let source { fact("source_file", .text(source)) }
        fact("employees", .integer(Int64(totals.lines)))
        amount("wages", totals.wage)
        amount("employer_total", totals.employerTotal)
        amount("employee_total (deducted from pay)", totals.employeeTotal)
        amount("grand_total (due to BPJS Ketenagakerjaan)", totals.grandTotal)
        fact("due_date", .text(period.remittanceDueDate.description))
        if let remittance { fact("remittance", .text(remittance)) }
        return table
    }

    /// Employer, employee and total per programme, and the total row.
    static func programmes(_ totals: PremiumTotals, covered: Set<Programme>) -> ExportTable {
        var table = ExportTable(columns: ["programme", "employer_amount", "employee_amount", "total_amount"])
        for p in totals.byProgramme where covered.contains(p.programme) {
            table.rows.append([.text(p.programme.rawValue), .integer(p.employer.value), .integer(p.employee.value), .integer(p.total.value)])
        }
        table.rows.append([.text("total"), .integer(totals.employerTotal.value), .integer(totals.employeeTotal.value),
                           .integer(totals.grandTotal.value)])
        return table
    }

    /// One row per employee, the deductions file's columns; the NIK stays text.
    static func deductions(_ rows: [DeductionRow], columns: [String]) -> ExportTable {
        ExportTable(columns: columns, rows: rows.map { row in
            let p = row.premiums
            return [.text(row.employeeID), .text(row.nik), .text(row.name), .text(row.workUnit)]
                + [row.wage, p.jkk, p.jkm, p.jhtEmployer, p.jhtEmployee, p.jpEmployer, p.jpEmployee, p.employerTotal, p.employeeTotal]
                .map { ExportValue.integer($0.value) }
        })
    }

    /// Headcount and totals per work unit, and the total row.
    static func workUnits(_ report: PayrollReport) -> ExportTable {
        let t = report.totals
        return ExportTable(columns: ["work_unit", "headcount", "employer_total", "employee_total", "total_amount"], rows: report.workUnits.map {
            [.text($0.workUnit), .integer(Int64($0.headcount)), .integer($0.employerTotal.value), .integer($0.employeeTotal.value),
             .integer($0.total.value)]
        } + [[.text("total"), .integer(Int64(t.lines)), .integer(t.employerTotal.value), .integer(t.employeeTotal.value),
              .integer(t.grandTotal.value)]])
    }
}
