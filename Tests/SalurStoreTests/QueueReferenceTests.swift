import Foundation
import GRDB
import SalurCore
@testable import SalurSQLite
@testable import SalurStore
import SalurTestSupport
import Testing

/// SQLite writes a queueing's transfers with one statement from a temporary table: a partner
/// reference the database holds already makes that statement undo itself, and only the references
/// that clashed are drawn again before the rows are written once more.
@Suite("Queueing on SQLite: references drawn again")
struct QueueReferenceTests {
    static let november = Period("2026-11")!
    static let rules = BatchingRules(maxItems: 3, maxAmount: Rupiah(1_000_000_000), approvalRequired: true)

    @Test("a drawn reference the database holds is drawn again; the others and every row are kept as asked")
    func clashingReferenceDrawnAgain() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.sqlite")
        // What seed 7 draws, in order.
        var probe = RandomSource(seed: 7).generator
        let drawn = (0..<5).map { _ in PartnerReference.make(using: &probe) }
        #expect(Set(drawn).count == 5)

        // A transfer queued before (another seed), given the reference the second new transfer draws.
        let before = try SQLiteLedger(path: path, clock: .testDay, random: RandomSource(seed: 8))
        try before.seed(answers: ["\(Fixture.yohanes),opened,001100000001,", "\(Fixture.maria),opened,001100000002,",
                                  "\(Fixture.petrus),opened,001100000003,", "\(Fixture.theresia),opened,001100000004,"])
        _ = try before.enqueueProgram(program: "PKH", period: Period("2026-10")!, amount: Rupiah(100_000), remark: "Oktober",
                                      actor: "maker", rules: Self.rules)
        try before.pool.write { db in
            try db.execute(sql: "UPDATE transfer SET partner_reference_no = ? WHERE id = 1", arguments: [drawn[1]])
            try db.execute(sql: "UPDATE recipient SET program = 'BANSOS-NT'")
        }
        let stored = try before.transferRecords(from: nil, to: nil)
        #expect(stored.count == 2 && stored.map(\.partnerReferenceNo).contains(drawn[1]))

        let ledger = try SQLiteLedger(path: path, clock: .testDay, random: RandomSource(seed: 7))
        let summary = try ledger.enqueueProgram(program: "BANSOS-NT", period: Self.november, amount: Rupiah(300_000),
                                                remark: "November", actor: "maker", rules: Self.rules)
        #expect(summary.queued == 4 && summary.batches.count == 2)
        let records = try ledger.transferRecords(from: nil, to: nil).sorted { $0.transferID < $1.transferID }
        #expect(records.map(\.transferID) == [1, 2, 3, 4, 5, 6])
        let new = records.filter { $0.transferID > 2 }
        // The four drawn, given in increasing order; the one transfer 1 holds alone is drawn again (seed 7's fifth).
        #expect(new.map(\.partnerReferenceNo) == drawn[0..<4].sorted().map { $0 == drawn[1] ? drawn[4] : $0 })
        #expect(new.map(\.partnerReferenceNo) != drawn[0..<4].sorted())
        #expect(new.map(\.nik) == [Fixture.maria, Fixture.petrus, Fixture.yohanes, Fixture.theresia].sorted())
        #expect(Set(new.map(\.state)) == ["awaiting_approval"])
        #expect(try ledger.transferRecords(from: nil, to: nil).first { $0.transferID == 1 }?.partnerReferenceNo == drawn[1])
        #expect(try ledger.verifyAudit().rows > 0)
        // Nothing of the temporary table is left behind on the writer's connection.
        let left = try ledger.pool.write { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_temp_master") }
        #expect(left == 0)
    }

    @Test("more transfers than one bulk statement's rows, not a multiple of them: each written once, in id order",
          arguments: [1, 99, 100, 101, 250])
    func acrossStatements(_ count: Int) throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let ledger = try SQLiteLedger(path: dir.file("salur.sqlite"), clock: .testDay)
        let transfers = (0..<count).map { i in
            NewTransfer(kind: .intrabank, dedupeKey: "test:\(i)", recipientID: nil, nik: nil, beneficiaryName: "Penerima \(i)",
                        beneficiaryAccount: "0011" + String(100_000_000 + i), beneficiaryBankCode: nil, program: "BPJS",
                        period: "2026-11", amount: Rupiah(Int64(1_000 + i)), remark: "Nomor \(i)")
        }
        let rules = BatchingRules(maxItems: 1_000, maxAmount: Rupiah(1_000_000_000), approvalRequired: false)
        var summary = try ledger.enqueue(transfers, actor: "maker", rules: rules, auditAction: "test.enqueue", auditSubject: "test")
        #expect(summary.queued == count && summary.alreadyQueued == 0)
        let records = try ledger.transferRecords(from: nil, to: nil).sorted { $0.transferID < $1.transferID }
        #expect(records.map(\.transferID) == (1...Int64(count)).map { $0 })
        #expect(records.map(\.amount) == transfers.map(\.amount))
        #expect(records.map(\.name) == transfers.map(\.beneficiaryName))
        #expect(Set(records.map(\.partnerReferenceNo)).count == count)
        #expect(Set(records.map(\.state)) == ["approved"])
        // Queued again: every key is known, nothing is written.
        summary = try ledger.enqueue(transfers, actor: "maker", rules: rules, auditAction: "test.enqueue", auditSubject: "test")
        #expect(summary.queued == 0 && summary.alreadyQueued == count)
        #expect(try ledger.transferRecords(from: nil, to: nil).count == count)
    }

    @Test("references for many transfers: as many as asked, each one `make` draws, in increasing order")
    func ascendingReferences() {
        var probe = RandomSource(seed: 11).generator
        let drawn = (0..<5_000).map { _ in PartnerReference.make(using: &probe) }
        var generator = RandomSource(seed: 11).generator
        let ascending = PartnerReference.ascending(5_000, using: &generator)
        #expect(ascending == drawn.sorted())
        #expect(ascending != drawn)
        #expect(zip(ascending, ascending.dropFirst()).allSatisfy { $0 < $1 })
        #expect(ascending.allSatisfy(PartnerReference.isSalurReference))
        #expect(PartnerReference.ascending(0, using: &generator).isEmpty)
    }
}
