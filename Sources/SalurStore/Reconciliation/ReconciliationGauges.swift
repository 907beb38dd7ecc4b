/// What the metrics show of reconciliation: when it last ran and the exceptions still open. Two
/// cheap reads, so that a scrape never waits for the matching figures of `reconcile status`.
package struct ReconciliationGauges: Sendable, Equatable {
    /// When the last `reconcile` run was recorded (its audit row's time), nil if never.
    package var lastRunAt: String?
    /// Open exceptions by kind (every kind present, zero when none).
    package var openExceptions: [String: Int]

    package init(lastRunAt: String?, openExceptions: [String: Int]) {
        self.lastRunAt = lastRunAt
        self.openExceptions = openExceptions
    }

    /// The newest `reconcile.run` audit row's time (the log is read from its end).
    package static let lastRunSQL = "SELECT at FROM audit_log WHERE action = 'reconcile.run' ORDER BY seq DESC LIMIT 1"
    /// Open exceptions counted by kind (the `state, kind` index answers it).
    package static let openExceptionsSQL = "SELECT kind, count(*) FROM reconciliation_exception WHERE state = 'open' GROUP BY kind"

    /// Every kind at zero, then the counts read.
    package static func open(_ counts: [(String, Int)]) -> [String: Int] {
        var all = Dictionary(uniqueKeysWithValues: ExceptionKind.allCases.map { ($0.rawValue, 0) })
        for (kind, count) in counts { all[kind] = count }
        return all
    }
}
