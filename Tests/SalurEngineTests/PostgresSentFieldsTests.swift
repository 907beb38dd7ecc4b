import Foundation
import SalurCore
import SalurPostgres
import SalurStore
import SalurTestSupport
import Testing

/// What was sent travels with the claim and the inquiry on PostgreSQL too (the SQLite store is
/// exercised through the engine in `AnswerEchoTests`).
@Suite("PostgreSQL: what was sent travels with claims and inquiries", .enabled(if: PostgresScratch.isEnabled))
struct PostgresSentFieldsTests {
    @Test("a claim carries the transfer's creation time, an inquiry its amount and account; an attempt that never left is taken back")
    func sentFields() async throws {
        let target = try await PostgresScratch.freshTarget(prefix: "sentfields")
        let engine = try await PostgresEngineLedgerTests.engine(target)
        defer { engine.shutdown() }
        try await PostgresSeed.transfers(engine, count: 1, perBatch: 1, batchState: "posting")
        let first = try #require(try await engine.advance(recording: [], claiming: 1, now: Date(), maxAttempts: 2).first)
        let created = try await PostgresSeed.texts(engine, "SELECT created_at FROM transfer WHERE id = \(first.transferID)")
        #expect(first.createdAt != nil && first.createdAt == (created.first ?? nil).flatMap(Timestamp.parse))

        // Never left: the round attempt is taken back, so max_attempts (2) is not used up by it.
        try await engine.record([Resolution(transferID: first.transferID, externalID: first.externalID, next: .retryWait,
                                            message: "not sent", nextActionAt: Date(timeIntervalSinceNow: -1), neverLeft: true)], now: Date())
        #expect(try await PostgresSeed.texts(engine, "SELECT round_attempts::text FROM transfer WHERE id = \(first.transferID)") == ["0"])
        let second = try #require(try await engine.advance(recording: [], claiming: 1, now: Date(), maxAttempts: 2).first)
        #expect(second.roundAttempt == 1 && second.createdAt == first.createdAt)

        try await engine.record([Resolution(transferID: second.transferID, externalID: second.externalID, next: .inDoubt, code: "5041700",
                                            nextActionAt: Date(timeIntervalSinceNow: -1))], now: Date())
        let target2 = try #require(try await engine.dueInquiries(limit: 10, now: Date()).first)
        #expect(target2.amount == second.amount && target2.beneficiaryAccount == second.beneficiaryAccount)
        #expect(target2.beneficiaryAccount?.isEmpty == false)
    }
}
