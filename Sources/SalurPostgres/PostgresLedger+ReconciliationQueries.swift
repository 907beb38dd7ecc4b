import Foundation
import PostgresNIO
package import SalurCore
package import SalurStore

/// Reconciliation as operators read and steer it, on PostgreSQL: ports of
/// SQLiteLedger+ReconciliationQueries.swift with the same results and refusals.
extension PostgresLedger {
    /// When reconciliation last ran and the open exceptions by kind (for the metrics).
    package func reconciliationGauges() async throws -> ReconciliationGauges {
        try await withConnection("reading the reconciliation gauges") { connection in
            var counts: [(String, Int)] = []
            for try await (kind, count) in try await connection.streamedStatement(PostgresQuery(unsafeSQL: ReconciliationGauges.openExceptionsSQL),
                                                                      logger: self.logger).decode((String, Int).self) {
                counts.append((kind, count))
            }
            let lastRunAt = try await connection.statement(PostgresQuery(unsafeSQL: ReconciliationGauges.lastRunSQL), logger: self.logger)
                .first?.decode(String.self)
            return ReconciliationGauges(lastRunAt: lastRunAt, openExceptions: ReconciliationGauges.open(counts))
        }
    }

    /// Matched, unmatched and open exceptions, for one month in the bank's time zone or for all time.
    package func reconciliationStatus(period: Period?, utcOffsetHours: Int) async throws -> ReconciliationStatus {
        try await withConnection("reading the reconciliation status") { connection in
            var status = ReconciliationStatus()
            status.period = period?.description
            // A month none of whose hours is marked, then no transfer changed at all: the kept figures.
            var kept: ReconciliationBasis.Figures?
            let recorded = try await connection.statement(PostgresQuery(unsafeSQL: ReconciliationMarks.basisSQL), logger: self.logger)
                .first?.decode((String, Int64, Int64, Int64).self)
            if let recorded, let period, let hours = ReconciliationMarks.hours(of: period, utcOffsetHours: utcOffsetHours),
               let figures = ReconciliationMarks.figures(recorded.0, marksKept: recorded.2, utcOffsetHours: utcOffsetHours, lastEntry: recorded.3) {
                var bindings = PostgresBindings()
                bindings.append(hours.from)
                bindings.append(hours.to)
                if try await self.scalar(connection, PostgresQuery(unsafeSQL: ReconciliationMarks.markedSQL(from: "$1", to: "$2"), binds: bindings)) == 0 {
                    kept = figures
                }
            }
            if kept == nil, let recorded, recorded.1 == 0 {
                let basis = try await connection.statement(PostgresQuery(unsafeSQL: ReconciliationBasis.statusSQL), logger: self.logger)
                    .first?.decode((String?, Int64?, Int64, Int64).self)
                kept = ReconciliationBasis.statusFigures(basis?.0, transfersChanged: basis?.1, utcOffsetHours: utcOffsetHours,
                                                         lastEntry: basis?.2 ?? 0, transfers: basis?.3 ?? 0)
            }
            if let kept { status.setKept(kept, period: period) }
            var bindings = PostgresBindings()
            var transferFilter = ""
            if let period {
                bindings.append(period.description)
                transferFilter = " AND \(Self.bankTime("t.settled_at", utcOffsetHours, format: "YYYY-MM")) = $1"
            }
            if kept == nil, let (matched, matchedAmount, matchedWeak, unmatched, unmatchedAmount) = try await connection.statement(PostgresQuery(unsafeSQL: """
                SELECT
                    count(m.transfer_id),
                    coalesce(sum(CASE WHEN m.transfer_id IS NOT NULL THEN t.amount END), 0)::bigint,
                    coalesce(sum(CASE WHEN m.weak = 1 THEN 1 ELSE 0 END), 0)::bigint,
                    coalesce(sum(CASE WHEN m.transfer_id IS NULL THEN 1 ELSE 0 END), 0)::bigint,
                    coalesce(sum(CASE WHEN m.transfer_id IS NULL THEN t.amount END), 0)::bigint
                FROM transfer t
                LEFT JOIN (SELECT transfer_id, min(CASE match_kind WHEN 'reference' THEN 0 ELSE 1 END) AS weak
                           FROM statement_entry WHERE match_kind IN (\(StoreSQL.list(MatchKind.paid))) GROUP BY transfer_id) m
                    ON m.transfer_id = t.id
                WHERE t.state IN ('settled', 'returned')\(transferFilter)
                """, binds: bindings), logger: self.logger).first?.decode((Int, Int64, Int, Int, Int64).self) {
                status.matched = matched
                status.matchedAmount = matchedAmount
                status.matchedWeak = matchedWeak
                status.unmatched = unmatched
                status.unmatchedAmount = unmatchedAmount
            }

            for kind in ExceptionKind.allCases {
                status.exceptions[kind.rawValue] = 0
                status.exceptionAmounts[kind.rawValue] = 0
            }
            var dayBindings = PostgresBindings()
            if let period { dayBindings.append(period.description) }
            let dayFilter = period == nil ? "" : " AND substr(day, 1, 7) = $1"
            for try await (kind, state, count, total) in try await connection.streamedStatement(PostgresQuery(unsafeSQL: """
                SELECT kind, state, count(*), coalesce(sum(amount), 0)::bigint FROM reconciliation_exception
                WHERE state IN ('open', 'resolved')\(dayFilter) GROUP BY kind, state
                """, binds: dayBindings), logger: self.logger).decode((String, String, Int, Int64).self) {
                if state == "open" {
                    status.exceptions[kind] = count
                    status.exceptionAmounts[kind] = total
                } else {
                    status.resolved[kind] = count
                }
            }
            status.flaggedRecipients = status.exceptions[ExceptionKind.returned.rawValue] ?? 0

            var statementBindings = PostgresBindings()
            var statementFilter = ""
            if let period {
                let (first, last) = StatementPeriod.bounds(period)
                statementBindings.append(last)
                statementBindings.append(first)
                statementFilter = " WHERE opening_date <= $1 AND closing_date >= $2"
            }
            status.statements = try await connection.statement(PostgresQuery(unsafeSQL: StoreSQL.countStatements + statementFilter,
                                                                         binds: statementBindings), logger: self.logger)
                .first?.decode(Int.self) ?? 0
            guard kept == nil else { return status }
            let entryFilter = period == nil ? "" : " AND substr(value_date, 1, 7) = $1"
            if let (count, total) = try await connection.statement(PostgresQuery(unsafeSQL: """
                SELECT count(*), coalesce(sum(amount), 0)::bigint FROM statement_entry
                WHERE status = 'booked' AND direction = 'debit'\(entryFilter)
                """, binds: dayBindings), logger: self.logger).first?.decode((Int, Int64).self) {
                status.statementDebits = count
                status.statementDebitAmount = total
            }
            var items: [(kind: String, count: Int, sen: Int64)] = []
            for try await (kind, count, sen) in try await connection.streamedStatement(PostgresQuery(
                unsafeSQL: ReconciliationStatus.bankItemsSQL(month: period == nil ? nil : "$1"), binds: dayBindings
            ), logger: self.logger).decode((String, Int, Int64).self) {
                items.append((kind, count, sen))
            }
            status.setBankItems(items)
            return status
        }
    }

    /// Exceptions in id order (open ones unless the filter says otherwise).
    package func reconciliationExceptions(_ filter: ExceptionFilter = ExceptionFilter()) async throws -> [ReconciliationException] {
        try await withConnection("reading exceptions") { connection in
            try await self.exceptions(connection, filter)
        }
    }

    func exceptions(_ connection: PostgresConnection, _ filter: ExceptionFilter) async throws -> [ReconciliationException] {
        var bindings = PostgresBindings()
        bindings.append((filter.states ?? ["open"]).sorted())
        var clauses = ["x.state = ANY($1::text[])"]
        if let kind = filter.kind { bindings.append(kind); clauses.append("x.kind = $\(bindings.count)") }
        if let period = filter.period { bindings.append(period); clauses.append("substr(x.day, 1, 7) = $\(bindings.count)") }
        var result: [ReconciliationException] = []
        for try await (id, kind, state, amount, day, evidence, transferID, reference, transferState, nik, name, entryID, statementID, line,
                       detectedAt, resolvedBy, resolvedAt, resolution, clearedAt) in try await connection.streamedStatement(PostgresQuery(unsafeSQL: """
            SELECT x.id, x.kind, x.state, x.amount, x.day, x.evidence, x.transfer_id, t.partner_reference_no, t.state, t.nik,
                   t.beneficiary_name, x.entry_id, s.statement_id, e.line, x.detected_at, x.resolved_by, x.resolved_at, x.resolution,
                   x.cleared_at
            FROM reconciliation_exception x
            LEFT JOIN transfer t ON t.id = x.transfer_id
            LEFT JOIN statement_entry e ON e.id = x.entry_id
            LEFT JOIN statement s ON s.id = e.statement_row
            WHERE \(clauses.joined(separator: " AND "))
            ORDER BY x.id
            """, binds: bindings), logger: logger).decode((Int64, String, String, Int64, String, String, Int64?, String?, String?, String?,
                                                          String?, Int64?, String?, Int?, String, String?, String?, String?, String?).self) {
            result.append(ReconciliationException.make(
                id: id, kind: kind, state: state, amount: amount, day: day, evidence: evidence, transferID: transferID,
                partnerReferenceNo: reference, transferState: transferState, nik: nik, name: name, entryID: entryID,
                statementId: statementID, statementLine: line, detectedAt: detectedAt, resolvedBy: resolvedBy, resolvedAt: resolvedAt,
                resolution: resolution, clearedAt: clearedAt))
        }
        return result
    }

    /// Marks an open exception resolved with the operator's reason, audited. Holds
    /// `LockKey.reconcile`, so a reconciliation run never clears what is being resolved.
    package func resolveReconciliationException(id: Int64, reason: String, actor: String) async throws -> ReconciliationException {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw StoreError.refused(ReconciliationException.reasonMissing) }
        return try await transaction("resolving an exception") { connection in
            try await self.execute(connection, "SELECT pg_advisory_xact_lock(\(LockKey.reconcile.rawValue))")
            guard let (kind, state, amount, resolvedBy, resolvedAt, clearedAt, reference) = try await connection.statement("""
                SELECT x.kind, x.state, x.amount, x.resolved_by, x.resolved_at, x.cleared_at, t.partner_reference_no
                FROM reconciliation_exception x LEFT JOIN transfer t ON t.id = x.transfer_id WHERE x.id = \(id)
                FOR UPDATE OF x
                """, logger: self.logger).first?.decode((String, String, Int64, String?, String?, String?, String?).self) else {
                throw StoreError.notFound(ReconciliationException.notFound(id: id))
            }
            switch state {
            case "resolved":
                throw StoreError.refused(ReconciliationException.alreadyResolved(id: id, by: resolvedBy, at: resolvedAt))
            case "cleared":
                throw StoreError.refused(ReconciliationException.alreadyCleared(id: id, at: clearedAt))
            default:
                break
            }
            let now = Timestamp.iso8601(clock.now)
            try await self.execute(connection, """
                UPDATE reconciliation_exception SET state = 'resolved', resolved_by = \(actor), resolved_at = \(now), resolution = \(trimmed),
                    updated_at = \(now)
                WHERE id = \(id)
                """)
            try await self.audit(connection, actor: actor, action: "reconcile.resolve", subject: "exception \(id)", details: [
                "kind": kind, "amount": String(amount), "reason": trimmed, "transfer": reference ?? "",
            ])
            guard let resolved = try await self.exceptions(connection, ExceptionFilter(states: ["resolved"])).first(where: { $0.id == id }) else {
                throw StoreError.notFound("exception \(id)")
            }
            return resolved
        }
    }

    /// Recipients whose payment was credited back and not yet resolved: the operator's to-do list.
    package func flaggedRecipients() async throws -> [FlaggedRecipient] {
        try await withConnection("reading flagged recipients") { connection in
            var result: [FlaggedRecipient] = []
            for try await (exceptionID, day, evidence, transferID, recipientID, nik, name, account, reference, amount)
                in try await connection.streamedStatement("""
                SELECT x.id, x.day, x.evidence, t.id, t.recipient_id, t.nik, t.beneficiary_name,
                       t.beneficiary_account, t.partner_reference_no, t.amount
                FROM reconciliation_exception x JOIN transfer t ON t.id = x.transfer_id
                WHERE x.kind = 'returned' AND x.state = 'open' ORDER BY x.id
                """, logger: self.logger).decode((Int64, String, String, Int64, Int64?, String?, String, String, String, Int64).self) {
                result.append(FlaggedRecipient.make(exceptionID: exceptionID, recipientID: recipientID, nik: nik, name: name,
                                                    accountNo: account, transferID: transferID, partnerReferenceNo: reference,
                                                    amount: amount, returnedOn: day, evidence: evidence))
            }
            return result
        }
    }
}
