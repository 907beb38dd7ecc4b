import Foundation
import SalurCore
@testable import SalurSQLite
import SalurTestSupport
@testable import SalurStore
import Testing

/// What a careless queueing meets in the store, the same on SQLite and PostgreSQL: a transfer the
/// bank would refuse for its remark is never stored; a second request that differs is reported, not
/// silently dropped; failed transfers can be cancelled (audited) and queued again corrected; no total
/// of transfers can wrap; batch ids list in their numeric order.
@Suite("Queueing in careless hands")
struct CarelessQueueTests {
    static let rules = BatchingRules(maxItems: 500, maxAmount: Rupiah(1_000_000_000_000_000), approvalRequired: true)
    static let november = Period("2026-11")!

    @Test("a remark the bank would refuse is not queued, from any door; nothing is stored", arguments: Backend.available)
    func remarkRefusedInStore(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        try await s.seedOpened()
        let before = try await s.snapshot()
        for remark in [String(repeating: "x", count: 51), "line\nbreak", "esc\u{1B}[31m", "nul\u{0}", "Bantuan \u{202E}lapak"] {
            let error = await failure {
                _ = try await s.store.enqueueProgram(program: "BANSOS-NT", period: Self.november, amount: Rupiah(300_000),
                                                     remark: remark, actor: "maker", rules: Self.rules)
            }
            #expect(error.hasPrefix("remark "), "\(error)")
        }
        #expect(try await s.snapshot() == before)
    }

    @Test("enqueue again with another amount or remark says how the queued ones differ and changes none", arguments: Backend.available)
    func differencesReported(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        try await s.seedOpened()
        let first = try await s.store.enqueueProgram(program: "BANSOS-NT", period: Self.november, amount: Rupiah(300),
                                                     remark: "BANSOS-NT 2026-11", actor: "maker", rules: Self.rules)
        #expect(first.queued == 2 && first.differingCount == 0)
        let same = try await s.store.enqueueProgram(program: "BANSOS-NT", period: Self.november, amount: Rupiah(300),
                                                    remark: "BANSOS-NT 2026-11", actor: "maker", rules: Self.rules)
        #expect(same.queued == 0 && same.alreadyQueued == 2 && same.differingCount == 0 && same.differing.isEmpty)
        let before = try await s.snapshot()
        let other = try await s.store.enqueueProgram(program: "BANSOS-NT", period: Self.november, amount: Rupiah(300_000),
                                                     remark: "Bansos November", actor: "maker", rules: Self.rules)
        #expect(other.queued == 0 && other.alreadyQueued == 2 && other.differingCount == 2)
        #expect(other.differing.map(\.nik) == [Fixture.maria, Fixture.yohanes])
        #expect(other.differing.first?.differences == [
            "amount Rp 300 queued, Rp 300.000 asked", "remark \"BANSOS-NT 2026-11\" queued, \"Bansos November\" asked",
        ])
        #expect(other.differing.first?.state == "awaiting_approval")
        #expect(try await s.snapshot() == before)
    }

    @Test("a list queued twice: stored keys found across lookups of many keys, a key repeated in the list compared with its first", arguments: Backend.available)
    func storedKeysAcrossLookups(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        func transfer(_ n: Int, amount: Int64 = 300_000) -> NewTransfer {
            NewTransfer(kind: .intrabank, dedupeKey: "test:\(n)", recipientID: nil, nik: nil, beneficiaryName: "PENERIMA \(n)",
                        beneficiaryAccount: String(format: "0012%09d", n), beneficiaryBankCode: nil, program: "BANSOS-NT",
                        period: "2026-11", amount: Rupiah(amount), remark: "BANSOS-NT 2026-11")
        }
        let count = QueueRules.keysPerLookup * 2 + 200
        let first = try await s.store.enqueue((1...count).map { transfer($0) }, actor: "maker", rules: Self.rules,
                                              auditAction: "test.enqueue", auditSubject: "list")
        #expect(first.queued == count && first.alreadyQueued == 0 && first.queuedAmount == Rupiah(Int64(count) * 300_000))
        // Again, with two of them (one in each later lookup) asked at another amount, one new, and the new one twice.
        var again = (1...count).map { transfer($0) }
        again[QueueRules.keysPerLookup + 10] = transfer(QueueRules.keysPerLookup + 11, amount: 1_000)
        again[count - 1] = transfer(count, amount: 2_000)
        again += [transfer(count + 1), transfer(count + 1, amount: 5_000)]
        let summary = try await s.store.enqueue(again, actor: "maker", rules: Self.rules, auditAction: "test.enqueue", auditSubject: "list")
        #expect(summary.queued == 1 && summary.queuedAmount == Rupiah(300_000) && summary.alreadyQueued == count + 1)
        #expect(summary.differingCount == 3)
        #expect(summary.differing.map(\.state) == ["awaiting_approval", "awaiting_approval", "pending"])
        #expect(summary.differing.map { $0.differences.first ?? "" } == [
            "amount Rp 300.000 queued, Rp 1.000 asked", "amount Rp 300.000 queued, Rp 2.000 asked",
            "amount Rp 300.000 queued, Rp 5.000 asked",
        ])
        #expect(try await s.store.transferRecords(from: nil, to: nil).count == count + 1)
    }

    @Test("failed transfers are cancelled for good with a reason, then queued again corrected, through a checker", arguments: Backend.available)
    func cancelFailedThenRequeue(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        try await s.seedOpened()
        let queued = try await s.store.enqueueProgram(program: "BANSOS-NT", period: Self.november, amount: Rupiah(300),
                                                      remark: "BANSOS-NT 2026-11", actor: "maker", rules: Self.rules)
        let batch = try #require(queued.batches.first)
        // The bank refused both for their data, as it does a field it will not take.
        try await s.sql("UPDATE transfer SET state = 'failed', last_code = '4001701', last_message = 'Invalid Field Format remark'",
                        "UPDATE batch SET state = 'done'")
        // A batch that is done cannot be cancelled, and enqueue finds them queued: before, no command could pay them.
        #expect(await failure { _ = try await s.store.cancel(id: batch, actor: "maker") } == "batch \(batch) is already done")
        #expect(try await s.store.enqueueProgram(program: "BANSOS-NT", period: Self.november, amount: Rupiah(300_000),
                                                 remark: "Bansos November", actor: "maker", rules: Self.rules).queued == 0)

        let none = try await s.store.cancelFailed(batchID: nil, niks: [Fixture.petrus], reason: "wrong remark", actor: "maker")
        #expect(none.cancelled == 0)
        let cancelled = try await s.store.cancelFailed(batchID: batch, niks: [], reason: "remark too long; queued again", actor: "maker")
        #expect(cancelled.cancelled == 2 && cancelled.amount == Rupiah(600) && cancelled.batches == [batch])
        let records = try await s.store.transferRecords(from: nil, to: nil)
        #expect(records.map(\.state) == ["cancelled", "cancelled"])
        #expect(records.allSatisfy { $0.failureMessage == "cancelled by maker: remark too long; queued again" })
        let entry = try #require(try await s.audit().last)
        #expect(entry.action == "transfers.cancel_failed" && entry.actor == "maker" && entry.subject == batch)
        #expect(entry.details.contains(#""reason":"remark too long; queued again""#))
        #expect(try await s.store.cancelFailed(batchID: batch, niks: [], reason: "again", actor: "maker").cancelled == 0)

        let again = try await s.store.enqueueProgram(program: "BANSOS-NT", period: Self.november, amount: Rupiah(300_000),
                                                     remark: "Bansos November", actor: "maker", rules: Self.rules)
        #expect(again.queued == 2 && again.alreadyQueued == 0 && again.differingCount == 0)
        let fresh = try await s.store.transferRecords(from: nil, to: nil).filter { $0.state == "awaiting_approval" }
        #expect(fresh.count == 2 && fresh.allSatisfy { $0.amount == Rupiah(300_000) })
        #expect(Set(fresh.map(\.partnerReferenceNo)).isDisjoint(with: records.map(\.partnerReferenceNo)))
        // The new batch needs a checker who is not the maker.
        let newBatch = try #require(again.batches.first)
        #expect(await failure { _ = try await s.store.approve(ids: [newBatch], all: false, actor: "maker", distinctApprover: true) }
                .contains("maker-checker"))
        #expect(try await s.store.approve(ids: [newBatch], all: false, actor: "checker", distinctApprover: true) == [newBatch])
    }

    @Test("a queueing that would take the ledger's transfers past 10^18 in all is refused whole", arguments: Backend.available)
    func ledgerTotalBounded(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        try await s.seedOpened()
        _ = try await s.store.enqueueProgram(program: "BANSOS-NT", period: Self.november, amount: Rupiah(1), remark: "",
                                             actor: "maker", rules: Self.rules)
        // Two stored transfers of nearly half the limit each (as a long life of large payments would leave).
        try await s.sql("UPDATE transfer SET amount = 499999999999000000", "UPDATE batch SET amount = 999999999998000000")
        let before = try await s.snapshot()
        let refused = await failure {
            _ = try await s.store.enqueueProgram(program: "BANSOS-NT", period: Self.november.next, amount: Rupiah(1_000_000_000_000),
                                                 remark: "", actor: "maker", rules: Self.rules)
        }
        #expect(refused == "queueing these transfers would take the ledger past Rp 1.000.000.000.000.000.000 in transfers "
                + "(Rp 999.999.999.998.000.000 already queued); nothing was queued")
        #expect(try await s.snapshot() == before)
        // What still fits is queued, and every total over the transfers adds up without wrapping.
        let fits = try await s.store.enqueueProgram(program: "BANSOS-NT", period: Self.november.next, amount: Rupiah(1_000_000),
                                                    remark: "", actor: "maker", rules: Self.rules)
        #expect(fits.queued == 2)
        let status = try #require(try await s.queueStatus())
        let stored = try Rupiah.sum(status.transfers.values.map { Rupiah($0.amount) })
        #expect(stored == Rupiah(999_999_999_998_000_000 + 2_000_000))
        let batchTotal = try Rupiah.sum(try await s.store.batches(state: nil, id: nil).map(\.amount))
        #expect(batchTotal == stored)
    }

    @Test("batches list newest first in numeric order: B-…-10000 above B-…-9999", arguments: Backend.available)
    func batchIDsSort(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        for (id, n) in [("B-2026-12-9998", 1), ("B-2026-12-9999", 2), ("B-2026-12-10000", 3), ("B-2026-12-10337", 4)] {
            try await s.sql("""
                INSERT INTO batch (id, program, period, kind, state, item_count, amount, makers, created_at, updated_at)
                VALUES ('\(id)', 'P', '2026-12', 'intrabank', 'done', \(n), 1, 'm', '2026-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z')
                """)
        }
        #expect(try await s.store.batches(state: nil, id: nil).map(\.id) == ["B-2026-12-10337", "B-2026-12-10000", "B-2026-12-9999", "B-2026-12-9998"])
    }
}
