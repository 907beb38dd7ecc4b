import GRDB

/// Reads the database as an auditor would, over a read-only connection of its own: the few columns
/// the invariants need, by position, so that checking after every step stays cheap.
final class SimObserver {
    struct Transfer {
        let id: Int64
        let state: String
        let account: String
        let amount: Int64
        let batch: String?
        let reference: String
        let message: String?
    }

    struct Batch {
        let id: String
        let state: String
        let itemCount: Int
        let amount: Int64
    }

    private let queue: DatabaseQueue

    init(path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        queue = try DatabaseQueue(path: path, configuration: configuration)
    }

    func close() { try? queue.close() }

    func transfers() throws -> [Transfer] {
        try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, state, beneficiary_account, amount, batch_id, partner_reference_no, last_message FROM transfer ORDER BY id
                """).map {
                Transfer(id: $0[0], state: $0[1], account: $0[2], amount: $0[3], batch: $0[4], reference: $0[5], message: $0[6])
            }
        }
    }

    func batches() throws -> [Batch] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT id, state, item_count, amount FROM batch ORDER BY id").map {
                Batch(id: $0[0], state: $0[1], itemCount: $0[2], amount: $0[3])
            }
        }
    }
}
