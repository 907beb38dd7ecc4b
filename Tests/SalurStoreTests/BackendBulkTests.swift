import Foundation
import SalurCore
@testable import SalurSQLite
@testable import SalurStore
import Testing

/// Files larger than one bulk statement (PostgreSQL writes 5,000 rows a statement): every row is
/// written once, ids and references come out as SQLite gives them, and updates are audited each.
@Suite("Store backends with large files")
struct BackendBulkTests {
    static let count = 12_345

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// NIK `537103 DD0190 ssss`: valid, and distinct for every `i` below 9,999 × 28.
    static func nik(_ i: Int) -> String { "537103" + pad(1 + i / 9_999, 2) + "0190" + pad(i % 9_999 + 1, 4) }

    /// The recipients file, its rows in a scrambled order; `changed(i)` gives a recipient a new phone.
    static func file(changed: (Int) -> Bool = { _ in false }) throws -> [RecipientFile.Row] {
        var lines = ["nik,name,program,district,phone,account_no"]
        for k in 0..<count {
            let i = k * 7_919 % count // a permutation: 7,919 is prime and does not divide the count
            let phone = changed(i) ? "0813" + pad(i, 8) : "0812" + pad(i, 8)
            lines.append("\(nik(i)),Penerima \(i),BANSOS-NT,Oebobo,\(phone),0011\(pad(i, 8))")
        }
        return try Fixture.recipients(lines.joined(separator: "\n") + "\n")
    }

    @Test("a large import, a re-import changing half of it, and a large programme split into batches", arguments: Backend.available)
    func largeFiles(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        var added = RecipientImportSummary()
        added.added = Self.count
        #expect(try await s.store.importRecipients(Self.file(), source: Fixture.source, actor: "tester") == added)
        let stored = try await s.store.recipients(matching: RecipientFilter())
        #expect(stored.map(\.recipient.nik.digits) == (0..<Self.count).map(Self.nik))
        // Inserted in file order (a permutation of the NIK order) on both stores.
        let ids = Dictionary(uniqueKeysWithValues: stored.map { ($0.recipient.nik.digits, $0.id) })
        #expect((0..<Self.count).map { ids[Self.nik($0 * 7_919 % Self.count)] } == (1...Int64(Self.count)).map { $0 })
        #expect(stored.allSatisfy { if case .opened = $0.recipient.opening { true } else { false } })

        var changed = RecipientImportSummary()
        changed.updated = (Self.count + 1) / 2
        changed.unchanged = Self.count / 2
        #expect(try await s.store.importRecipients(Self.file { $0 % 2 == 0 }, source: Fixture.source, actor: "tester") == changed)
        let audit = try await s.audit()
        #expect(audit.count == 2 + changed.updated)
        #expect(audit.dropFirst().dropLast().allSatisfy { $0.action == "recipient.update" })
        #expect(audit[1].details == #"{"phone":"0812\#(Self.pad(0, 8)) -> 0813\#(Self.pad(0, 8))"}"#)
        #expect(try await s.store.verifyAudit().rows == audit.count)
        let phones = try await s.store.recipients(matching: RecipientFilter(limit: 2)).map(\.recipient.phone)
        #expect(phones == ["0813" + Self.pad(0, 8), "0812" + Self.pad(1, 8)])

        let rules = BatchingRules(maxItems: 5_000, maxAmount: Rupiah(1_000_000_000_000), approvalRequired: true)
        let summary = try await s.store.enqueueProgram(program: "BANSOS-NT", period: Period("2026-11")!, amount: Rupiah(300_000),
                                                       remark: "", actor: "maker", rules: rules)
        #expect(summary.queued == Self.count && summary.queuedAmount == Rupiah(300_000 * Int64(Self.count)))
        #expect(summary.batches == [batchID(1), batchID(2), batchID(3)])
        #expect(try await s.store.batches(state: nil, id: nil).map(\.itemCount) == [2_345, 5_000, 5_000])
        let records = try await s.store.transferRecords(from: nil, to: nil)
        #expect(records.map(\.nik) == (0..<Self.count).map(Self.nik))
        #expect(records.allSatisfy { PartnerReference.isSalurReference($0.partnerReferenceNo) })
        #expect(Set(records.map(\.partnerReferenceNo)).count == Self.count)
        #expect(try await s.store.approve(ids: [], all: true, actor: "checker", distinctApprover: true).count == 3)
        #expect(try await s.store.verifyAudit().rows == (try await s.audit()).count)
    }
}
