import Foundation
import GRDB
import PostgresNIO
import SalurCore
import SalurPostgres
@testable import SalurSQLite
@testable import SalurStore
import SalurTestSupport
import Testing

/// Inquiries' `X-EXTERNAL-ID`s come from one counter in the database (`send_mark.requests`, step
/// "v9 request ids"): every engine reserves blocks of it, and no two blocks ever overlap.
@Suite("Request id reservations")
struct RequestIDReservationTests {
    @Test("consecutive blocks from one counter; a count out of range and a counter past 15 digits are refused",
          arguments: Backend.available)
    func consecutive(backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        let ledger = try #require(s.store as? any EngineLedger)
        #expect(try await ledger.reserveRequestIDs(1_000) == 1...1_000)
        #expect(try await ledger.reserveRequestIDs(1) == 1_001...1_001)
        #expect(try await ledger.reserveRequestIDs(5) == 1_002...1_006)
        #expect(await failure { _ = try await ledger.reserveRequestIDs(0) }.contains("1 to \(RequestIDBlock.maxCount) numbers, not 0"))
        #expect(await failure { _ = try await ledger.reserveRequestIDs(RequestIDBlock.maxCount + 1) }.contains("not \(RequestIDBlock.maxCount + 1)"))
        // Refused counts took nothing.
        #expect(try await ledger.reserveRequestIDs(1) == 1_007...1_007)

        try await s.sql("UPDATE send_mark SET requests = \(ExternalID.maxRequestNumber - 2)")
        #expect(try await ledger.reserveRequestIDs(2) == (ExternalID.maxRequestNumber - 1)...ExternalID.maxRequestNumber)
        #expect(await failure { _ = try await ledger.reserveRequestIDs(1) }.contains("past the 15 digits"))
    }

    @Test("SQLite: two ledgers on one file reserving at once never get overlapping blocks, and together leave no gap")
    func sqliteConcurrent() async throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        let first = try SQLiteLedger(path: path, clock: .testDay), second = try SQLiteLedger(path: path, clock: .testDay)
        let blocks = try await Self.reserveConcurrently([first, second], perLedger: 40)
        Self.expectDisjointAndComplete(blocks)
    }

    @Test("a file from before v9 keeps its send mark and starts the counter at 0")
    func migratesV8() async throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        let old = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(old, upTo: "v8 send mark, restore recovery, settle points")
        try await old.write { db in try db.execute(sql: "UPDATE send_mark SET claims = 7") }
        try old.close()
        let ledger = try SQLiteLedger(path: path, clock: .testDay)
        #expect(SQLiteLedger.knownSteps.contains("v9 request ids"))
        #expect(try await ledger.sendMarkStatus().claims == 7)
        #expect(try await ledger.reserveRequestIDs(3) == 1...3)
    }

    /// `count` reservations by each ledger, all started at once, of 1 to 7 numbers; every block taken.
    static func reserveConcurrently(_ ledgers: [any EngineLedger], perLedger count: Int) async throws -> [ClosedRange<Int64>] {
        try await withThrowingTaskGroup(of: ClosedRange<Int64>.self) { group in
            for ledger in ledgers {
                for n in 0..<count {
                    group.addTask { try await ledger.reserveRequestIDs(1 + n % 7) }
                }
            }
            var blocks: [ClosedRange<Int64>] = []
            for try await block in group { blocks.append(block) }
            return blocks
        }
    }

    /// No two blocks share a number, and together they are exactly 1 through the sum of their sizes.
    static func expectDisjointAndComplete(_ blocks: [ClosedRange<Int64>]) {
        let sorted = blocks.sorted { $0.lowerBound < $1.lowerBound }
        let total = blocks.reduce(Int64(0)) { $0 + Int64($1.count) }
        #expect(sorted.first?.lowerBound == 1)
        #expect(sorted.last?.upperBound == total)
        for (earlier, later) in zip(sorted, sorted.dropFirst()) {
            #expect(earlier.upperBound + 1 == later.lowerBound, "blocks \(earlier) and \(later) overlap or leave a gap")
        }
    }
}

extension BackendConcurrencyTests {
    @Test("two engines' ledgers reserving request ids at once, both held behind the counter's lock: disjoint blocks")
    func concurrentRequestIDReservations() async throws {
        let target = try await PostgresScratch.freshTarget(prefix: "reqids")
        let first = try await PostgresLedger(target: target, clock: .testDay), second = try await PostgresLedger(target: target, clock: .testDay)
        let blocker = try await PostgresLedger(target: target, clock: .testDay)
        defer { first.shutdown(); second.shutdown(); blocker.shutdown() }

        let outcomes = try await whileLocked(blocker, "SELECT 1 FROM send_mark WHERE id = 1 FOR UPDATE", [
            { "\(try await first.reserveRequestIDs(1_000))" },
            { "\(try await second.reserveRequestIDs(1_000))" },
        ])
        #expect(outcomes.sorted() == ["1...1000", "1001...2000"], "\(outcomes)")

        // And many at once from both, with no lock held: still disjoint, no gap.
        let blocks = try await RequestIDReservationTests.reserveConcurrently([first, second], perLedger: 40)
        RequestIDReservationTests.expectDisjointAndComplete(blocks + [1...2_000])
    }
}
