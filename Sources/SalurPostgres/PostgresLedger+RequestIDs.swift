import PostgresNIO
import SalurCore
import SalurStore

/// Request `X-EXTERNAL-ID` numbers on PostgreSQL (`RequestIDBlock` decides the rule): one statement
/// raises the one counter every engine shares, under its row lock, so two engines never get
/// overlapping blocks.
extension PostgresLedger {
    package func reserveRequestIDs(_ count: Int) async throws -> ClosedRange<Int64> {
        try RequestIDBlock.check(count)
        let counter = try await withConnection("reserving request ids") { connection -> Int64? in
            try await self.rows(connection, """
                UPDATE send_mark SET requests = requests + \(Int64(count)) WHERE id = 1 RETURNING requests
                """).first.map { try $0["requests"].decode(Int64.self) }
        }
        guard let counter else {
            throw StoreError.refused(RequestIDBlock.sendMarkMissing)
        }
        return try RequestIDBlock.range(endingAt: counter, count: count)
    }
}
