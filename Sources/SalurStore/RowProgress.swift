/// How far a long store operation has got, for salurctl's progress bar: a store method that goes
/// through a file's rows tells `RowProgress.report` (bound by the caller with `RowProgress.reporting`)
/// the rows done so far, every `every` rows or after each bulk statement. Unbound, nothing is reported.
package enum RowProgress {
    /// Who is told (a task-local value of a nominal type: bound as an optional closure, Swift 6.3's
    /// release builds crashed in `swift_task_localValuePush`).
    package struct Reporter: Sendable {
        let report: @Sendable (Int) -> Void
    }

    @TaskLocal static var reporter: Reporter?

    /// Whom the rows done are told in this task, if anyone.
    package static var report: (@Sendable (Int) -> Void)? { reporter?.report }

    /// Runs `body` with `report` told the rows done by the store work it does in this task.
    package static func reporting<T>(_ report: @escaping @Sendable (Int) -> Void, _ body: () async throws -> T) async rethrows -> T {
        try await $reporter.withValue(Reporter(report: report), operation: body)
    }

    /// Rows between two reports.
    package static let every = 1_000

    /// A counter for one pass over rows. `report` is read from the task before the work goes to a
    /// database queue, where the task's values are not seen.
    package struct Counter {
        private let report: (@Sendable (Int) -> Void)?
        private(set) var done = 0

        package init(_ report: (@Sendable (Int) -> Void)?) { self.report = report }

        /// One more row done.
        package mutating func tick() {
            done += 1
            if done % RowProgress.every == 0 { report?(done) }
        }

        /// `rows` more done at once (a bulk statement): reported at once.
        package mutating func add(_ rows: Int) {
            done += rows
            report?(done)
        }
    }
}
