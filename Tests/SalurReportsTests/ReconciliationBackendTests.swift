import Foundation
import SalurCore
import SalurReports
import SalurStatements
import SalurStore
import Testing

/// Reconciliation through `SalurStoreBackend` on SQLite and on PostgreSQL: the same matches,
/// exceptions (evidence word for word), refusals, exports and audit rows from both.
@Suite("Reconciliation on both stores", .timeLimit(.minutes(5)))
struct ReconciliationBackendTests {
    static let twoPaid: [ReconcileFixture.Seed] = [
        .init(id: 1, account: "0012000001", bankReference: "20261123000001"),
        .init(id: 2, account: "0012000002", bankReference: "20261123000002"),
    ]

    func only(_ f: StoreFixture, sourceLocation: SourceLocation = #_sourceLocation) async throws -> ReconciliationException {
        let open = try await f.openExceptions()
        #expect(open.count == 1, "\(open.map(\.kind))", sourceLocation: sourceLocation)
        return try #require(open.first, sourceLocation: sourceLocation)
    }

    // MARK: Matching

    @Test("MT940: both debits matched by reference, the credit ignored; the same statement again, or as camt.053, changes nothing",
          arguments: ReconBackend.available)
    func reference(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed(Self.twoPaid + [.init(id: 3, account: "0012000009", bankReference: "20261123000009")])
        let run = try await f.reconcile(StatementFixtures.mandiri, today: "2026-11-30")
        #expect(run.statementsStored == 1 && run.entriesStored == 3 && run.matchedByReference == 2 && run.matchedWeakly == 0)
        #expect(run.matchesChanged == 2 && run.exceptionsOpened == 1)
        #expect(try await f.openExceptions().map(\.kind) == ["missing_from_statement"])
        let status = try await f.store.reconciliationStatus(period: Period("2026-11"), utcOffsetHours: 7)
        #expect(status.matched == 2 && status.matchedAmount == 600_000 && status.unmatched == 1 && status.statements == 1)
        #expect(status.statementDebits == 2 && status.statementDebitAmount == 600_000 && status.exceptions["missing_from_statement"] == 1)
        #expect(try await f.store.reconciliationStatus(period: Period("2026-10"), utcOffsetHours: 7).matched == 0)

        let before = try await f.dump()
        let again = try await f.reconcile(StatementFixtures.mandiri, today: "2026-11-30")
        #expect(again.statementsStored == 0 && again.statementsUnchanged == 1 && again.matchesChanged == 0)
        #expect(again.exceptionsOpened == 0 && again.exceptionsCleared == 0 && again.matchedByReference == 2)
        #expect(try await f.dump() == before, "no row of any table, audit log included, changed")

        var statement = try MT940Parser.parse(StatementFixtures.mandiri, file: "bank.sta")
        statement[0].sequence = "1"
        let viaCamt = try await f.reconcile(Camt053Writer.write(statement), file: "bank.xml", today: "2026-11-30")
        #expect(viaCamt.statementsStored == 0 && viaCamt.statementsUnchanged == 1)
        #expect(try await f.dump() == before)
        #expect(try await f.rematch(today: "2026-11-30").matchesChanged == 0)
        #expect(try await f.dump() == before)
    }

    @Test("no reference at all: matched by amount, beneficiary account and day, marked weak", arguments: ReconBackend.available)
    func weak(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed([
            .init(id: 1, amount: 300_000, account: "0012000001"),
            .init(id: 2, amount: 300_000, account: "0012000002"),
            .init(id: 3, amount: 300_000, account: "0012000001", settledAt: "2026-11-20T03:00:00.000Z"),
        ])
        let run = try await f.reconcile(StatementFixtures.statement(entries: [
            ("D", 300_000, "NONREF", "PEMINDAHBUKUAN KE 0012000002"),
            ("D", 300_000, "NONREF", "PEMINDAHBUKUAN KE 0012000001"),
        ]), today: "2026-11-21")
        #expect(run.matchedWeakly == 2)
        let records = try await f.store.reconciledTransfers(from: nil, to: nil, batchID: nil)
        #expect(records.map(\.matchKind) == ["weak", "weak", ""])
        #expect(records[0].entry?.line == 7 && records[1].entry?.line == 5)
        let status = try await f.store.reconciliationStatus(period: nil, utcOffsetHours: 7)
        #expect(status.matchedWeak == 2 && status.unmatched == 1)
        let checks = try await f.store.statementChecks(period: Period("2026-11"))
        #expect(checks.map(\.weakDebits) == [2] && checks.map(\.matchedDebits) == [2])
    }

    @Test("a statement arriving before its transfer settles is matched once it does", arguments: ReconBackend.available)
    func settlesLater(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed([.init(id: 1, state: "in_doubt", account: "0012000001")])
        try await f.reconcile(StatementFixtures.statement(entries: [("D", 300_000, "SLR000000000001", "")]))
        #expect(try await only(f).kind == "debited_not_settled")
        try await f.sql("UPDATE transfer SET state = 'settled', settled_at = '2026-11-23T03:00:00.000Z' WHERE id = 1")
        let run = try await f.rematch()
        #expect(run.exceptionsCleared == 1 && run.matchedByReference == 1)
        #expect(try await f.openExceptions().isEmpty)
        #expect(try await f.allExceptions().map(\.state) == ["cleared"])
    }

    // MARK: Exceptions

    @Test("settled, but on no statement N days later; clears when a later statement shows it", arguments: ReconBackend.available)
    func missing(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed([.init(id: 1, account: "0012000001"), .init(id: 2, account: "0012000002")])
        try await f.reconcile(StatementFixtures.statement(entries: [("D", 300_000, "SLR000000000001", "")]), today: "2026-11-25")
        #expect(try await f.openExceptions().isEmpty)
        #expect(try await f.store.reconciliationStatus(period: nil, utcOffsetHours: 7).unmatched == 1)
        let run = try await f.rematch(today: "2026-11-26")
        #expect(run.exceptionsOpened == 1)
        let exception = try await only(f)
        #expect(exception.kind == "missing_from_statement")
        #expect(exception.partnerReferenceNo == "SLR000000000002" && exception.amount == 300_000 && exception.day == "2026-11-23")
        #expect(exception.evidence.contains("SLR000000000002") && exception.evidence.contains("is on no imported statement"))

        let late = StatementFixtures.statement(id: "STMT20261124", day: "261124", opening: 9_700_000,
                                               entries: [("D", 300_000, "SLR000000000002", "")])
        let cleared = try await f.reconcile(late, file: "late.sta", today: "2026-11-26")
        #expect(cleared.exceptionsCleared == 1)
        #expect(try await f.openExceptions().isEmpty)
        #expect(try await f.store.reconciliationExceptions(ExceptionFilter(states: ["cleared"])).map(\.kind) == ["missing_from_statement"])
    }

    @Test("a debit no transfer explains", arguments: ReconBackend.available)
    func unknownDebit(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed([.init(id: 1, account: "0012000001")])
        try await f.reconcile(StatementFixtures.statement(entries: [
            ("D", 300_000, "SLR000000000001", ""), ("D", 6_500, "NONREF//ADM202611", "BIAYA ADMIN"),
        ]))
        let exception = try await only(f)
        #expect(exception.kind == "unknown_debit" && exception.amount == 6_500 && exception.transferID == nil)
        #expect(exception.statementId == "STMT20261123" && exception.statementLine == 6)
        #expect(exception.evidence.contains("debit of Rp 6.500") && exception.evidence.contains("bank.sta:6"))
        #expect(exception.evidence.contains("BIAYA ADMIN"))
    }

    @Test("the same transfer debited twice: a duplicate payment", arguments: ReconBackend.available)
    func duplicate(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed([.init(id: 1, account: "0012000001", bankReference: "20261123000001")])
        try await f.reconcile(StatementFixtures.statement(entries: [
            ("D", 300_000, "SLR000000000001//20261123000001", ""), ("D", 300_000, "SLR000000000001//20261123000077", "TRF ULANG"),
        ]))
        let exception = try await only(f)
        #expect(exception.kind == "duplicate_payment" && exception.partnerReferenceNo == "SLR000000000001")
        #expect(exception.evidence.contains("a second time") && exception.evidence.contains("bank.sta:5"))
        let record = try #require(try await f.store.reconciledTransfers(from: nil, to: nil, batchID: nil).first)
        #expect(record.matchKind == "reference" && record.duplicates == 1 && record.openExceptions == ["duplicate_payment"])
        #expect(try await f.store.statementChecks(period: nil).map(\.duplicateDebits) == [1])
    }

    @Test("the debit's amount is not the transfer's", arguments: ReconBackend.available)
    func amountDiffers(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed([.init(id: 1, account: "0012000001", bankReference: "20261123000001")])
        try await f.reconcile(StatementFixtures.statement(entries: [("D", 350_000, "NONREF//20261123000001", "")]))
        let exception = try await only(f)
        #expect(exception.kind == "amount_differs" && exception.amount == 350_000)
        #expect(exception.evidence.contains("+50000 rupiah more"))
    }

    @Test("money credited back: the transfer becomes returned (once, audited), its recipient flagged until resolved",
          arguments: ReconBackend.available)
    func returned(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed([.init(id: 1, account: "0012000001", bankReference: "20261123000001", nik: "5371031502850001")])
        let run = try await f.reconcile(StatementFixtures.statement(entries: [
            ("D", 300_000, "SLR000000000001//20261123000001", ""),
            ("RD", 300_000, "SLR000000000001//20261124000555", "RETUR REKENING TIDAK AKTIF"),
        ]))
        #expect(run.transfersReturned == 1)
        #expect(try await f.transferState(1) == "returned")
        let exception = try await only(f)
        #expect(exception.kind == "returned" && exception.transferState == "returned")
        let flagged = try await f.store.flaggedRecipients()
        #expect(flagged.map(\.nik) == ["5371031502850001"] && flagged.map(\.amount) == [300_000] && flagged.map(\.transferID) == [1])
        #expect(try await f.store.reconciledTransfers(from: nil, to: nil, batchID: nil).first?.recipientFlagged == true)
        #expect(try await f.store.statementChecks(period: nil).map(\.returns) == [1])
        let audit = try await f.store.auditTail(limit: 10)
        #expect(audit.map(\.action) == ["reconcile.statement", "transfer.returned", "reconcile.run"])
        #expect(audit[1].subject == "SLR000000000001" && audit[1].details == #"{"from":"settled","to":"returned","transfer_id":"1"}"#)

        #expect(try await f.rematch().transfersReturned == 0)
        _ = try await f.store.resolveReconciliationException(id: exception.id, reason: "account reactivated; paid again", actor: "kabid")
        #expect(try await f.store.flaggedRecipients().isEmpty)
        #expect(try await f.transferState(1) == "returned")
    }

    @Test("failed in Salur, yet debited by the bank (by reference, and weakly)", arguments: ReconBackend.available)
    func failedButDebited(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed([.init(id: 1, state: "failed", account: "0012000001"), .init(id: 2, state: "failed", account: "0012000002")])
        try await f.reconcile(StatementFixtures.statement(entries: [
            ("D", 300_000, "SLR000000000001", ""), ("D", 300_000, "NONREF", "TRF KE 0012000002"),
        ]))
        let open = try await f.openExceptions()
        #expect(open.map(\.kind) == ["failed_but_debited", "failed_but_debited"])
        #expect(open.map(\.transferState) == ["failed", "failed"])
        #expect(open[0].evidence.contains("which Salur has as failed"))
        #expect(open[1].evidence.contains("weak match"))
    }

    // MARK: Resolving, refusals

    @Test("resolving: needs a reason, is audited, holds while the condition lasts; refusals word for word",
          arguments: ReconBackend.available)
    func resolve(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed([.init(id: 1, account: "0012000001")])
        try await f.reconcile(StatementFixtures.statement(entries: [
            ("D", 300_000, "SLR000000000001", ""), ("D", 6_500, "NONREF", "BIAYA ADMIN"),
        ]))
        let exception = try await only(f)
        let noReason = await failure { _ = try await f.store.resolveReconciliationException(id: exception.id, reason: "  ", actor: "kabid") }
        #expect(noReason.contains("give a reason: what was checked, and what was done"), "\(noReason)")
        let unknown = await failure { _ = try await f.store.resolveReconciliationException(id: 99, reason: "x", actor: "kabid") }
        #expect(unknown.contains("exception 99; see salurctl reconcile exceptions --all"), "\(unknown)")
        let resolved = try await f.store.resolveReconciliationException(id: exception.id, reason: " bank fee per PKS ", actor: "kabid")
        #expect(resolved.state == "resolved" && resolved.resolvedBy == "kabid" && resolved.resolution == "bank fee per PKS")
        #expect(resolved.kind == "unknown_debit" && resolved.id == exception.id && resolved.resolvedAt != nil)
        let again = await failure { _ = try await f.store.resolveReconciliationException(id: exception.id, reason: "again", actor: "kabid") }
        #expect(again.contains("exception \(exception.id) was already resolved by kabid at \(resolved.resolvedAt ?? "")"), "\(again)")
        let last = try #require(try await f.store.auditTail(limit: 1).first)
        #expect(last.action == "reconcile.resolve" && last.actor == "kabid" && last.subject == "exception \(exception.id)")
        #expect(last.details == #"{"amount":"6500","kind":"unknown_debit","reason":"bank fee per PKS","transfer":""}"#)
        #expect(try await f.store.verifyAudit().rows == 3)

        try await f.rematch()
        #expect(try await f.openExceptions().isEmpty)
        let status = try await f.store.reconciliationStatus(period: nil, utcOffsetHours: 7)
        #expect(status.exceptions["unknown_debit"] == 0 && status.resolved["unknown_debit"] == 1)
        #expect(try await f.store.reconciliationExceptions(ExceptionFilter(states: ["resolved"], kind: "unknown_debit", period: "2026-11"))
                    .map(\.id) == [exception.id])
        #expect(try await f.store.reconciliationExceptions(ExceptionFilter(states: ["resolved"], period: "2026-12")).isEmpty)

        // A cleared exception is not resolved.
        try await f.sql("UPDATE reconciliation_exception SET state = 'cleared', cleared_at = '2026-11-25T00:00:00.000Z', "
                        + "resolution = NULL, resolved_by = NULL, resolved_at = NULL WHERE id = \(exception.id)")
        let cleared = await failure { _ = try await f.store.resolveReconciliationException(id: exception.id, reason: "x", actor: "kabid") }
        #expect(cleared.contains("cleared by itself at 2026-11-25T00:00:00.000Z"), "\(cleared)")
    }

    @Test("another version of a stored statement is refused, in another file or twice in one; nothing is stored",
          arguments: ReconBackend.available)
    func conflictingVersion(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed(Self.twoPaid)
        try await f.reconcile(StatementFixtures.statement(entries: [("D", 300_000, "SLR000000000001", "")]))
        let before = try await f.dump()
        let other = StatementFixtures.statement(entries: [("D", 300_000, "SLR000000000002", "")])
        let refusal = await failure { try await f.reconcile(other, file: "again.sta") }
        #expect(refusal.hasPrefix("again.sta:1: statement STMT20261123 sequence 1/1 of account 0011999999 for 2026-11-23…2026-11-23 "
                                  + "was already imported from bank.sta by operator at "), "\(refusal)")
        #expect(try await f.dump() == before)

        let first = StatementFixtures.statement(id: "D2", entries: [("D", 300_000, "SLR000000000002", "")])
        let second = StatementFixtures.statement(id: "D2", entries: [("D", 300_001, "SLR000000000002", "")])
        let twice = await failure { try await f.reconcile(first + second, file: "both.sta") }
        #expect(twice.contains("appears twice in the file (also at line 1)"), "\(twice)")
        #expect(try await f.dump() == before)
        let same = try await f.reconcile(first + first, file: "twice.sta")
        #expect(same.statementsStored == 1 && same.statementsUnchanged == 1)
        #expect(try await f.count("SELECT count(*) FROM statement") == 2)
    }

    // MARK: Exports

    @Test("exports: reconciled transfers (by dates and by batch), statement checks with gaps, recordExport audited",
          arguments: ReconBackend.available)
    func exports(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.sql("""
            INSERT INTO batch (id, program, period, kind, state, item_count, amount, makers, approved_by, approved_at, created_at, updated_at)
            VALUES ('B-2026-11-0001', 'BANSOS-NT', '2026-11', 'intrabank', 'done', 2, 600000, 'maker', 'checker',
                    '2026-11-23T00:00:00.000Z', '2026-11-22T00:00:00.000Z', '2026-11-23T00:00:00.000Z')
            """)
        try await f.seed([
            .init(id: 1, account: "0012000001", bankReference: "20261123000001", nik: "5371031502850001", batch: "B-2026-11-0001"),
            .init(id: 2, state: "failed", account: "0012000002", nik: "5371015502850002", name: "Maria Bunga", batch: "B-2026-11-0001"),
            .init(id: 3, account: "0012000003", settledAt: "2026-11-25T03:00:00.000Z"),
        ])
        try await f.reconcile(StatementFixtures.statement(entries: [("D", 300_000, "SLR000000000001//20261123000001", "")]))
        // The next day's statement does not follow on from the first one's closing balance (9,700,000).
        try await f.reconcile(StatementFixtures.statement(id: "STMT20261125", day: "261125", opening: 9_600_000,
                                                          entries: [("D", 300_000, "SLR000000000003", ""), ("D", 6_500, "NONREF", "")]),
                              file: "next.sta", today: "2026-11-25")

        let all = try await f.store.reconciledTransfers(from: nil, to: nil, batchID: nil)
        #expect(all.map(\.transfer.transferID) == [1, 2, 3])
        #expect(all.map(\.matchKind) == ["reference", "", "reference"])
        let entry = try #require(all[0].entry)
        #expect(entry.statementId == "STMT20261123" && entry.sequence == "1/1" && entry.line == 5 && entry.sourceFile == "bank.sta")
        #expect(entry.valueDate == "2026-11-23" && entry.bankReference == "20261123000001" && entry.amount == 300_000)
        #expect(try await f.store.reconciledTransfers(from: "2026-11-24", to: nil, batchID: nil).map(\.transfer.transferID) == [3])
        let batch = try await f.store.reconciledTransfers(from: nil, to: nil, batchID: "B-2026-11-0001")
        #expect(batch.map(\.transfer.transferID) == [1, 2] && batch[0].entry == entry)
        #expect(batch[1].transfer.failureCode == "4041711")

        let checks = try await f.store.statementChecks(period: Period("2026-11"))
        #expect(checks.map(\.statementId) == ["STMT20261123", "STMT20261125"])
        #expect(checks.map(\.gapFromPrevious) == [nil, -100_000])
        #expect(checks.map(\.balanced) == [true, true])
        #expect(checks.map(\.matchedDebits) == [1, 1] && checks.map(\.matchedAmount) == [300_000, 300_000])
        #expect(checks.map(\.unmatchedDebits) == [0, 1] && checks.map(\.unmatchedAmount) == [0, 6_500])
        #expect(checks.map(\.openExceptions) == [0, 1] && checks.map(\.debitCount) == [1, 2] && checks.map(\.debitTotal) == [300_000, 306_500])
        #expect(checks.map(\.importedBy) == ["operator", "operator"] && checks.map(\.sourceFile) == ["bank.sta", "next.sta"])
        #expect(try await f.store.statementChecks(period: Period("2026-12")).isEmpty)

        try await f.store.recordExport(kind: "reconciliation", destination: "/tmp/recon.csv", sha256: "abc", rows: 3,
                                       details: ["format": "csv"], actor: "auditor")
        let last = try #require(try await f.store.auditTail(limit: 1).first)
        #expect(last.action == "export.reconciliation" && last.subject == "/tmp/recon.csv" && last.actor == "auditor")
        #expect(last.details == #"{"format":"csv","rows":"3","sha256":"abc"}"#)
        let rows = try await f.store.auditTail(limit: 100).count
        #expect(try await f.store.verifyAudit().rows == rows)
    }

    // MARK: Both stores alike

    @Test("one scenario with every exception kind: the same runs, matches, exceptions, exports and audit rows on both stores",
          .enabled(if: ReconBackend.available.count == 2))
    func identical() async throws {
        func scenario(_ f: StoreFixture) async throws -> [String] {
            try await f.seed([
                .init(id: 1, account: "0012000001", bankReference: "20261123000001", nik: "5371031502850001"),
                .init(id: 2, account: "0012000002", bankReference: "20261123000002"),
                .init(id: 3, account: "0012000003"),
                .init(id: 4, state: "failed", account: "0012000004"),
                .init(id: 5, state: "in_doubt", account: "0012000005"),
                .init(id: 6, amount: 250_000, account: "0012000006"),
                .init(id: 7, account: "0012000007", bankReference: "20261123000007"),
                .init(id: 8, account: "0012000008"),
            ])
            var out: [String] = []
            let runs = [
                try await f.reconcile(StatementFixtures.statement(id: "STMT-A", entries: [
                    ("D", 300_000, "SLR000000000001//20261123000001", ""),
                    ("RD", 300_000, "SLR000000000001//20261124000555", "RETUR"),
                    ("D", 300_000, "SLR000000000002//20261123000002", ""),
                    ("D", 300_000, "SLR000000000002//20261123000099", "TRF ULANG"),
                    ("D", 300_000, "SLR000000000004", ""),
                    ("D", 300_000, "SLR000000000005", ""),
                    ("D", 250_000, "NONREF", "TRF KE 0012000006"),
                    ("D", 350_000, "NONREF//20261123000007", ""),
                    ("D", 6_500, "NONREF", "BIAYA ADMIN"),
                ]), today: "2026-11-30"),
                try await f.reconcile(StatementFixtures.mandiri, file: "again.sta", today: "2026-11-30"),
                try await f.rematch(today: "2026-11-30"),
            ]
            out += runs.map { "run \(json($0))" }
            let open = try await f.openExceptions()
            let admin = try #require(open.first { $0.kind == "unknown_debit" && $0.amount == 6_500 })
            _ = try await f.store.resolveReconciliationException(id: admin.id, reason: "bank fee", actor: "kabid")
            try await f.sql("UPDATE transfer SET state = 'settled', settled_at = '2026-11-23T04:00:00.000Z' WHERE id = 5")
            out.append("run \(json(try await f.rematch(today: "2026-11-30")))")
            out += try await f.allExceptions().map { x in
                "exception \(x.id) \(x.kind) \(x.state) \(x.amount) \(x.day) \(x.transferID ?? 0) \(x.partnerReferenceNo ?? "-") "
                    + "\(x.transferState ?? "-") \(x.nik ?? "-") \(x.name ?? "-") \(x.entryID ?? 0) \(x.statementId ?? "-") "
                    + "\(x.statementLine ?? 0) \(x.resolvedBy ?? "-") \(x.resolution ?? "-") \(x.clearedAt == nil) \(x.evidence)"
            }
            var status = try await f.store.reconciliationStatus(period: Period("2026-11"), utcOffsetHours: 7)
            out.append("status \(json(status))")
            status = try await f.store.reconciliationStatus(period: nil, utcOffsetHours: 7)
            out.append("status \(json(status))")
            out += try await f.store.flaggedRecipients().map { "flagged \($0)" }
            out += try await f.store.reconciledTransfers(from: nil, to: nil, batchID: nil).map {
                "transfer \($0.transfer.transferID) \($0.transfer.state) \($0.matchKind) \($0.duplicates) \($0.openExceptions) "
                    + "\($0.recipientFlagged) \(String(describing: $0.entry))"
            }
            out += try await f.store.statementChecks(period: nil).map { c in
                "check \(c.rowID) \(c.statementId) \(c.sequence) \(c.format) \(c.openingBalance) \(c.closingBalance) \(c.creditCount) "
                    + "\(c.creditTotal) \(c.debitCount) \(c.debitTotal) \(c.balanced) \(String(describing: c.gapFromPrevious)) "
                    + "\(c.matchedDebits) \(c.matchedAmount) \(c.weakDebits) \(c.duplicateDebits) \(c.unmatchedDebits) "
                    + "\(c.unmatchedAmount) \(c.returns) \(c.openExceptions) \(c.sourceFile) \(c.fileSHA256) \(c.importedBy)"
            }
            out += try await f.strings("""
                SELECT CAST(id AS TEXT), CAST(statement_row AS TEXT), CAST(position AS TEXT), value_date, booking_date, direction,
                       CAST(amount AS TEXT), CAST(is_reversal AS TEXT), status, bank_reference, customer_reference, counterparty_account,
                       counterparty_name, description, CAST(line AS TEXT), CAST(transfer_id AS TEXT), match_kind
                FROM statement_entry ORDER BY statement_entry.id
                """).map { "entry \($0)" }
            out += try await f.store.auditTail(limit: 100).map { "audit \($0.seq) \($0.actor) \($0.action) \($0.subject) \($0.details)" }
            return out
        }
        let sqlite = try await ReconBackend.sqlite.open(); defer { sqlite.close() }
        let postgres = try await ReconBackend.postgres.open(); defer { postgres.close() }
        let expected = try await scenario(sqlite)
        let found = try await scenario(postgres)
        #expect(Set(expected.compactMap { $0.split(separator: " ").dropFirst(2).first.map(String.init) }
                    .filter { ExceptionKind(rawValue: $0) != nil }) == Set(ExceptionKind.allCases.map(\.rawValue)),
                "every kind occurs: \(expected.filter { $0.hasPrefix("exception") })")
        #expect(expected.count > 40)
        #expect(found == expected)
        for (a, b) in zip(found, expected) where a != b { Issue.record("PostgreSQL: \(a)\nSQLite:     \(b)") }
    }

    // MARK: Volume and concurrency

    @Test("a statement larger than one bulk statement: every entry stored, matched and judged, in order",
          arguments: ReconBackend.available)
    func large(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        let count = 12_001
        try await f.seed([.init(id: 1, account: "0012000001")])
        var entries: [(mark: String, amount: Int64, reference: String, info: String)] = [("D", 300_000, "SLR000000000001", "")]
        for n in 1..<count { entries.append(("D", Int64(1_000 + n), "NONREF", "FEE \(n)")) }
        let run = try await f.reconcile(StatementFixtures.statement(opening: 100_000_000_000, entries: entries))
        #expect(run.entriesStored == count && run.matchedByReference == 1 && run.exceptionsOpened == count - 1)
        #expect(run.openExceptions == ["unknown_debit": count - 1])
        #expect(try await f.count("SELECT count(*) FROM statement_entry") == count)
        #expect(try await f.count("SELECT max(id) FROM statement_entry") == count)
        #expect(try await f.count("SELECT count(*) FROM statement_entry WHERE position = id") == count)
        #expect(try await f.count("SELECT max(id) FROM reconciliation_exception") == count - 1)
        let open = try await f.openExceptions()
        #expect(open.map(\.entryID) == (2...Int64(count)).map { Optional($0) })
        #expect(open.last?.statementLine == 2 * count + 2)
        let check = try #require(try await f.store.statementChecks(period: nil).first)
        #expect(check.debitCount == count && check.unmatchedDebits == count - 1 && check.openExceptions == count - 1)

        let before = try await f.count("SELECT count(*) FROM audit_log")
        let again = try await f.rematch()
        #expect(again.matchesChanged == 0 && again.exceptionsOpened == 0 && again.exceptionsCleared == 0)
        #expect(try await f.count("SELECT count(*) FROM audit_log") == before)
        // The fees settled after all: each clears.
        try await f.sql("DELETE FROM reconciliation_exception WHERE id > 10", "UPDATE reconciliation_exception SET state = 'cleared'")
        let reopened = try await f.rematch()
        #expect(reopened.exceptionsOpened == count - 1)
        #expect(try await f.count("SELECT count(*) FROM reconciliation_exception WHERE state = 'open'") == count - 1)
    }

    @Test("two runs of the same statement at once on PostgreSQL: stored once, the other finds it unchanged",
          .enabled(if: ReconBackend.available.contains(.postgres)))
    func concurrentRuns() async throws {
        let f = try await ReconBackend.postgres.open(); defer { f.close() }
        try await f.seed(Self.twoPaid)
        async let a = f.reconcile(StatementFixtures.mandiri, file: "a.sta")
        async let b = f.reconcile(StatementFixtures.mandiri, file: "b.sta")
        let runs = try await [a, b]
        #expect(runs.map(\.statementsStored).sorted() == [0, 1] && runs.map(\.statementsUnchanged).sorted() == [0, 1])
        #expect(try await f.count("SELECT count(*) FROM statement") == 1)
        #expect(try await f.count("SELECT count(*) FROM statement_entry") == 3)
        #expect(try await f.store.verifyAudit().rows == 2)
    }
}

/// `value` as JSON with sorted keys: the same text for equal values whatever their dictionaries' order.
private func json(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
}

/// Runs `body` and returns what it threw, as its description ("no error" when it threw nothing).
private func failure(_ body: () async throws -> Void) async -> String {
    do {
        try await body()
        return "no error"
    } catch {
        return String(describing: error)
    }
}
