import GRDB
import SalurCore
import SalurStore

/// Request `X-EXTERNAL-ID` numbers on SQLite (`RequestIDBlock` decides the rule).
extension SQLiteLedger {
    package func reserveRequestIDs(_ count: Int) async throws -> ClosedRange<Int64> {
        try RequestIDBlock.check(count)
        let counter = try await writeAsync { db -> Int64 in
            try db.execute(sql: "UPDATE send_mark SET requests = requests + ? WHERE id = 1", arguments: [count])
            guard db.changesCount == 1, let counter = try Int64.fetchOne(db, sql: "SELECT requests FROM send_mark WHERE id = 1") else {
                throw StoreError.refused(RequestIDBlock.sendMarkMissing)
            }
            return counter
        }
        return try RequestIDBlock.range(endingAt: counter, count: count)
    }
}
