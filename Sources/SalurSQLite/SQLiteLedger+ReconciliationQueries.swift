import Foundation
import GRDB
package import SalurCore
package import SalurStore

/// Reconciliation as operators read and steer it: status, exceptions, resolutions, flagged recipients.
extension SQLiteLedger {
    /// When reconciliation last ran and the open exceptions by kind (for the metrics).
    package func reconciliationGauges() throws -> ReconciliationGauges {
        try read { db in
            let counts = try Row.fetchAll(db, sql: ReconciliationGauges.openExceptionsSQL).map { row -> (String, Int) in (row[0], row[1]) }
            return ReconciliationGauges(lastRunAt: try String.fetchOne(db, sql: ReconciliationGauges.lastRunSQL),
                                        openExceptions: ReconciliationGauges.open(counts))
        }
    }

    /// Matched, unmatched and open exceptions, for one month in the bank's time zone or for all time.
    package func reconciliationStatus(period: Period?, utcOffsetHours: Int) throws -> ReconciliationStatus {
        try read { db in
            var status = ReconciliationStatus()
            status.period = period?.description
            // A month none of whose hours is marked, then no transfer changed at all: the kept figures.
            var kept: ReconciliationBasis.Figures?
            let recorded = try Row.fetchOne(db, sql: ReconciliationMarks.basisSQL)
            if let recorded, let period, let hours = ReconciliationMarks.hours(of: period, utcOffsetHours: utcOffsetHours),
               let figures = ReconciliationMarks.figures(recorded[0], marksKept: recorded[2], utcOffsetHours: utcOffsetHours, lastEntry: recorded[3]),
               try Int.fetchOne(db, sql: ReconciliationMarks.markedSQL(from: "?", to: "?"), arguments: [hours.from, hours.to]) == 0 {
                kept = figures
            }
            if kept == nil, let recorded, recorded[1] as Int64? == 0 {
                let basis = try Row.fetchOne(db, sql: ReconciliationBasis.statusSQL)
                kept = ReconciliationBasis.statusFigures(basis?[0], transfersChanged: basis?[1], utcOffsetHours: utcOffsetHours,
                                                         lastEntry: basis?[2] ?? 0, transfers: basis?[3] ?? 0)
            }
            if let kept { status.setKept(kept, period: period) }
            let shift = SQLiteLedger.shift(utcOffsetHours)
            var transferFilter = ""
            var arguments: StatementArguments = []
            if let period {
                transferFilter = " AND strftime('%Y-%m', t.settled_at, ?) = ?"
                arguments += [shift, period.description]
            }
            if kept == nil {
                let row = try Row.fetchOne(db, sql: """
                    SELECT
                        count(m.transfer_id) AS matched,
                        coalesce(sum(CASE WHEN m.transfer_id IS NOT NULL THEN t.amount END), 0) AS matched_amount,
                        coalesce(sum(CASE WHEN m.weak = 1 THEN 1 ELSE 0 END), 0) AS matched_weak,
                        coalesce(sum(CASE WHEN m.transfer_id IS NULL THEN 1 ELSE 0 END), 0) AS unmatched,
                        coalesce(sum(CASE WHEN m.transfer_id IS NULL THEN t.amount END), 0) AS unmatched_amount
                    FROM transfer t
                    LEFT JOIN (SELECT transfer_id, min(CASE match_kind WHEN 'reference' THEN 0 ELSE 1 END) AS weak
                               FROM statement_entry WHERE match_kind IN (\(StoreSQL.list(MatchKind.paid))) GROUP BY transfer_id) m
                        ON m.transfer_id = t.id
                    WHERE t.state IN ('settled', 'returned')\(transferFilter)
                    """, arguments: arguments)
                status.matched = row?["matched"] ?? 0
                status.matchedAmount = row?["matched_amount"] ?? 0
                status.matchedWeak = row?["matched_weak"] ?? 0
                status.unmatched = row?["unmatched"] ?? 0
                status.unmatchedAmount = row?["unmatched_amount"] ?? 0
            }

            for kind in ExceptionKind.allCases {
                status.exceptions[kind.rawValue] = 0
                status.exceptionAmounts[kind.rawValue] = 0
            }
            let dayFilter = period == nil ? "" : " AND substr(day, 1, 7) = ?"
            let dayArguments: StatementArguments = period.map { [$0.description] } ?? []
            for row in try Row.fetchAll(db, sql: """
                SELECT kind, state, count(*) AS n, coalesce(sum(amount), 0) AS total FROM reconciliation_exception
                WHERE state IN ('open', 'resolved')\(dayFilter) GROUP BY kind, state
                """, arguments: dayArguments) {
                let kind: String = row["kind"]
                if row["state"] == "open" {
                    status.exceptions[kind] = row["n"]
                    status.exceptionAmounts[kind] = row["total"]
                } else {
                    status.resolved[kind] = row["n"]
                }
            }
            status.flaggedRecipients = status.exceptions[ExceptionKind.returned.rawValue] ?? 0

            var statementFilter = ""
            var statementArguments: StatementArguments = []
            if let period {
                let (first, last) = StatementPeriod.bounds(period)
                statementFilter = " WHERE opening_date <= ? AND closing_date >= ?"
                statementArguments = [last, first]
            }
            status.statements = try Int.fetchOne(db, sql: StoreSQL.countStatements + statementFilter, arguments: statementArguments) ?? 0
            guard kept == nil else { return status }
            let entryFilter = period == nil ? "" : " AND substr(value_date, 1, 7) = ?"
            let debits = try Row.fetchOne(db, sql: """
                SELECT count(*) AS n, coalesce(sum(amount), 0) AS total FROM statement_entry
                WHERE status = 'booked' AND direction = 'debit'\(entryFilter)
                """, arguments: dayArguments)
            status.statementDebits = debits?["n"] ?? 0
            status.statementDebitAmount = debits?["total"] ?? 0
            status.setBankItems(try Row.fetchAll(db, sql: ReconciliationStatus.bankItemsSQL(month: period == nil ? nil : "?"),
                                                 arguments: dayArguments).map { (kind: $0[0], count: $0[1], sen: $0[2]) })
            return status
        }
    }

    /// Exceptions, newest first within each kind.
    package func reconciliationExceptions(_ filter: ExceptionFilter = ExceptionFilter()) throws -> [ReconciliationException] {
        try read { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            let states = filter.states ?? ["open"]
            clauses.append("x.state IN (\(states.map { _ in "?" }.joined(separator: ", ")))")
            arguments += StatementArguments(states.sorted())
            if let kind = filter.kind { clauses.append("x.kind = ?"); arguments += [kind] }
            if let period = filter.period { clauses.append("substr(x.day, 1, 7) = ?"); arguments += [period] }
            return try Row.fetchAll(db, sql: """
                SELECT x.*, t.partner_reference_no, t.state AS transfer_state, t.nik, t.beneficiary_name,
                       s.statement_id AS statement_ref, e.line AS entry_line
                FROM reconciliation_exception x
                LEFT JOIN transfer t ON t.id = x.transfer_id
                LEFT JOIN statement_entry e ON e.id = x.entry_id
                LEFT JOIN statement s ON s.id = e.statement_row
                WHERE \(clauses.joined(separator: " AND "))
                ORDER BY x.id
                """, arguments: arguments).map { row in
                ReconciliationException.make(
                    id: row["id"], kind: row["kind"], state: row["state"], amount: row["amount"], day: row["day"], evidence: row["evidence"],
                    transferID: row["transfer_id"], partnerReferenceNo: row["partner_reference_no"], transferState: row["transfer_state"],
                    nik: row["nik"], name: row["beneficiary_name"], entryID: row["entry_id"], statementId: row["statement_ref"],
                    statementLine: row["entry_line"], detectedAt: row["detected_at"], resolvedBy: row["resolved_by"],
                    resolvedAt: row["resolved_at"], resolution: row["resolution"], clearedAt: row["cleared_at"])
            }
        }
    }

    /// Marks an open exception resolved with the operator's reason, audited. The exception stays
    /// resolved while its condition lasts.
    package func resolveReconciliationException(id: Int64, reason: String, actor: String) throws -> ReconciliationException {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw StoreError.refused(ReconciliationException.reasonMissing) }
        try write("resolving an exception") { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT x.kind, x.state, x.amount, x.resolved_by, x.resolved_at, x.cleared_at, t.partner_reference_no
                FROM reconciliation_exception x LEFT JOIN transfer t ON t.id = x.transfer_id WHERE x.id = ?
                """, arguments: [id]) else {
                throw StoreError.notFound(ReconciliationException.notFound(id: id))
            }
            switch row["state"] as String {
            case "resolved":
                throw StoreError.refused(ReconciliationException.alreadyResolved(id: id, by: row["resolved_by"], at: row["resolved_at"]))
            case "cleared":
                throw StoreError.refused(ReconciliationException.alreadyCleared(id: id, at: row["cleared_at"]))
            default:
                break
            }
            let now = self.timestamp()
            try db.execute(sql: """
                UPDATE reconciliation_exception SET state = 'resolved', resolved_by = ?, resolved_at = ?, resolution = ?, updated_at = ?
                WHERE id = ?
                """, arguments: [actor, now, trimmed, now, id])
            try SQLiteLedger.audit(db, actor: actor, action: "reconcile.resolve", subject: "exception \(id)", details: [
                "kind": row["kind"], "amount": String(row["amount"] as Int64), "reason": trimmed,
                "transfer": row["partner_reference_no"] as String? ?? "",
            ])
        }
        guard let resolved = try reconciliationExceptions(ExceptionFilter(states: ["resolved"])).first(where: { $0.id == id }) else {
            throw StoreError.notFound("exception \(id)")
        }
        return resolved
    }

    /// Recipients whose payment was credited back and not yet resolved: the operator's to-do list.
    package func flaggedRecipients() throws -> [FlaggedRecipient] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT x.id AS exception_id, x.day, x.evidence, t.id AS transfer_id, t.recipient_id, t.nik, t.beneficiary_name,
                       t.beneficiary_account, t.partner_reference_no, t.amount
                FROM reconciliation_exception x JOIN transfer t ON t.id = x.transfer_id
                WHERE x.kind = 'returned' AND x.state = 'open' ORDER BY x.id
                """).map { row in
                FlaggedRecipient.make(exceptionID: row["exception_id"], recipientID: row["recipient_id"], nik: row["nik"],
                                 name: row["beneficiary_name"], accountNo: row["beneficiary_account"], transferID: row["transfer_id"],
                                 partnerReferenceNo: row["partner_reference_no"], amount: row["amount"], returnedOn: row["day"],
                                 evidence: row["evidence"])
            }
        }
    }
}
