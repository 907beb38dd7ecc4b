package import SalurCore

/// What holding and cancelling a batch may touch, and how batches are named — decided here once,
/// for both stores, which render these states into their SQL and only lock and write.
package enum BatchRules {
    // MARK: Holding

    /// The batches a hold applies to: not yet done, cancelled or already held.
    package static let holdable: [BatchState] = [.awaitingApproval, .approved, .posting]
    /// The transfers of a batch that are held with it: those not sent yet, or waiting to be sent again.
    /// Transfers on the wire or in doubt still resolve, since stopping them cannot undo what the bank may have done.
    package static let heldWithBatch: [TransferState] = [.awaitingApproval, .approved, .retryWait]

    /// Whether a batch in `state` (as stored) can be held.
    package static func isHoldable(_ state: String) -> Bool {
        BatchState(rawValue: state).map(holdable.contains) ?? false
    }

    /// An operator's hold of a batch that cannot be held.
    package static func notHoldable(id: String, state: String) -> String {
        "batch \(id) is \(state); only a batch awaiting approval, approved or posting can be held"
    }

    /// Where a released batch (and its held transfers) goes: back to approved when a checker had
    /// approved it (its balance is checked again before posting), else back to awaiting approval.
    package static func released(approvedBy: String?) -> BatchState { approvedBy == nil ? .awaitingApproval : .approved }

    // MARK: Cancelling

    /// Batches a cancel refuses: they are over.
    package static let ended: [BatchState] = [.done, .cancelled]
    /// Transfers that make a cancel wait: the bank may have booked them.
    package static let unresolved: [TransferState] = [.sending, .inDoubt]
    /// The transfers of a batch a cancel stops for good: those not sent (or not to be sent again).
    package static let cancellable: [TransferState] = [.pending, .awaitingApproval, .approved, .retryWait, .held]

    /// Whether a batch in `state` (as stored) is over, so that cancelling it is refused.
    package static func hasEnded(_ state: String) -> Bool {
        BatchState(rawValue: state).map(ended.contains) ?? false
    }

    /// A cancel of a batch that is over.
    package static func alreadyEnded(id: String, state: String) -> String { "batch \(id) is already \(state)" }

    /// A release of a batch that is not held.
    package static func notHeld(id: String, state: String) -> String { "batch \(id) is \(state), not held" }

    /// A cancel refused while `count` transfers of the batch are unresolved.
    package static func unresolvedRefusal(id: String, count: Int) -> String {
        "batch \(id) has \(count) transfers in flight or in doubt; hold it and cancel once the bank has answered for them"
    }

    // MARK: Done

    /// A posting batch is done once every transfer of it is in one of these (`TransferState.isTerminal`):
    /// none of them can still move without an operator.
    package static let finished: [TransferState] = TransferState.allCases.filter(\.isTerminal)

    // MARK: Ids

    /// A batch's id: `B-YYYY-MM-nnnn`, the month of its forming and its number in that month (four
    /// digits at least, more once a month has 10,000 batches).
    package static func id(month: String, sequence: Int) -> String {
        let number = String(sequence)
        return "B-\(month)-" + String(repeating: "0", count: max(0, 4 - number.count)) + number
    }

    /// The `LIKE` pattern of a month's batch ids (their count + 1 is the next number).
    package static func idPattern(month: String) -> String { "B-\(month)-%" }

    /// The audit details of a new batch.
    package static func createdDetails(program: String, period: String, items: Int, amount: Rupiah, state: String) -> [String: String] {
        ["program": program, "period": period, "items": String(items), "amount": String(amount.value), "state": state]
    }
}

/// How pending transfers group into batches, for both stores: transfers of one programme, period
/// and kind, taken in (programme, period, kind, id) order, fill a batch until one more would pass
/// `maxItems` or `maxAmount`. Feed `add` in that order; each call returns the batch it closed, if any.
package struct BatchPlanner {
    /// One batch's members, as `add` closes it.
    package struct Batch: Sendable {
        package let program: String
        package let period: String
        package let kind: String
        package let members: [Int64]
        package let amount: Rupiah
        /// The makers, sorted and comma-separated, as the batch row keeps them.
        package let makers: String
    }

    private let rules: BatchingRules
    private var key: (String, String, String)?
    private var members: [Int64] = []
    private var amount = Rupiah.zero
    private var makers: Set<String> = []

    package init(rules: BatchingRules) { self.rules = rules }

    package mutating func add(id: Int64, program: String, period: String, kind: String, amount value: Rupiah,
                              maker: String) throws -> Batch? {
        let rowKey = (program, period, kind)
        let fits = members.count < rules.maxItems && (try? amount.adding(value)).map { $0 <= rules.maxAmount } == true
        var closed: Batch?
        if key.map({ $0 != rowKey }) ?? true || !fits { closed = finish() }
        key = rowKey
        members.append(id)
        amount = try amount.adding(value)
        makers.insert(maker)
        return closed
    }

    /// The batch still open, if any; the planner starts afresh.
    package mutating func finish() -> Batch? {
        guard let key, !members.isEmpty else { return nil }
        defer {
            members = []
            amount = .zero
            makers = []
        }
        return Batch(program: key.0, period: key.1, kind: key.2, members: members, amount: amount,
                     makers: makers.sorted().joined(separator: ","))
    }

    /// The batches new transfers (`fresh`, with the ids they will be stored under, all queued by
    /// `maker`) form by themselves, as `formBatches` would form them once stored pending.
    package static func plan(_ fresh: [(id: Int64, transfer: NewTransfer)], maker: String, rules: BatchingRules) throws -> [Batch] {
        let order = fresh.map { (program: $0.transfer.program, period: $0.transfer.period, kind: $0.transfer.kind.rawValue, id: $0.id) }
            .sorted(by: precedes)
        let amounts = Dictionary(uniqueKeysWithValues: fresh.map { ($0.id, $0.transfer.amount) })
        var planner = BatchPlanner(rules: rules)
        var planned: [Batch] = []
        for row in order {
            if let batch = try planner.add(id: row.id, program: row.program, period: row.period, kind: row.kind,
                                           amount: amounts[row.id] ?? .zero, maker: maker) {
                planned.append(batch)
            }
        }
        if let batch = planner.finish() { planned.append(batch) }
        return planned
    }

    /// The (programme, period, kind, id) order batches are formed in, by the bytes of the texts
    /// (SQLite's `BINARY`, PostgreSQL's `COLLATE "C"`).
    package static func precedes(_ a: (program: String, period: String, kind: String, id: Int64),
                                 _ b: (program: String, period: String, kind: String, id: Int64)) -> Bool {
        if a.program != b.program { return a.program.utf8.lexicographicallyPrecedes(b.program.utf8) }
        if a.period != b.period { return a.period.utf8.lexicographicallyPrecedes(b.period.utf8) }
        if a.kind != b.kind { return a.kind.utf8.lexicographicallyPrecedes(b.kind.utf8) }
        return a.id < b.id
    }
}
