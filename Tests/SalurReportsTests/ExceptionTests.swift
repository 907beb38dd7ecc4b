import Foundation
import SalurCore
import SalurReports
import SalurStatements
import SalurStore
import Testing

/// Each kind of exception, provoked on purpose, with its evidence.
@Suite("Reconciliation exceptions")
struct ExceptionTests {
    func only(_ fixture: ReconcileFixture, sourceLocation: SourceLocation = #_sourceLocation) throws -> ReconciliationException {
        let open = try fixture.openExceptions()
        #expect(open.count == 1, "\(open.map(\.kind))", sourceLocation: sourceLocation)
        return try #require(open.first, sourceLocation: sourceLocation)
    }

    @Test("settled, but on no statement N days later")
    func missing() throws {
        let fixture = try ReconcileFixture(); defer { fixture.remove() }
        try fixture.seed([.init(id: 1, account: "0012000001"), .init(id: 2, account: "0012000002")])
        let text = StatementFixtures.statement(entries: [("D", 300_000, "SLR000000000001", "")])
        // Within the grace period: not yet an exception, but unmatched.
        try fixture.reconcile(text, today: "2026-11-25", missingAfterDays: 3)
        #expect(try fixture.openExceptions().isEmpty)
        #expect(try fixture.ledger.reconciliationStatus(period: nil, utcOffsetHours: 7).unmatched == 1)
        // Three days after settling (2026-11-23 WIB), re-matching what is stored finds it.
        let run = try fixture.rematch(today: "2026-11-26", missingAfterDays: 3)
        #expect(run.exceptionsOpened == 1)
        let exception = try only(fixture)
        #expect(exception.kind == "missing_from_statement")
        #expect(exception.partnerReferenceNo == "SLR000000000002" && exception.amount == 300_000 && exception.day == "2026-11-23")
        #expect(exception.evidence.contains("SLR000000000002") && exception.evidence.contains("is on no imported statement"))

        // The next day's statement shows it: the exception clears by itself.
        let late = StatementFixtures.statement(id: "STMT20261124", day: "261124", opening: 9_700_000,
                                               entries: [("D", 300_000, "SLR000000000002", "")])
        let cleared = try fixture.reconcile(late, file: "late.sta", today: "2026-11-26")
        #expect(cleared.exceptionsCleared == 1)
        #expect(try fixture.openExceptions().isEmpty)
        #expect(try fixture.ledger.reconciliationExceptions(ExceptionFilter(states: ["cleared"])).map(\.kind) == ["missing_from_statement"])
    }

    @Test("a debit no transfer explains")
    func unknownDebit() throws {
        let fixture = try ReconcileFixture(); defer { fixture.remove() }
        try fixture.seed([.init(id: 1, account: "0012000001")])
        let text = StatementFixtures.statement(entries: [
            ("D", 300_000, "SLR000000000001", ""),
            ("D", 6_500, "NONREF//ADM202611", "BIAYA ADMIN"),
        ])
        try fixture.reconcile(text)
        let exception = try only(fixture)
        #expect(exception.kind == "unknown_debit" && exception.amount == 6_500 && exception.transferID == nil)
        #expect(exception.statementId == "STMT20261123" && exception.statementLine == 6)
        #expect(exception.evidence.contains("debit of Rp 6.500") && exception.evidence.contains("bank.sta:6"))
        #expect(exception.evidence.contains("BIAYA ADMIN"))
    }

    @Test("the same transfer debited twice: a duplicate payment")
    func duplicate() throws {
        let fixture = try ReconcileFixture(); defer { fixture.remove() }
        try fixture.seed([.init(id: 1, account: "0012000001", bankReference: "20261123000001")])
        let text = StatementFixtures.statement(entries: [
            ("D", 300_000, "SLR000000000001//20261123000001", ""),
            ("D", 300_000, "SLR000000000001//20261123000077", "TRF ULANG"),
        ])
        try fixture.reconcile(text)
        let exception = try only(fixture)
        #expect(exception.kind == "duplicate_payment" && exception.partnerReferenceNo == "SLR000000000001")
        #expect(exception.evidence.contains("a second time") && exception.evidence.contains("bank.sta:5"))
        let record = try #require(try fixture.ledger.reconciledTransfers(from: nil, to: nil).first)
        #expect(record.matchKind == "reference" && record.duplicates == 1 && record.openExceptions == ["duplicate_payment"])
    }

    @Test("the debit's amount is not the transfer's")
    func amountDiffers() throws {
        let fixture = try ReconcileFixture(); defer { fixture.remove() }
        try fixture.seed([.init(id: 1, account: "0012000001", bankReference: "20261123000001")])
        try fixture.reconcile(StatementFixtures.statement(entries: [("D", 350_000, "NONREF//20261123000001", "")]))
        let exception = try only(fixture)
        #expect(exception.kind == "amount_differs" && exception.amount == 350_000)
        #expect(exception.evidence.contains("+50000 rupiah more"))
    }

    @Test("money credited back: the transfer becomes returned and its recipient is flagged")
    func returned() throws {
        let fixture = try ReconcileFixture(); defer { fixture.remove() }
        try fixture.seed([.init(id: 1, account: "0012000001", bankReference: "20261123000001", nik: "5371031502850001")])
        let text = StatementFixtures.statement(entries: [
            ("D", 300_000, "SLR000000000001//20261123000001", ""),
            ("RD", 300_000, "SLR000000000001//20261124000555", "RETUR REKENING TIDAK AKTIF"),
        ])
        let run = try fixture.reconcile(text)
        #expect(run.transfersReturned == 1)
        #expect(try fixture.transferState(1) == "returned")
        let exception = try only(fixture)
        #expect(exception.kind == "returned" && exception.transferState == "returned")
        let flagged = try fixture.ledger.flaggedRecipients()
        #expect(flagged.map(\.nik) == ["5371031502850001"])
        #expect(try fixture.ledger.reconciledTransfers(from: nil, to: nil).first?.recipientFlagged == true)
        let audit = try fixture.ledger.auditTail(limit: 10).map(\.action)
        #expect(audit.contains("transfer.returned"))

        // Matching again does not return it twice, and resolving the exception clears the flag.
        #expect(try fixture.rematch().transfersReturned == 0)
        _ = try fixture.ledger.resolveReconciliationException(id: exception.id, reason: "account reactivated; paid again in B-2026-12-0001",
                                                             actor: "kabid")
        #expect(try fixture.ledger.flaggedRecipients().isEmpty)
        #expect(try fixture.transferState(1) == "returned")
    }

    @Test("failed in Salur, yet debited by the bank")
    func failedButDebited() throws {
        let fixture = try ReconcileFixture(); defer { fixture.remove() }
        try fixture.seed([.init(id: 1, state: "failed", account: "0012000001")])
        try fixture.reconcile(StatementFixtures.statement(entries: [("D", 300_000, "SLR000000000001", "")]))
        let exception = try only(fixture)
        #expect(exception.kind == "failed_but_debited" && exception.transferState == "failed")
        #expect(exception.evidence.contains("which Salur has as failed"))
    }

    @Test("failed in Salur, debited without a reference: found weakly by amount and account")
    func failedButDebitedWeakly() throws {
        let fixture = try ReconcileFixture(); defer { fixture.remove() }
        try fixture.seed([.init(id: 1, state: "failed", account: "0012000001")])
        try fixture.reconcile(StatementFixtures.statement(entries: [("D", 300_000, "NONREF", "TRF KE 0012000001")]))
        let exception = try only(fixture)
        #expect(exception.kind == "failed_but_debited" && exception.evidence.contains("weak match"))
    }

    @Test("debited while Salur still has the transfer in doubt; clears once it settles")
    func debitedNotSettled() throws {
        let fixture = try ReconcileFixture(); defer { fixture.remove() }
        try fixture.seed([.init(id: 1, state: "in_doubt", account: "0012000001")])
        try fixture.reconcile(StatementFixtures.statement(entries: [("D", 300_000, "SLR000000000001", "")]))
        #expect(try only(fixture).kind == "debited_not_settled")
        try fixture.sql("UPDATE transfer SET state = 'settled', settled_at = '2026-11-23T03:00:00.000Z' WHERE id = 1")
        let run = try fixture.rematch()
        #expect(run.exceptionsCleared == 1 && run.matchedByReference == 1)
        #expect(try fixture.openExceptions().isEmpty)
    }

    @Test("resolving: needs a reason, is audited, and holds while the condition lasts")
    func resolve() throws {
        let fixture = try ReconcileFixture(); defer { fixture.remove() }
        try fixture.seed([.init(id: 1, account: "0012000001")])
        try fixture.reconcile(StatementFixtures.statement(entries: [
            ("D", 300_000, "SLR000000000001", ""), ("D", 6_500, "NONREF", "BIAYA ADMIN"),
        ]))
        let exception = try only(fixture)
        #expect(throws: StoreError.self) { try fixture.ledger.resolveReconciliationException(id: exception.id, reason: "  ", actor: "kabid") }
        let resolved = try fixture.ledger.resolveReconciliationException(id: exception.id, reason: "bank fee per PKS", actor: "kabid")
        #expect(resolved.state == "resolved" && resolved.resolvedBy == "kabid" && resolved.resolution == "bank fee per PKS")
        #expect(throws: StoreError.self) { try fixture.ledger.resolveReconciliationException(id: exception.id, reason: "again", actor: "kabid") }
        let last = try #require(try fixture.ledger.auditTail(limit: 1).first)
        #expect(last.action == "reconcile.resolve" && last.actor == "kabid" && last.details.contains("bank fee per PKS"))
        #expect(try fixture.ledger.verifyAudit().rows > 0)

        try fixture.rematch()
        #expect(try fixture.openExceptions().isEmpty)
        let status = try fixture.ledger.reconciliationStatus(period: nil, utcOffsetHours: 7)
        #expect(status.exceptions["unknown_debit"] == 0 && status.resolved["unknown_debit"] == 1)
    }
}
