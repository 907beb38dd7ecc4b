import Foundation
import PostgresNIO
package import SalurCore
package import SalurStore

/// Premium runs on PostgreSQL: a payroll (per agreement and period) or a BPU run (per budget and
/// period), imported all or nothing with their computed lines (bulk inserts of 5,000 rows a
/// statement), each import one audited transaction — port of `SQLiteLedger+PayrollRuns`.
///
/// An import or remittance first locks its agreement's or budget's row `FOR UPDATE`, so that two
/// imports of one period, an import and a remittance of it, or two BPU runs drawing on one envelope
/// never interleave; a queued remittance is cancelled only by an `UPDATE` that re-checks it has not
/// been posted, since the engine does not take those locks.
extension PostgresLedger {
    package func importPayroll(agreementID: String, period: Period, lines: [PayrollLine], totals: PremiumTotals,
                               source: SourceFile, replace: Bool, actor: String) async throws -> PremiumImportResult {
        try await importPayroll(agreementID: agreementID, period: period, file: PayrollFile.Reading(lines: lines, totals: totals),
                                source: source, replace: replace, actor: actor)
    }

    /// A payroll stored as its file is read, a window at a time, in one transaction (see
    /// `SQLiteLedger.importPayroll(agreementID:period:file:source:replace:actor:)`).
    package func importPayroll(agreementID: String, period: Period, file: PayrollFile.Reading,
                               source: SourceFile, replace: Bool, actor: String) async throws -> PremiumImportResult {
        let report = RowProgress.report
        return try await transaction(PremiumImport.payrollOperation(period)) { connection in
            var progress = RowProgress.Counter(report)
            guard let stored = try await self.fetchAgreement(connection, id: agreementID, lock: true) else {
                throw StoreError.notFound("agreement \(agreementID)")
            }
            guard stored.agreement.covers(period) else {
                throw PremiumRunRefusal.periodOutsideAgreement(agreement: stored.agreement, period: period)
            }
            let command = PremiumImport.payrollCommand(source: source, period: period, agreementID: agreementID)
            var streamed: StreamedImport
            do {
                streamed = StreamedImport(try await self.prepareRun(connection, kind: .payroll, owner: agreementID, period: period,
                                                                    source: source, replace: replace, command: command, actor: actor))
            } catch {
                streamed = try StreamedImport(refused: error)
            }
            if let run = streamed.writing {
                streamed.runID = try await self.saveRun(connection, run, kind: .payroll, owner: agreementID, period: period, source: source,
                                                        lines: 0, employer: .zero, employee: .zero, grand: .zero, actor: actor)
            }
            while let part = file.nextPart() {
                guard let runID = streamed.runID, !file.isRefused else { continue }
                try await self.insertPayrollLines(connection, part.lines, runID: runID, progress: &progress)
            }
            switch try streamed.finish(file) {
            case .unchanged(let same):
                return PremiumImportResult.make(outcome: .unchanged, run: same)
            case .stored(let run, let runID, let totals):
                try await self.execute(connection, """
                    UPDATE premium_run SET line_count = \(totals.lines), employer_total = \(totals.employerTotal.value),
                        employee_total = \(totals.employeeTotal.value), grand_total = \(totals.grandTotal.value)
                    WHERE id = \(runID)
                    """)
                return try await self.finishImport(connection, run, runID: runID, kind: .payroll, source: source, actor: actor,
                                                   details: PremiumImport.payrollDetails(agreementID: agreementID, period: period, totals: totals))
            }
        }
    }

    /// Inserts lines `chunk` at a time, one `unnest` statement each.
    func insertPayrollLines(_ connection: PostgresConnection, _ lines: [PayrollLine], runID: Int64,
                            progress: inout RowProgress.Counter) async throws {
        for start in stride(from: 0, to: lines.count, by: Self.chunk) {
            let chunk = lines[start..<min(start + Self.chunk, lines.count)]
            let rows = chunk.map(\.row), p = chunk.map(\.premiums)
            try await execute(connection, """
                INSERT INTO payroll_line (run_id, line, employee_id, nik, name, work_unit, risk_class, wage, jkk, jkm,
                    jht_employer, jht_employee, jp_employer, jp_employee, employer_total, employee_total)
                SELECT \(runID), * FROM unnest(\(rows.map { Int64($0.line) })::bigint[], \(rows.map(\.employeeID))::text[],
                    \(rows.map(\.nik.digits))::text[], \(rows.map(\.name))::text[], \(rows.map(\.workUnit))::text[],
                    \(chunk.map { Int64($0.riskClass.rawValue) })::bigint[], \(rows.map(\.grossWage.value))::bigint[],
                    \(p.map(\.jkk.value))::bigint[], \(p.map(\.jkm.value))::bigint[], \(p.map(\.jhtEmployer.value))::bigint[],
                    \(p.map(\.jhtEmployee.value))::bigint[], \(p.map(\.jpEmployer.value))::bigint[],
                    \(p.map(\.jpEmployee.value))::bigint[], \(p.map(\.employerTotal.value))::bigint[],
                    \(p.map(\.employeeTotal.value))::bigint[])
                """)
            progress.add(chunk.count)
        }
    }

    package func importBPU(budgetID: String, period: Period, lines: [BPULine], totals: BPUTotals,
                           source: SourceFile, replace: Bool, actor: String) async throws -> PremiumImportResult {
        try await importBPU(budgetID: budgetID, period: period, file: BPUFile.Reading(lines: lines, totals: totals), source: source,
                            replace: replace, actor: actor)
    }

    /// A BPU run stored as its file is read, a window at a time, in one transaction (see
    /// `SQLiteLedger.importBPU(budgetID:period:file:source:replace:actor:)`).
    package func importBPU(budgetID: String, period: Period, file: BPUFile.Reading,
                           source: SourceFile, replace: Bool, actor: String) async throws -> PremiumImportResult {
        let report = RowProgress.report
        return try await transaction(PremiumImport.bpuOperation(period)) { connection in
            var progress = RowProgress.Counter(report)
            guard let stored = try await self.fetchBudget(connection, id: budgetID, lock: true) else {
                throw StoreError.notFound("budget \(budgetID)")
            }
            guard stored.budget.covers(period) else {
                throw PremiumRunRefusal.periodOutsideBudgetYear(budget: budgetID, year: stored.budget.year, period: period)
            }
            let command = PremiumImport.bpuCommand(source: source, period: period, budgetID: budgetID)
            var streamed: StreamedImport
            do {
                streamed = StreamedImport(try await self.prepareRun(connection, kind: .bpu, owner: budgetID, period: period,
                                                                    source: source, replace: replace, command: command, actor: actor))
            } catch {
                streamed = try StreamedImport(refused: error)
            }
            if let run = streamed.writing {
                streamed.runID = try await self.saveRun(connection, run, kind: .bpu, owner: budgetID, period: period, source: source,
                                                        lines: 0, employer: .zero, employee: .zero, grand: .zero, actor: actor)
            }
            while let part = file.nextPart() {
                guard let runID = streamed.runID, !file.isRefused else { continue }
                try await self.insertBPULines(connection, part.lines, runID: runID, progress: &progress)
            }
            switch try streamed.finish(file) {
            case .unchanged(let same):
                return PremiumImportResult.make(outcome: .unchanged, run: same)
            case .stored(let run, let runID, let totals):
                // The run's own row (new, or the replaced one) is left out, as before it was written.
                let use = try await self.envelopeUse(connection, budget: stored.budget, excludingRun: runID)
                if let by = use.overdraw(by: totals.total) {
                    throw PremiumRunError.overdraw(budget: budgetID, period: period, total: totals.total, workers: totals.lines, use: use, by: by)
                }
                try await self.execute(connection, """
                    UPDATE premium_run SET line_count = \(totals.lines), employer_total = \(totals.total.value), employee_total = 0,
                        grand_total = \(totals.total.value)
                    WHERE id = \(runID)
                    """)
                return try await self.finishImport(connection, run, runID: runID, kind: .bpu, source: source, actor: actor,
                                                   details: PremiumImport.bpuDetails(budgetID: budgetID, period: period, totals: totals,
                                                                                     remainingAfter: use.remaining.value - totals.total.value))
            }
        }
    }

    /// Inserts lines `chunk` at a time, one `unnest` statement each.
    func insertBPULines(_ connection: PostgresConnection, _ lines: [BPULine], runID: Int64,
                        progress: inout RowProgress.Counter) async throws {
        for start in stride(from: 0, to: lines.count, by: Self.chunk) {
            let chunk = lines[start..<min(start + Self.chunk, lines.count)]
            let rows = chunk.map(\.row), p = chunk.map(\.premiums)
            try await execute(connection, """
                INSERT INTO bpu_line (run_id, line, nik, name, occupation, declared_income, jkk, jkm, jht, total)
                SELECT \(runID), * FROM unnest(\(rows.map { Int64($0.line) })::bigint[], \(rows.map(\.nik.digits))::text[],
                    \(rows.map(\.name))::text[], \(rows.map(\.occupation))::text[], \(rows.map(\.declaredIncome.value))::bigint[],
                    \(p.map(\.jkk.value))::bigint[], \(p.map(\.jkm.value))::bigint[], \(p.map(\.jht.value))::bigint[],
                    \(p.map(\.total.value))::bigint[])
                """)
            progress.add(chunk.count)
        }
    }

    /// Called with the owner's row locked, so the run found here stays the period's run until commit.
    func prepareRun(_ connection: PostgresConnection, kind: PremiumRunKind, owner: String, period: Period, source: SourceFile,
                    replace: Bool, command: String, actor: String) async throws -> PreparedRun {
        switch try PreparedRun.decide(existing: await findRun(connection, kind: kind, owner: owner, period: period),
                                      source: source, replace: replace, command: command) {
        case .decided(let prepared):
            return prepared
        case .cancelRemittanceThenReplace(let run, let remittance):
            let cancelled = try await cancelRemittance(connection, remittance, run: run, actor: actor)
            return .replace(run, cancelled: cancelled ? remittance : nil)
        }
    }

    /// Cancels a queued remittance that never went to the bank, and its batch once nothing else in
    /// it is live. The `UPDATE` re-checks the transfer under its row lock: an engine that claimed it
    /// meanwhile wins, and the replace is refused; an operator who cancelled it meanwhile leaves
    /// nothing to cancel (returns false).
    func cancelRemittance(_ connection: PostgresConnection, _ remittance: RemittanceStatus, run: PremiumRunSummary,
                          actor: String) async throws -> Bool {
        let now = Timestamp.iso8601(clock.now)
        let changed = try await execute(connection, """
            UPDATE transfer SET state = 'cancelled', next_action_at = NULL, updated_at = \(now)
            WHERE id = \(remittance.transferID) AND attempts = 0 AND state IN (\(unescaped: StoreSQL.list(RemittanceStatus.cancellable)))
            RETURNING 1
            """)
        guard changed == 1 else {
            let current = try await connection.statement("""
                SELECT state, attempts FROM transfer WHERE id = \(remittance.transferID)
                """, logger: logger).first?.decode((String, Int).self)
            if let current, current.0 == "cancelled", current.1 == 0 { return false }
            throw PremiumRunError.remittancePosted(run, remittance)
        }
        if let batch = remittance.batchID {
            let live = try await connection.statement("""
                SELECT count(*) FROM transfer WHERE batch_id = \(batch) AND state <> 'cancelled'
                """, logger: logger).first?.decode(Int.self) ?? 0
            if live == 0 {
                try await execute(connection, "UPDATE batch SET state = 'cancelled', updated_at = \(now) WHERE id = \(batch)")
            }
        }
        try await audit(connection, actor: actor, action: "remittance.cancel", subject: remittance.partnerReferenceNo,
                        details: Remittance.cancelDetails(run, remittance: remittance))
        return true
    }

    /// Inserts the run row, or rewrites the replaced one (its lines deleted); returns its id.
    func saveRun(_ connection: PostgresConnection, _ prepared: PreparedRun, kind: PremiumRunKind, owner: String, period: Period,
                 source: SourceFile, lines: Int, employer: Rupiah, employee: Rupiah, grand: Rupiah, actor: String) async throws -> Int64 {
        let now = Timestamp.iso8601(clock.now)
        switch prepared {
        case .new:
            let agreementID: String? = kind == .payroll ? owner : nil, budgetID: String? = kind == .bpu ? owner : nil
            guard let id = try await connection.statement("""
                INSERT INTO premium_run (kind, agreement_id, budget_id, period, revision, source_path, source_sha256, line_count,
                    employer_total, employee_total, grand_total, imported_by, imported_at)
                VALUES (\(kind.rawValue), \(agreementID), \(budgetID), \(period.description), 1, \(source.path), \(source.sha256),
                        \(lines), \(employer.value), \(employee.value), \(grand.value), \(actor), \(now))
                RETURNING id
                """, logger: logger).first?.decode(Int64.self) else {
                throw StoreError.notFound("the new premium run for \(period)")
            }
            return id
        case .replace(let run, _):
            try await execute(connection, "DELETE FROM \(unescaped: kind == .payroll ? "payroll_line" : "bpu_line") WHERE run_id = \(run.id)")
            try await execute(connection, """
                UPDATE premium_run SET revision = revision + 1, source_path = \(source.path), source_sha256 = \(source.sha256),
                    line_count = \(lines), employer_total = \(employer.value), employee_total = \(employee.value),
                    grand_total = \(grand.value), remittance_transfer_id = NULL, imported_by = \(actor), imported_at = \(now)
                WHERE id = \(run.id)
                """)
            return run.id
        case .unchanged(let run):
            return run.id
        }
    }

    func finishImport(_ connection: PostgresConnection, _ prepared: PreparedRun, runID: Int64, kind: PremiumRunKind, source: SourceFile,
                      actor: String, details: [String: String]) async throws -> PremiumImportResult {
        let (outcome, withFile) = prepared.outcome(source: source, details: details)
        var details = withFile
        guard let run = try await findRun(connection, id: runID) else { throw StoreError.notFound("premium run \(runID)") }
        details["revision"] = String(run.revision)
        try await audit(connection, actor: actor, action: "\(kind.rawValue).import", subject: "\(run.owner) \(run.period)", details: details)
        return PremiumImportResult.make(outcome: outcome, run: run)
    }

    // MARK: Finding runs

    static let runSelect = """
        SELECT r.id, r.kind, r.agreement_id, r.budget_id, r.period, r.revision, r.source_path, r.source_sha256, r.line_count,
               r.employer_total, r.employee_total, r.grand_total, r.imported_by, r.imported_at, r.remittance_transfer_id,
               t.partner_reference_no AS t_reference, t.state AS t_state, t.batch_id AS t_batch, t.amount AS t_amount,
               t.attempts AS t_attempts, t.settled_at AS t_settled_at
        FROM premium_run r LEFT JOIN transfer t ON t.id = r.remittance_transfer_id
        """

    func findRun(_ connection: PostgresConnection, kind: PremiumRunKind, owner: String, period: Period) async throws -> PremiumRunSummary? {
        let column = kind == .payroll ? "agreement_id" : "budget_id"
        return try await rows(connection, """
            \(unescaped: Self.runSelect) WHERE r.kind = \(kind.rawValue) AND r.\(unescaped: column) = \(owner) AND r.period = \(period.description)
            """).first.map(Self.runSummary)
    }

    func findRun(_ connection: PostgresConnection, id: Int64) async throws -> PremiumRunSummary? {
        try await rows(connection, "\(unescaped: Self.runSelect) WHERE r.id = \(id)").first.map(Self.runSummary)
    }

    /// The run of `kind` for `period`: of `owner` when given, else the only one for the period.
    func resolveRun(_ connection: PostgresConnection, kind: PremiumRunKind, owner: String?, period: Period) async throws -> PremiumRunSummary {
        if let owner {
            guard let run = try await findRun(connection, kind: kind, owner: owner, period: period) else {
                throw PremiumRunError.noRun(kind: kind, owner: "\(kind == .payroll ? "agreement" : "budget") \(owner)", period: period)
            }
            return run
        }
        let runs = try await rows(connection, """
            \(unescaped: Self.runSelect) WHERE r.kind = \(kind.rawValue) AND r.period = \(period.description) ORDER BY r.id
            """).map(Self.runSummary)
        guard let run = runs.first else { throw PremiumRunError.noRun(kind: kind, owner: nil, period: period) }
        guard runs.count == 1 else {
            throw PremiumRunError.ambiguous(period: period, agreements: runs.compactMap { $0.agreementID ?? $0.budgetID })
        }
        return run
    }

    package func premiumRuns(kind: PremiumRunKind, owner: String) async throws -> [PremiumRunSummary] {
        try await withConnection("reading premium runs") { connection in
            let column = kind == .payroll ? "agreement_id" : "budget_id"
            return try await self.rows(connection, """
                \(unescaped: Self.runSelect) WHERE r.kind = \(kind.rawValue) AND r.\(unescaped: column) = \(owner)
                ORDER BY r.period COLLATE "C" DESC
                """).map(Self.runSummary)
        }
    }

    static func runSummary(_ row: PostgresRandomAccessRow) throws -> PremiumRunSummary {
        let id = try row["id"].decode(Int64.self)
        guard let kind = PremiumRunKind(rawValue: try row["kind"].decode(String.self)),
              let period = Period(try row["period"].decode(String.self)) else {
            throw StoreError.refused(PremiumImport.unreadable(id: id))
        }
        var remittance: RemittanceStatus?
        if let transferID = try row["remittance_transfer_id"].decode(Int64?.self) {
            remittance = RemittanceStatus.make(
                transferID: transferID, partnerReferenceNo: try row["t_reference"].decode(String.self),
                state: try row["t_state"].decode(String.self), batchID: try row["t_batch"].decode(String?.self),
                amount: Rupiah(try row["t_amount"].decode(Int64.self)), attempts: try row["t_attempts"].decode(Int.self),
                settledAt: try row["t_settled_at"].decode(String?.self))
        }
        return PremiumRunSummary.make(
            id: id, kind: kind, agreementID: try row["agreement_id"].decode(String?.self), budgetID: try row["budget_id"].decode(String?.self),
            period: period, revision: try row["revision"].decode(Int.self), sourcePath: try row["source_path"].decode(String.self),
            sourceSHA256: try row["source_sha256"].decode(String.self), lines: try row["line_count"].decode(Int.self),
            employerTotal: Rupiah(try row["employer_total"].decode(Int64.self)),
            employeeTotal: Rupiah(try row["employee_total"].decode(Int64.self)),
            grandTotal: Rupiah(try row["grand_total"].decode(Int64.self)), importedBy: try row["imported_by"].decode(String.self),
            importedAt: try row["imported_at"].decode(String.self), remittance: remittance)
    }
}
