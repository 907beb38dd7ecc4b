import Foundation
import GRDB
@testable import SalurSQLite
import Testing
import SalurCore
@testable import SalurStore

/// The hash-chained audit log: verified when intact; an edited, re-hashed or deleted row is found.
@Suite("Audit chain")
struct AuditChainTests {
    /// A ledger with three audit rows: import (1), export (2), results (3).
    func ledger(at path: String) throws -> SQLiteLedger {
        let ledger = try SQLiteLedger(path: path)
        try ledger.seed(answers: ["\(Fixture.yohanes),opened,001100000001,"])
        return ledger
    }

    func raw(_ path: String, _ sql: String, _ arguments: StatementArguments = []) throws {
        try DatabaseQueue(path: path).write { try $0.execute(sql: sql, arguments: arguments) }
    }

    @Test func intactChainVerifies() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let ledger = try ledger(at: dir.file("salur.db"))
        let entries = try ledger.auditTail(limit: 100)
        #expect(entries.map(\.seq) == [1, 2, 3])
        #expect(entries.map(\.action) == ["recipients.import", "accounts.export_requests", "accounts.import_results"])
        #expect(entries[0].prevHash == AuditChain.genesis)
        #expect(entries[1].prevHash == entries[0].hash)
        #expect(entries[2].prevHash == entries[1].hash)
        #expect(try ledger.verifyAudit() == AuditVerification(rows: 3, headHash: entries[2].hash))
        // The chain is what it claims: recomputing row 2 from its fields gives its hash.
        let e = entries[1]
        #expect(AuditChain.hash(prev: e.prevHash, seq: e.seq, at: e.at, actor: e.actor, action: e.action,
                                subject: e.subject, details: e.details) == e.hash)
    }

    @Test func emptyLogVerifies() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        #expect(try SQLiteLedger(path: dir.file("salur.db")).verifyAudit() == AuditVerification(rows: 0, headHash: AuditChain.genesis))
    }

    @Test("an edited row is found", arguments: [
        "UPDATE audit_log SET details = '{\"count\":\"40\",\"sha256\":\"sha\"}' WHERE seq = 2",
        "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2",
        "UPDATE audit_log SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 2",
        "UPDATE audit_log SET hash = '\(String(repeating: "f", count: 64))' WHERE seq = 2",
    ])
    func tamperedRow(sql: String) throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        let ledger = try ledger(at: path)
        #expect(try ledger.verifyAudit().rows == 3)
        try raw(path, sql)
        #expect(throws: AuditError.tampered(seq: 2, reason: "its content does not match its hash")) { try ledger.verifyAudit() }
    }

    @Test func editedAndRehashedRowBreaksTheNextLink() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        let ledger = try ledger(at: path)
        let e = try ledger.auditTail(limit: 100)[1]
        let forged = #"{"count":"40","sha256":"sha"}"#
        let hash = AuditChain.hash(prev: e.prevHash, seq: 2, at: e.at, actor: e.actor, action: e.action, subject: e.subject, details: forged)
        try raw(path, "UPDATE audit_log SET details = ?, hash = ? WHERE seq = 2", [forged, hash])
        #expect(throws: AuditError.tampered(seq: 3, reason: "prev_hash does not match row 2's hash")) { try ledger.verifyAudit() }
    }

    @Test func deletedMiddleRowIsAGap() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        let ledger = try ledger(at: path)
        try raw(path, "DELETE FROM audit_log WHERE seq = 2")
        #expect(throws: AuditError.gap(after: 1, next: 3)) { try ledger.verifyAudit() }
        #expect(AuditError.gap(after: 1, next: 3).description.contains("rows 2…2 are missing"))
    }

    @Test func deletedFirstRowIsAGap() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        let ledger = try ledger(at: path)
        try raw(path, "DELETE FROM audit_log WHERE seq = 1")
        #expect(throws: AuditError.gap(after: 0, next: 2)) { try ledger.verifyAudit() }
    }

    @Test func renumberedRowsAreFound() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        let ledger = try ledger(at: path)
        // Deleting row 2 and shifting row 3 down hides the gap; the hash of the moved row gives it away.
        try raw(path, "DELETE FROM audit_log WHERE seq = 2")
        try raw(path, "UPDATE audit_log SET seq = 2 WHERE seq = 3")
        #expect(throws: AuditError.tampered(seq: 2, reason: "prev_hash does not match row 1's hash")) { try ledger.verifyAudit() }
    }

    @Test func newRowsChainOnAfterVerification() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let ledger = try ledger(at: dir.file("salur.db"))
        let head = try ledger.verifyAudit().headHash
        _ = try ledger.applyOpeningResults(Fixture.results(["\(Fixture.maria),rejected,,Duplikat nasabah"]), source: Fixture.results, actor: "tester")
        let last = try ledger.auditTail(limit: 1)[0]
        #expect(last.seq == 4)
        #expect(last.prevHash == head)
        #expect(try ledger.verifyAudit().rows == 4)
    }

    @Test func canonicalRowCannotBeShiftedBetweenFields() {
        // Length-prefixing: moving text from one field into its neighbour changes the hash.
        let a = AuditChain.hash(prev: AuditChain.genesis, seq: 1, at: "t", actor: "ab", action: "c", subject: "s", details: "{}")
        let b = AuditChain.hash(prev: AuditChain.genesis, seq: 1, at: "t", actor: "a", action: "bc", subject: "s", details: "{}")
        #expect(a != b)
        #expect(a.count == 64)
        #expect(a.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(AuditChain.sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
