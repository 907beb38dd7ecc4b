package import SalurCore

/// Which months' `reconcile status` the figures a reconciliation run kept (`ReconciliationBasis`)
/// still answer, while transfers of other months change.
///
/// `reconcile status --period` counts the settled (or returned) transfers whose `settled_at` falls
/// in the month in the bank's time zone. Triggers on `transfer` mark the UTC hour
/// (`YYYY-MM-DDTHH`) of `settled_at` — before and after — of every transfer added, deleted, or
/// whose state, settlement time, references, account or amount changes while it has one; a run
/// clears the marks (one that returned transfers keeps them: they changed). A month none of whose
/// hours is marked has the figures the last run kept, whatever happened to other months' transfers
/// and however many transfers were queued since (they have no settlement time). Offsets are whole
/// hours, so a month in the bank's time zone is a range of UTC hours.
package enum ReconciliationMarks {
    /// Schema step v20, the statements both dialects share: the marked hours, and whether the basis
    /// keeps them (1 once a run at this step recorded it; a basis recorded before answers only when
    /// no transfer changed at all, as then).
    package static let tablesSQL = """
        CREATE TABLE reconciliation_mark (
            hour TEXT PRIMARY KEY
        );
        ALTER TABLE reconciliation_basis ADD COLUMN marks_kept INTEGER NOT NULL DEFAULT 0;
        """

    /// Marks the hour `hour` (an SQL expression of a row's `settled_at`, NULL when it has none) —
    /// a lookup in the marks' key when it is marked already. `rows`: where the rows come from
    /// (`FROM …` with any `WHERE`), empty for a row trigger's single row.
    package static func markSQL(hour: String, rows: String = "") -> String {
        """
        INSERT INTO reconciliation_mark (hour) SELECT \(rows.isEmpty ? "" : "DISTINCT ")h FROM (SELECT \(hour) AS h\(rows.isEmpty ? "" : " " + rows)) AS m
        WHERE h IS NOT NULL ON CONFLICT DO NOTHING
        """
    }

    /// Whether a row changed what the marks follow: `old` and `new` name the row before and after;
    /// `distinct` is the dialect's null-safe "differs" (`IS NOT`, `IS DISTINCT FROM`).
    package static func changed(old: String, new: String, distinct: String) -> String {
        "(" + ReconciliationBasis.transferColumns.map { "\(old).\($0) \(distinct) \(new).\($0)" }.joined(separator: " OR ") + ")"
    }

    /// A run's basis (`values`: placeholders of key, figures, transfers_changed), keeping the marks.
    package static func recordSQL(_ values: String) -> String {
        """
        INSERT INTO reconciliation_basis (id, key, figures, transfers_changed, marks_kept) VALUES (1, \(values), 1)
        ON CONFLICT (id) DO UPDATE SET key = excluded.key, figures = excluded.figures, transfers_changed = excluded.transfers_changed,
            marks_kept = 1
        """
    }

    /// A run's end, when it returned no transfer: the marks it answers for are gone.
    package static let clearSQL = "DELETE FROM reconciliation_mark"

    /// What `reconcile status --period` reads first: the kept figures, whether any transfer changed
    /// since, whether the marks are kept, and the last entry id.
    package static let basisSQL = """
        SELECT figures, transfers_changed, marks_kept, (SELECT coalesce(max(id), 0) FROM statement_entry)
        FROM reconciliation_basis WHERE id = 1
        """

    /// 1 when an hour in [`from`, `to`) (placeholders) is marked, else 0.
    package static func markedSQL(from: String, to: String) -> String {
        "SELECT count(*) FROM (SELECT 1 FROM reconciliation_mark WHERE hour >= \(from) AND hour < \(to) LIMIT 1) AS m"
    }

    /// The UTC hours of `period` in a time zone `utcOffsetHours` ahead of UTC: the first, and the
    /// first of the next month. nil outside what marks can tell (an offset of a day or more, the
    /// first and last months of the calendar).
    package static func hours(of period: Period, utcOffsetHours: Int) -> (from: String, to: String)? {
        guard abs(utcOffsetHours) < 24, period.year > 1 || period.month > 1, period.year < 9999 || period.month < 12 else { return nil }
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        func start(_ month: Period) -> String {
            if utcOffsetHours <= 0 { return "\(month)-01T\(two(-utcOffsetHours))" }
            let before = month.previous
            return "\(before)-\(two(CalendarDate.days(in: before)))T\(two(24 - utcOffsetHours))"
        }
        return (start(period), start(period.next))
    }

    /// The kept figures for `status` of a month none of whose hours is marked: when the basis keeps
    /// the marks, for the same time zone, and as many entries as then (entries are added by runs only).
    package static func figures(_ recorded: String?, marksKept: Int64?, utcOffsetHours: Int, lastEntry: Int64) -> ReconciliationBasis.Figures? {
        guard let recorded, marksKept == 1, let figures = ReconciliationBasis.Figures.from(json: recorded),
              figures.utcOffsetHours == utcOffsetHours, figures.lastEntry == lastEntry else { return nil }
        return figures
    }
}
