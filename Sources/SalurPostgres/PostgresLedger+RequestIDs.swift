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

/// `[bank] max_requests_per_second` shared by every engine on the database (`RequestRate`,
/// `SharedRequestSlots`): the one row `request_rate` holds the end of the slots reserved so far and
/// the bank's last Retry-After, in microseconds since 1970 by the database's clock (or by `now`,
/// when a caller gives it: tests on a manual clock). One statement, under the row's lock, reserves a
/// block: no two engines' slots ever overlap.
extension PostgresLedger {
    /// Reserves `count` slots `spacingMicroseconds` apart, after every slot reserved before and not
    /// before the pause; returns how many microseconds from now the first one is.
    package func reserveRequestSlots(count: Int, spacingMicroseconds: Int64, now: Int64? = nil) async throws -> Int64 {
        let span = Int64(max(1, count)) * max(1, spacingMicroseconds)
        let wait = try await withConnection("reserving request slots") { connection -> Int64? in
            try await self.rows(connection, """
                WITH n AS (SELECT coalesce(\(now)::bigint, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint) AS now)
                UPDATE request_rate r SET next_slot_us = greatest(r.next_slot_us, r.paused_until_us, n.now) + \(span)
                FROM n WHERE r.id = 1
                RETURNING r.next_slot_us - \(span) - n.now AS wait
                """).first.map { try $0["wait"].decode(Int64.self) }
        }
        guard let wait else { throw StoreError.refused("the database has no request_rate row; run salurctl db migrate") }
        return wait
    }

    /// No slot reserved from now on starts within `microseconds` from now (the bank's Retry-After).
    package func pauseRequests(microseconds: Int64, now: Int64? = nil) async throws {
        try await withConnection("pausing requests") { connection in
            try await self.execute(connection, """
                WITH n AS (SELECT coalesce(\(now)::bigint, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint) AS now)
                UPDATE request_rate r SET paused_until_us = greatest(r.paused_until_us, n.now + \(microseconds)) FROM n WHERE r.id = 1
                """)
        }
    }
}
