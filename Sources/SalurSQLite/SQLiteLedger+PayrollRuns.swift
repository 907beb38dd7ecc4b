import GRDB
package import SalurCore
package import SalurStore

/// Premium runs: a payroll (per agreement and period) or a BPU run (per budget and period), imported
/// all or nothing with their computed lines, each import one audited transaction.
extension SQLiteLedger {
    /// Stores a payroll run computed by `PremiumComputation.payroll`.
    package func importPayroll(agreementID: String, period: Period, lines: [PayrollLine], totals: PremiumTotals,
                               source: SourceFile, replace: Bool, actor: String) throws -> PremiumImportResult {
        try importPayroll(agreementID: agreementID, period: period, file: PayrollFile.Reading(lines: lines, totals: totals),
                          source: source, replace: replace, actor: actor)
    }

    /// Stores a payroll run as its file is read, checked and computed, a window at a time, in one
    /// write transaction.
    ///
    /// The same file again changes nothing. Another file for an imported period is refused unless
    /// `replace`, and then only while the period's remittance has not been posted; a remittance
    /// queued but never sent is cancelled with it, to be queued again by `payroll remit`. Those
    /// refusals come once the file has been read and found valid; until then the lines are stored
    /// under the run (new, or the replaced one emptied), whose totals are set at the end.
    package func importPayroll(agreementID: String, period: Period, file: PayrollFile.Reading,
                               source: SourceFile, replace: Bool, actor: String) throws -> PremiumImportResult {
        let report = RowProgress.report
        return try write(PremiumImport.payrollOperation(period)) { db in
            var progress = RowProgress.Counter(report)
            guard let stored = try SQLiteLedger.fetchAgreement(db, id: agreementID) else { throw StoreError.notFound("agreement \(agreementID)") }
            guard stored.agreement.covers(period) else {
                throw PremiumRunRefusal.periodOutsideAgreement(agreement: stored.agreement, period: period)
            }
            let command = PremiumImport.payrollCommand(source: source, period: period, agreementID: agreementID)
            var streamed: StreamedImport
            do {
                streamed = StreamedImport(try SQLiteLedger.prepareRun(db, kind: .payroll, owner: agreementID, period: period, source: source,
                                                                      replace: replace, command: command, actor: actor))
            } catch {
                streamed = try StreamedImport(refused: error)
            }
            if let run = streamed.writing {
                streamed.runID = try SQLiteLedger.saveRun(db, run, kind: .payroll, owner: agreementID, period: period, source: source,
                                                          lines: 0, employer: .zero, employee: .zero, grand: .zero, actor: actor)
            }
            while let part = file.nextPart() {
                guard let runID = streamed.runID, !file.isRefused else { continue }
                try SQLiteLedger.insertPayrollLines(db, part.lines, runID: runID, progress: &progress)
            }
            switch try streamed.finish(file) {
            case .unchanged(let same):
                return PremiumImportResult.make(outcome: .unchanged, run: same)
            case .stored(let run, let runID, let totals):
                try db.execute(sql: "UPDATE premium_run SET line_count = ?, employer_total = ?, employee_total = ?, grand_total = ? WHERE id = ?",
                               arguments: [totals.lines, totals.employerTotal.value, totals.employeeTotal.value, totals.grandTotal.value, runID])
                return try SQLiteLedger.finishImport(db, run, runID: runID, kind: .payroll, source: source, actor: actor,
                                                     details: PremiumImport.payrollDetails(agreementID: agreementID, period: period, totals: totals))
            }
        }
    }

    /// Many lines per statement, bound through SQLite's C API (`BulkStatement`), 10,000 at a time
    /// so that progress is reported as they go.
    static func insertPayrollLines(_ db: Database, _ lines: [PayrollLine], runID: Int64, progress: inout RowProgress.Counter) throws {
        for start in stride(from: 0, to: lines.count, by: 10_000) {
            let part = lines[start..<min(start + 10_000, lines.count)]
            let stored = try BulkStatement.insert(db, """
                INSERT INTO payroll_line (run_id, line, employee_id, nik, name, work_unit, risk_class, wage, jkk, jkm,
                    jht_employer, jht_employee, jp_employer, jp_employee, employer_total, employee_total) VALUES
                """, row: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", width: 16, count: part.count) { statement, column, index in
                let line = part[start + index], p = line.premiums, row = line.row
                statement.bind(column + 1, runID); statement.bind(column + 2, Int64(row.line))
                statement.bind(column + 3, row.employeeID); statement.bind(column + 4, row.nik.digits)
                statement.bind(column + 5, row.name); statement.bind(column + 6, row.workUnit)
                statement.bind(column + 7, Int64(line.riskClass.rawValue)); statement.bind(column + 8, row.grossWage.value)
                statement.bind(column + 9, p.jkk.value); statement.bind(column + 10, p.jkm.value)
                statement.bind(column + 11, p.jhtEmployer.value); statement.bind(column + 12, p.jhtEmployee.value)
                statement.bind(column + 13, p.jpEmployer.value); statement.bind(column + 14, p.jpEmployee.value)
                statement.bind(column + 15, p.employerTotal.value); statement.bind(column + 16, p.employeeTotal.value)
            }
            progress.add(stored)
        }
    }

    /// Stores a BPU run computed by `PremiumComputation.bpu`.
    package func importBPU(budgetID: String, period: Period, lines: [BPULine], totals: BPUTotals,
                           source: SourceFile, replace: Bool, actor: String) throws -> PremiumImportResult {
        try importBPU(budgetID: budgetID, period: period, file: BPUFile.Reading(lines: lines, totals: totals), source: source,
                      replace: replace, actor: actor)
    }

    /// Stores a BPU run as its file is read, checked and computed, a window at a time, in one
    /// write transaction, drawn from `budgetID`'s envelope: refused with `PremiumRunError.overdraw`
    /// when its total exceeds what the envelope has left (a replaced run's own total is given back
    /// first), once the file has been read and found valid and the run's own refusals have been
    /// made. Same-file and `replace` rules as payroll.
    package func importBPU(budgetID: String, period: Period, file: BPUFile.Reading,
                           source: SourceFile, replace: Bool, actor: String) throws -> PremiumImportResult {
        let report = RowProgress.report
        return try write(PremiumImport.bpuOperation(period)) { db in
            var progress = RowProgress.Counter(report)
            guard let stored = try SQLiteLedger.fetchBudget(db, id: budgetID) else { throw StoreError.notFound("budget \(budgetID)") }
            guard stored.budget.covers(period) else {
                throw PremiumRunRefusal.periodOutsideBudgetYear(budget: budgetID, year: stored.budget.year, period: period)
            }
            let command = PremiumImport.bpuCommand(source: source, period: period, budgetID: budgetID)
            var streamed: StreamedImport
            do {
                streamed = StreamedImport(try SQLiteLedger.prepareRun(db, kind: .bpu, owner: budgetID, period: period, source: source,
                                                                      replace: replace, command: command, actor: actor))
            } catch {
                streamed = try StreamedImport(refused: error)
            }
            if let run = streamed.writing {
                streamed.runID = try SQLiteLedger.saveRun(db, run, kind: .bpu, owner: budgetID, period: period, source: source,
                                                          lines: 0, employer: .zero, employee: .zero, grand: .zero, actor: actor)
            }
            while let part = file.nextPart() {
                guard let runID = streamed.runID, !file.isRefused else { continue }
                try SQLiteLedger.insertBPULines(db, part.lines, runID: runID, progress: &progress)
            }
            switch try streamed.finish(file) {
            case .unchanged(let same):
                return PremiumImportResult.make(outcome: .unchanged, run: same)
            case .stored(let run, let runID, let totals):
                // The run's own row (new, or the replaced one) is left out, as before it was written.
                let use = try SQLiteLedger.envelopeUse(db, budget: stored.budget, excludingRun: runID)
                if let by = use.overdraw(by: totals.total) {
                    throw PremiumRunError.overdraw(budget: budgetID, period: period, total: totals.total, workers: totals.lines, use: use, by: by)
                }
                try db.execute(sql: "UPDATE premium_run SET line_count = ?, employer_total = ?, employee_total = 0, grand_total = ? WHERE id = ?",
                               arguments: [totals.lines, totals.total.value, totals.total.value, runID])
                return try SQLiteLedger.finishImport(db, run, runID: runID, kind: .bpu, source: source, actor: actor,
                                                     details: PremiumImport.bpuDetails(budgetID: budgetID, period: period, totals: totals,
                                                                                       remainingAfter: use.remaining.value - totals.total.value))
            }
        }
    }

    /// Many lines per statement, bound through SQLite's C API (`BulkStatement`), 10,000 at a time
    /// so that progress is reported as they go.
    static func insertBPULines(_ db: Database, _ lines: [BPULine], runID: Int64, progress: inout RowProgress.Counter) throws {
        for start in stride(from: 0, to: lines.count, by: 10_000) {
            let part = lines[start..<min(start + 10_000, lines.count)]
            let stored = try BulkStatement.insert(db, """
                INSERT INTO bpu_line (run_id, line, nik, name, occupation, declared_income, jkk, jkm, jht, total) VALUES
                """, row: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", width: 10, count: part.count) { statement, column, index in
                let line = part[start + index], p = line.premiums, row = line.row
                statement.bind(column + 1, runID); statement.bind(column + 2, Int64(row.line))
                statement.bind(column + 3, row.nik.digits); statement.bind(column + 4, row.name)
                statement.bind(column + 5, row.occupation); statement.bind(column + 6, row.declaredIncome.value)
                statement.bind(column + 7, p.jkk.value); statement.bind(column + 8, p.jkm.value)
                statement.bind(column + 9, p.jht.value); statement.bind(column + 10, p.total.value)
            }
            progress.add(stored)
        }
    }

    static func prepareRun(_ db: Database, kind: PremiumRunKind, owner: String, period: Period, source: SourceFile,
                           replace: Bool, command: String, actor: String) throws -> PreparedRun {
        switch try PreparedRun.decide(existing: findRun(db, kind: kind, owner: owner, period: period), source: source,
                                      replace: replace, command: command) {
        case .decided(let prepared):
            return prepared
        case .cancelRemittanceThenReplace(let run, let remittance):
            try cancelRemittance(db, remittance, run: run, actor: actor)
            return .replace(run, cancelled: remittance)
        }
    }

    /// Cancels a queued remittance that never went to the bank, and its batch once nothing else in it is live.
    static func cancelRemittance(_ db: Database, _ remittance: RemittanceStatus, run: PremiumRunSummary, actor: String) throws {
        let now = systemTimestamp()
        try db.execute(sql: """
            UPDATE transfer SET state = 'cancelled', next_action_at = NULL, updated_at = ?
            WHERE id = ? AND attempts = 0 AND state IN (\(StoreSQL.list(RemittanceStatus.cancellable)))
            """, arguments: [now, remittance.transferID])
        guard db.changesCount == 1 else { throw PremiumRunError.remittancePosted(run, remittance) }
        if let batch = remittance.batchID {
            let live = try Int.fetchOne(db, sql: "SELECT count(*) FROM transfer WHERE batch_id = ? AND state != 'cancelled'",
                                        arguments: [batch]) ?? 0
            if live == 0 {
                try db.execute(sql: "UPDATE batch SET state = 'cancelled', updated_at = ? WHERE id = ?", arguments: [now, batch])
            }
        }
        try audit(db, actor: actor, action: "remittance.cancel", subject: remittance.partnerReferenceNo,
                  details: Remittance.cancelDetails(run, remittance: remittance))
    }

    /// Inserts the run row, or rewrites the replaced one (its lines deleted); returns its id.
    static func saveRun(_ db: Database, _ prepared: PreparedRun, kind: PremiumRunKind, owner: String, period: Period,
                        source: SourceFile, lines: Int, employer: Rupiah, employee: Rupiah, grand: Rupiah, actor: String) throws -> Int64 {
        let now = systemTimestamp()
        switch prepared {
        case .new:
            try db.execute(sql: """
                INSERT INTO premium_run (kind, agreement_id, budget_id, period, revision, source_path, source_sha256, line_count,
                    employer_total, employee_total, grand_total, imported_by, imported_at)
                VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [kind.rawValue, kind == .payroll ? owner : nil, kind == .bpu ? owner : nil, period.description,
                                 source.path, source.sha256, lines, employer.value, employee.value, grand.value, actor, now])
            return db.lastInsertedRowID
        case .replace(let run, _):
            try db.execute(sql: "DELETE FROM \(kind == .payroll ? "payroll_line" : "bpu_line") WHERE run_id = ?", arguments: [run.id])
            try db.execute(sql: """
                UPDATE premium_run SET revision = revision + 1, source_path = ?, source_sha256 = ?, line_count = ?,
                    employer_total = ?, employee_total = ?, grand_total = ?, remittance_transfer_id = NULL,
                    imported_by = ?, imported_at = ?
                WHERE id = ?
                """, arguments: [source.path, source.sha256, lines, employer.value, employee.value, grand.value, actor, now, run.id])
            return run.id
        case .unchanged(let run):
            return run.id
        }
    }

    static func finishImport(_ db: Database, _ prepared: PreparedRun, runID: Int64, kind: PremiumRunKind, source: SourceFile,
                             actor: String, details: [String: String]) throws -> PremiumImportResult {
        let (outcome, withFile) = prepared.outcome(source: source, details: details)
        var details = withFile
        guard let run = try findRun(db, id: runID) else { throw StoreError.notFound("premium run \(runID)") }
        details["revision"] = String(run.revision)
        try audit(db, actor: actor, action: "\(kind.rawValue).import", subject: "\(run.owner) \(run.period)", details: details)
        return PremiumImportResult.make(outcome: outcome, run: run)
    }

    // MARK: Finding runs

    static let runSelect = """
        SELECT r.*, t.partner_reference_no AS t_reference, t.state AS t_state, t.batch_id AS t_batch, t.amount AS t_amount,
               t.attempts AS t_attempts, t.settled_at AS t_settled_at
        FROM premium_run r LEFT JOIN transfer t ON t.id = r.remittance_transfer_id
        """

    static func findRun(_ db: Database, kind: PremiumRunKind, owner: String, period: Period) throws -> PremiumRunSummary? {
        let column = kind == .payroll ? "agreement_id" : "budget_id"
        return try Row.fetchOne(db, sql: runSelect + " WHERE r.kind = ? AND r.\(column) = ? AND r.period = ?",
                                arguments: [kind.rawValue, owner, period.description]).map(runSummary)
    }

    static func findRun(_ db: Database, id: Int64) throws -> PremiumRunSummary? {
        try Row.fetchOne(db, sql: runSelect + " WHERE r.id = ?", arguments: [id]).map(runSummary)
    }

    /// The run of `kind` for `period`: of `owner` when given, else the only one for the period.
    static func resolveRun(_ db: Database, kind: PremiumRunKind, owner: String?, period: Period) throws -> PremiumRunSummary {
        if let owner {
            guard let run = try findRun(db, kind: kind, owner: owner, period: period) else {
                throw PremiumRunError.noRun(kind: kind, owner: "\(kind == .payroll ? "agreement" : "budget") \(owner)", period: period)
            }
            return run
        }
        let runs = try Row.fetchAll(db, sql: runSelect + " WHERE r.kind = ? AND r.period = ? ORDER BY r.id",
                                    arguments: [kind.rawValue, period.description]).map(runSummary)
        guard let run = runs.first else { throw PremiumRunError.noRun(kind: kind, owner: nil, period: period) }
        guard runs.count == 1 else {
            throw PremiumRunError.ambiguous(period: period, agreements: runs.compactMap { $0.agreementID ?? $0.budgetID })
        }
        return run
    }

    /// Runs of one agreement or budget, newest period first.
    package func premiumRuns(kind: PremiumRunKind, owner: String) throws -> [PremiumRunSummary] {
        try read { db in
            let column = kind == .payroll ? "agreement_id" : "budget_id"
            return try Row.fetchAll(db, sql: SQLiteLedger.runSelect + " WHERE r.kind = ? AND r.\(column) = ? ORDER BY r.period DESC",
                                    arguments: [kind.rawValue, owner]).map(SQLiteLedger.runSummary)
        }
    }

    /// The run of `kind` for `period` (of `owner`, if given).
    package func premiumRun(kind: PremiumRunKind, owner: String?, period: Period) throws -> PremiumRunSummary {
        try read { db in try SQLiteLedger.resolveRun(db, kind: kind, owner: owner, period: period) }
    }

    static func runSummary(_ row: Row) throws -> PremiumRunSummary {
        let id: Int64 = row["id"]
        guard let kind = PremiumRunKind(rawValue: row["kind"]), let period = Period(row["period"] as String) else {
            throw StoreError.refused(PremiumImport.unreadable(id: id))
        }
        var remittance: RemittanceStatus?
        if let transferID: Int64 = row["remittance_transfer_id"] {
            remittance = RemittanceStatus.make(transferID: transferID, partnerReferenceNo: row["t_reference"], state: row["t_state"],
                                          batchID: row["t_batch"], amount: Rupiah(row["t_amount"] as Int64), attempts: row["t_attempts"],
                                          settledAt: row["t_settled_at"])
        }
        return PremiumRunSummary.make(
            id: id, kind: kind, agreementID: row["agreement_id"], budgetID: row["budget_id"], period: period, revision: row["revision"],
            sourcePath: row["source_path"], sourceSHA256: row["source_sha256"], lines: row["line_count"],
            employerTotal: Rupiah(row["employer_total"] as Int64), employeeTotal: Rupiah(row["employee_total"] as Int64),
            grandTotal: Rupiah(row["grand_total"] as Int64), importedBy: row["imported_by"], importedAt: row["imported_at"],
            remittance: remittance)
    }
}
