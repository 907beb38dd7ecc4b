import Foundation
import SalurCore
import SalurReports
import SalurStatements
import SalurStore
import Testing

@Suite("Reconciliation: hand-written statements")
struct StatementMatchingTests {
    static let twoPaid: [ReconcileFixture.Seed] = [
        .init(id: 1, account: "0012000001", bankReference: "20261123000001"),
        .init(id: 2, account: "0012000002", bankReference: "20261123000002"),
    ]

    @Test("MT940 with decimal comma: both debits matched by reference, the credit ignored, no exception")
    func mandiri() throws {
        let fixture = try ReconcileFixture(); defer { fixture.remove() }
        try fixture.seed(Self.twoPaid)
        let run = try fixture.reconcile(StatementFixtures.mandiri)
        #expect(run.statementsStored == 1)
        #expect(run.entriesStored == 3)
        #expect(run.matchedByReference == 2)
        #expect(run.matchedWeakly == 0)
        #expect(run.openExceptions.isEmpty)
        #expect(try fixture.openExceptions().isEmpty)
        let status = try fixture.ledger.reconciliationStatus(period: Period("2026-11"), utcOffsetHours: 7)
        #expect(status.matched == 2 && status.matchedAmount == 600_000 && status.unmatched == 0)
        #expect(status.exceptions.values.allSatisfy { $0 == 0 } && status.exceptions.count == ExceptionKind.allCases.count)
    }

    @Test("BRI-style MT940: no decimal comma, no booking date, references only in short :86: lines, two statements")
    func bri() throws {
        let fixture = try ReconcileFixture(); defer { fixture.remove() }
        try fixture.seed(Self.twoPaid + [.init(id: 3, amount: 450_000, account: "0012000003", settledAt: "2026-11-24T02:00:00.000Z")])
        let run = try fixture.reconcile(StatementFixtures.bri, file: "bri.sta")
        #expect(run.statementsStored == 2)
        #expect(run.matchedByReference == 3, "SLR… and the bank reference are found in the :86: text")
        #expect(try fixture.openExceptions().isEmpty)
        let records = try fixture.ledger.reconciledTransfers(from: nil, to: nil)
        #expect(records.map(\.matchKind) == ["reference", "reference", "reference"])
        #expect(records.map { $0.entry?.statementId } == ["BRI20261123", "BRI20261123", "BRI20261124"])
    }

    @Test("camt.053: matched by AcctSvcrRef and EndToEndId; the pending entry is kept, not matched")
    func camt() throws {
        let fixture = try ReconcileFixture(); defer { fixture.remove() }
        try fixture.seed(Self.twoPaid)
        let run = try fixture.reconcile(StatementFixtures.camt, file: "camt.xml")
        #expect(run.entriesStored == 3)
        #expect(run.matchedByReference == 2)
        #expect(try fixture.openExceptions().isEmpty)
        #expect(try fixture.count("SELECT count(*) FROM statement_entry WHERE status = 'pending' AND transfer_id IS NULL") == 1)
    }

    @Test("no reference at all: matched by amount, beneficiary account and day, marked weak")
    func weak() throws {
        let fixture = try ReconcileFixture(); defer { fixture.remove() }
        try fixture.seed([
            .init(id: 1, amount: 300_000, account: "0012000001"),
            .init(id: 2, amount: 300_000, account: "0012000002"),
            // Same account and amount on another day: must not be taken.
            .init(id: 3, amount: 300_000, account: "0012000001", settledAt: "2026-11-20T03:00:00.000Z"),
        ])
        let text = StatementFixtures.statement(entries: [
            ("D", 300_000, "NONREF", "PEMINDAHBUKUAN KE 0012000002"),
            ("D", 300_000, "NONREF", "PEMINDAHBUKUAN KE 0012000001"),
        ])
        let run = try fixture.reconcile(text, today: "2026-11-21")
        #expect(run.matchedWeakly == 2)
        let records = try fixture.ledger.reconciledTransfers(from: nil, to: nil)
        #expect(records.map(\.matchKind) == ["weak", "weak", ""])
        #expect(records[0].entry?.line == 7 && records[1].entry?.line == 5)
        let status = try fixture.ledger.reconciliationStatus(period: nil, utcOffsetHours: 7)
        #expect(status.matchedWeak == 2 && status.unmatched == 1)
    }

    @Test("a statement whose balances do not add up is refused, saying by how much; nothing is stored")
    func balanceFailure() throws {
        let fixture = try ReconcileFixture(); defer { fixture.remove() }
        try fixture.seed(Self.twoPaid)
        let text = StatementFixtures.statement(entries: [("D", 300_000, "SLR000000000001", "")], closing: 9_700_500)
        #expect {
            try fixture.reconcile(text, file: "short.sta")
        } throws: { error in
            guard let error = error as? StatementBalanceError else { return false }
            return error.difference == Sen(50_000) && error.description.contains("off by +500 rupiah") && error.description.hasPrefix("short.sta:1:")
        }
        #expect(try fixture.count("SELECT count(*) FROM statement") == 0)
        #expect(try fixture.count("SELECT count(*) FROM audit_log") == 0)
    }

    @Test("a statement of another account is refused")
    func otherAccount() throws {
        let fixture = try ReconcileFixture(); defer { fixture.remove() }
        let text = StatementFixtures.statement(entries: [], account: "0099888777")
        #expect(throws: StatementRefusal.self) { try fixture.reconcile(text) }
        // The account as some banks write it, with the bank code or dashes, is the same account.
        #expect(try fixture.reconcile(StatementFixtures.statement(entries: [], account: "BRINIDJA/0011999999")).statementsStored == 1)
        #expect(try fixture.reconcile(StatementFixtures.statement(id: "X2", entries: [], account: "001-19-99999")).statementsStored == 1)
    }

    @Test("re-importing the same statement changes nothing, in the same format or the other")
    func idempotent() throws {
        let fixture = try ReconcileFixture(); defer { fixture.remove() }
        try fixture.seed(Self.twoPaid + [.init(id: 3, account: "0012000009", bankReference: "20261123000009")])
        try fixture.reconcile(StatementFixtures.mandiri, today: "2026-11-30")
        let before = try fixture.dump()
        #expect(before.contains { $0.contains("missing_from_statement") }, "transfer 3 is not on the statement")
        let again = try fixture.reconcile(StatementFixtures.mandiri, file: "bank.sta", today: "2026-11-30")
        #expect(again.statementsStored == 0 && again.statementsUnchanged == 1 && again.matchesChanged == 0)
        #expect(again.exceptionsOpened == 0 && again.exceptionsCleared == 0)
        #expect(try fixture.dump() == before, "no row of any table, audit log included, changed")

        // The same statement as the bank's camt.053 export is the same statement.
        // camt.053 numbers statements without MT940's page (`ElctrncSeqNb` 1 for `:28C:00001/001`).
        var statement = try MT940Parser.parse(StatementFixtures.mandiri, file: "bank.sta")
        statement[0].sequence = "1"
        let camt = Camt053Writer.write(statement)
        let viaCamt = try fixture.reconcile(camt, file: "bank.xml", today: "2026-11-30")
        #expect(viaCamt.statementsStored == 0 && viaCamt.statementsUnchanged == 1)
        #expect(try fixture.dump() == before)
    }

    @Test("another version of a stored statement (same id, sequence and dates) is refused")
    func conflictingVersion() throws {
        let fixture = try ReconcileFixture(); defer { fixture.remove() }
        try fixture.seed(Self.twoPaid)
        try fixture.reconcile(StatementFixtures.statement(entries: [("D", 300_000, "SLR000000000001", "")]))
        let other = StatementFixtures.statement(entries: [("D", 300_000, "SLR000000000002", "")])
        #expect {
            try fixture.reconcile(other, file: "again.sta")
        } throws: { error in
            (error as? StatementRefusal)?.reason.contains("already imported from bank.sta") == true
        }
        #expect(try fixture.count("SELECT count(*) FROM statement") == 1)

        // Two versions in one file are refused as well; the same one twice is stored once.
        let first = StatementFixtures.statement(id: "D2", entries: [("D", 300_000, "SLR000000000002", "")])
        let second = StatementFixtures.statement(id: "D2", entries: [("D", 300_001, "SLR000000000002", "")])
        #expect(throws: StatementRefusal.self) { try fixture.reconcile(first + second, file: "both.sta") }
        #expect(try fixture.reconcile(first + first, file: "twice.sta").statementsStored == 1)
    }
}
