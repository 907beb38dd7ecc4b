import Foundation
import SalurCore
import SalurPostgres
import SalurReports
import SalurSQLite
import SalurStatements
import SalurStore
import Testing

/// A statement file stored whole is not read again, and a run whose basis is unchanged (no new
/// statement, no transfer moved, the same day, settings and rules) does not match again — on both
/// stores, with the very run a full reading and matching gives; and a large statement with a bad
/// line or a wrong closing balance at its very end stores nothing.
@Suite("Reconciliation basis and large statements", .timeLimit(.minutes(5)))
struct ReconcileBasisTests {
    static let seeds: [ReconcileFixture.Seed] = [
        .init(id: 1, account: "0012000001", bankReference: "20261123000001"),
        .init(id: 2, account: "0012000002", bankReference: "20261123000002"),
        .init(id: 3, account: "0012000009", bankReference: "20261123000009"),
    ]

    @Test("the same file again: not read, not matched, the run a full reading gives, nothing changed", arguments: ReconBackend.available)
    func sameFileAgain(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed(Self.seeds)
        let first = try await f.reconcileAsCLI(StatementFixtures.mandiri, today: "2026-11-30")
        #expect(first.run.statementsStored == 1 && !first.storedWhole)
        let before = try await f.dump()

        let again = try await f.reconcileAsCLI(StatementFixtures.mandiri, today: "2026-11-30")
        #expect(again.storedWhole, "the file is known by its SHA-256")
        #expect(again.run.statementsStored == 0 && again.run.statementsUnchanged == 1 && again.run.matchedByReference == 2)
        #expect(again.run.openExceptions == ["missing_from_statement": 1])
        #expect(try await f.dump() == before)
        // The same file read and matched anew (no matching key: always matches) gives the same run.
        let full = try await f.reconcile(StatementFixtures.mandiri, today: "2026-11-30")
        #expect(full == again.run)
        #expect(try await f.dump() == before)
        #expect(try await f.rematchAsCLI(today: "2026-11-30") == (try await f.rematch(today: "2026-11-30")))
    }

    @Test("an unchanged basis is not matched again: an entry's match altered behind the store's back stays as it is",
          arguments: ReconBackend.available)
    func unchangedBasisSkipsMatching(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed(Self.seeds)
        try await f.reconcileAsCLI(StatementFixtures.mandiri, today: "2026-11-30")
        try await f.rematchAsCLI(today: "2026-11-30") // records the basis with the matching key
        try await f.sql("UPDATE statement_entry SET transfer_id = NULL, match_kind = NULL WHERE id = 1")
        let skipped = try await f.rematchAsCLI(today: "2026-11-30")
        #expect(skipped.matchesChanged == 0 && skipped.matchedByReference == 2)
        #expect(try await f.count("SELECT count(*) FROM statement_entry WHERE match_kind IS NULL AND direction = 'debit'") == 1)
        // Another day is another basis: matched again, the entry restored.
        let nextDay = try await f.rematchAsCLI(today: "2026-12-01")
        #expect(nextDay.matchesChanged == 1 && nextDay.matchedByReference == 2)
        // Other rules are another basis too.
        try await f.sql("UPDATE statement_entry SET transfer_id = NULL, match_kind = NULL WHERE id = 1")
        let otherRules = try await f.rematchAsCLI(today: "2026-12-01", bankItems: [BankItemRule(text: "SETORAN RKUD", kind: .interest)])
        #expect(otherRules.matchesChanged == 1 && otherRules.bankItemsReclassified == 1)
    }

    @Test("the same file again still finds a transfer settled since, and a missing one once the days pass",
          arguments: ReconBackend.available)
    func settledSince(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed([Self.seeds[0], .init(id: 2, state: "in_doubt", account: "0012000002", bankReference: "20261123000002",
                                               settledAt: nil), Self.seeds[2]])
        let first = try await f.reconcileAsCLI(StatementFixtures.mandiri, today: "2026-11-24")
        #expect(first.run.openExceptions == ["debited_not_settled": 1])

        // The engine settles transfer 2 after the run.
        try await f.sql("UPDATE transfer SET state = 'settled', settled_at = '2026-11-23T03:00:00.000Z' WHERE id = 2")
        let again = try await f.reconcileAsCLI(StatementFixtures.mandiri, today: "2026-11-24")
        #expect(again.storedWhole)
        #expect(again.run.exceptionsCleared == 1 && again.run.matchedByReference == 2 && again.run.openExceptions.isEmpty)
        let status = try await f.store.reconciliationStatus(period: Period("2026-11"), utcOffsetHours: 7)
        #expect(status.matched == 2 && status.unmatched == 1)

        // Nothing moved: the same again changes nothing; days later transfer 3 is missing.
        let before = try await f.dump()
        #expect(try await f.reconcileAsCLI(StatementFixtures.mandiri, today: "2026-11-24").run.exceptionsOpened == 0)
        #expect(try await f.dump() == before)
        let later = try await f.reconcileAsCLI(StatementFixtures.mandiri, today: "2026-11-30")
        #expect(later.run.exceptionsOpened == 1 && later.run.openExceptions == ["missing_from_statement": 1])

        // A transfer added since is another basis as well.
        try await f.seed([.init(id: 4, state: "failed", account: "0012000004", settledAt: nil)])
        try await f.sql("UPDATE statement_entry SET transfer_id = NULL, match_kind = NULL WHERE id = 1")
        #expect(try await f.rematchAsCLI(today: "2026-11-30").matchesChanged == 1)
    }

    @Test("a file is read again when it was not stored whole, is read as another format, or is for another account",
          arguments: ReconBackend.available)
    func readAgain(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed(Self.seeds)
        let bytes = Array(StatementFixtures.mandiri.utf8)
        let sha256 = AuditChain.sha256Hex(bytes)
        #expect(try await f.store.storedWhole(bytes, sha256: sha256, format: nil, sourceAccount: ReconcileFixture.source) == nil)
        try await f.reconcileAsCLI(StatementFixtures.mandiri, today: "2026-11-30")
        #expect(try await f.store.storedWhole(bytes, sha256: sha256, format: nil, sourceAccount: ReconcileFixture.source)
                == StoredStatementFile(statements: 1, accounts: ReconcileFixture.source))
        #expect(try await f.store.storedWhole(bytes, sha256: sha256, format: .camt053, sourceAccount: nil) == nil)
        #expect(try await f.store.storedWhole(bytes, sha256: sha256, format: nil, sourceAccount: "0099000000") == nil)
    }

    @Test("a CSV export read again the same way is not read again; read with other balances, under another name or as another format, it is",
          arguments: ReconBackend.available)
    func csvReadTheSameWay(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed(Self.seeds)
        let csv = StatementFileStreamTests.csv, mapping = StatementFileStreamTests.csvMapping
        let bytes = Array(csv.utf8)
        let sha256 = AuditChain.sha256Hex(bytes)
        func stored(_ mapping: CSVStatementMapping?, format: StatementFormat? = .csv, file: String = "mutasi.csv",
                    account: String = ReconcileFixture.source) async throws -> StoredStatementFile? {
            try await f.store.storedWhole(bytes, sha256: sha256, format: format, csvMapping: mapping, file: file, sourceAccount: account)
        }
        #expect(try await stored(mapping) == nil)
        let first = try await f.reconcileAsCLI(csv, file: "mutasi.csv", today: "2026-11-30", csvMapping: mapping)
        #expect(first.run.statementsStored == 1 && first.run.entriesStored == 2 && !first.storedWhole)
        let before = try await f.dump()

        let again = try await f.reconcileAsCLI(csv, file: "mutasi.csv", today: "2026-11-30", csvMapping: mapping)
        #expect(again.storedWhole, "the same bytes, name and mapping")
        #expect(again.run.statementsStored == 0 && again.run.statementsUnchanged == 1)
        #expect(again.run.matchedByReference == first.run.matchedByReference && again.run.openExceptions == first.run.openExceptions)
        #expect(try await f.dump() == before)

        // Another closing balance given: another reading. It is read again, and refused: it does not balance.
        var otherClosing = mapping
        otherClosing.closingBalance = .value(Rupiah(9_400_001))
        #expect(try await stored(otherClosing) == nil)
        await #expect(throws: StatementBalanceError.self) {
            try await f.reconcileAsCLI(csv, file: "mutasi.csv", today: "2026-11-30", csvMapping: otherClosing)
        }
        var otherSeparator = mapping
        otherSeparator.thousandsSeparator = nil
        #expect(try await stored(otherSeparator) == nil)
        // Under another name (a statement without an id column takes the file's), as MT940, or for another account.
        #expect(try await stored(mapping, file: "mutasi-lagi.csv") == nil)
        #expect(try await stored(nil, format: nil) == nil)
        #expect(try await stored(mapping, account: "0099000000") == nil)
        #expect(try await stored(mapping) == StoredStatementFile(statements: 1, accounts: ReconcileFixture.source))
        #expect(try await f.dump() == before)
    }

    // MARK: Status

    /// `reconcile status` for these periods, from the kept figures, then counted anew by the queries.
    func keptAndCounted(_ f: StoreFixture, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for period in [Period("2026-11"), Period("2026-10"), Period("2026-12"), nil] {
            let kept = try await f.store.reconciliationStatus(period: period, utcOffsetHours: 7)
            let counted = try await f.countedAnew(period)
            #expect(kept == counted, "\(period?.description ?? "all time")", sourceLocation: sourceLocation)
        }
        // Another time zone is counted anew: transfer 4 settled on 2026-10-31 at UTC-12 (2026-11-01 at UTC+7).
        #expect(try await f.store.reconciliationStatus(period: Period("2026-10"), utcOffsetHours: -12).matched == 1,
                sourceLocation: sourceLocation)
        #expect(try await f.store.reconciliationStatus(period: Period("2026-10"), utcOffsetHours: 7).matched == 0,
                sourceLocation: sourceLocation)
    }

    @Test("reconcile status from the figures a run kept equals the status counted anew: weak, unmatched, bank items, months",
          arguments: ReconBackend.available)
    func statusKept(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed([
            .init(id: 1, account: "0012000001", bankReference: "20261123000001"),
            .init(id: 2, amount: 300_000, account: "0012000002"),
            .init(id: 3, amount: 450_000, account: "0012000003", settledAt: "2026-11-23T18:00:00.000Z"),
            .init(id: 4, amount: 500_000, account: "0012000004", settledAt: "2026-10-31T17:30:00.000Z"),
            .init(id: 5, amount: 700_000, account: "0012000005", settledAt: "2026-10-20T03:00:00.000Z"),
            .init(id: 6, state: "failed", account: "0012000006", settledAt: nil),
        ])
        try await f.reconcileAsCLI(StatementFixtures.bri, file: "bri.sta", today: "2026-11-30")
        let fees = StatementFixtures.statement(id: "STMT20261201", day: "261201", opening: 8_950_000, entries: [
            ("D", 500_000, "SLR000000000004", ""), ("D", 12_500, "NONREF", "BIAYA ADM"), ("D", 99_000, "NONREF", "TRF KE 0012000099"),
        ])
        try await f.reconcileAsCLI(fees, file: "dec.sta", today: "2026-12-05", bankItems: [BankItemRule(text: "BIAYA ADM", kind: .accountFee)])
        let status = try await f.store.reconciliationStatus(period: Period("2026-11"), utcOffsetHours: 7)
        #expect(status.matched == 4 && status.matchedWeak == 1 && status.unmatched == 0 && status.statementDebits == 3)
        #expect(try await f.store.reconciliationStatus(period: Period("2026-12"), utcOffsetHours: 7).bankItems["account_fee"]?.count == 1)
        try await keptAndCounted(f)
        // A transfer settled since: counted anew, and a run keeps the figures again.
        try await f.sql("UPDATE transfer SET state = 'settled', settled_at = '2026-11-24T03:00:00.000Z' WHERE id = 6")
        #expect(try await f.store.reconciliationStatus(period: Period("2026-11"), utcOffsetHours: 7).unmatched == 1)
        try await f.rematchAsCLI(today: "2026-12-05")
        try await keptAndCounted(f)
    }

    /// Transfers of November (1–3, and 5: 2026-10-31T17:30Z is 2026-11-01 00:30 WIB) and of October (4).
    static let twoMonths: [ReconcileFixture.Seed] = seeds + [
        .init(id: 4, amount: 500_000, account: "0012000004", settledAt: "2026-10-20T03:00:00.000Z"),
        .init(id: 5, amount: 450_000, account: "0012000005", settledAt: "2026-10-31T17:30:00.000Z"),
    ]

    /// `reconcile status` of `month` at UTC+7.
    func status(_ f: StoreFixture, _ month: String, utcOffsetHours: Int = 7) async throws -> ReconciliationStatus {
        try await f.store.reconciliationStatus(period: Period(month), utcOffsetHours: utcOffsetHours)
    }

    @Test("a transfer of October changed, added, deleted: October counted anew, November still from the kept figures and equal to counting anew",
          arguments: ReconBackend.available)
    func changeMarksItsMonthOnly(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed(Self.twoMonths)
        try await f.reconcileAsCLI(StatementFixtures.mandiri, today: "2026-11-30")
        let november = try await status(f, "2026-11")
        #expect(november.matched == 2 && november.unmatched == 2 && november.unmatchedAmount == 750_000)
        #expect(try await status(f, "2026-10").unmatched == 1)
        #expect(try await f.count("SELECT count(*) FROM reconciliation_mark") == 0)

        // October moves: an amount changed, a settled transfer added; and a transfer is queued (no settlement time yet).
        try await f.sql("UPDATE transfer SET amount = 550000 WHERE id = 4")
        try await f.seed([.init(id: 6, amount: 100_000, account: "0012000006", settledAt: "2026-10-21T03:00:00.000Z"),
                          .init(id: 7, state: "pending", account: "0012000007")])
        let october = try await status(f, "2026-10")
        #expect(october.unmatched == 2 && october.unmatchedAmount == 650_000, "counted anew")
        #expect(october == (try await f.countedAnew(Period("2026-10"))))
        #expect(try await status(f, "2026-11") == november)
        #expect(november == (try await f.countedAnew(Period("2026-11"))))
        // November is answered from the kept figures: a match altered behind the store's back does not show.
        try await f.sql("UPDATE statement_entry SET transfer_id = NULL, match_kind = NULL WHERE transfer_id = 1")
        #expect(try await status(f, "2026-11") == november)
        #expect(try await f.countedAnew(Period("2026-11")).matched == 1, "counting anew sees it")
        // A transfer deleted marks its month too.
        try await f.sql("DELETE FROM transfer WHERE id = 6")
        #expect(try await status(f, "2026-10").unmatchedAmount == 550_000)
        #expect(try await status(f, "2026-11") == november)

        // Transfer 5 settled at 00:30 WIB on 1 November (17:30 UTC on 31 October): a change to it is November's.
        try await f.sql("UPDATE transfer SET amount = 460000 WHERE id = 5")
        let changed = try await status(f, "2026-11")
        #expect(changed.matched == 1 && changed.unmatched == 3 && changed.unmatchedAmount == 1_060_000, "counted anew")

        // A run keeps the figures again, and clears the marks.
        try await f.rematchAsCLI(today: "2026-11-30")
        #expect(try await f.count("SELECT count(*) FROM reconciliation_mark") == 0)
        for month in ["2026-09", "2026-10", "2026-11", "2026-12"] {
            #expect(try await status(f, month) == (try await f.countedAnew(Period(month))), "\(month)")
        }
        #expect(try await status(f, "2026-11").unmatchedAmount == 760_000)
    }

    @Test("a database at the step before the marks: its kept figures answer until a transfer changes; after a run, month by month",
          arguments: ReconBackend.available)
    func fromPreviousStep(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed(Self.twoMonths)
        try await f.reconcileAsCLI(StatementFixtures.mandiri, today: "2026-11-30")
        let november = try await status(f, "2026-11")
        // Back to the previous step, as a run there left it.
        try await f.sql("DROP TRIGGER transfer_reconciliation_mark_update\(f.backend == .postgres ? " ON transfer" : "")",
                        "DROP TRIGGER transfer_reconciliation_mark_insert\(f.backend == .postgres ? " ON transfer" : "")",
                        "DROP TRIGGER transfer_reconciliation_mark_delete\(f.backend == .postgres ? " ON transfer" : "")",
                        f.backend == .postgres ? "DROP FUNCTION reconciliation_mark_hours()" : "SELECT 1",
                        "DROP TABLE reconciliation_mark",
                        "ALTER TABLE reconciliation_basis DROP COLUMN marks_kept",
                        f.backend == .postgres ? "DELETE FROM salur_migrations WHERE name = '\(SchemaStep.v20)'"
                                               : "DELETE FROM grdb_migrations WHERE identifier = '\(SchemaStep.v20)'")
        let store = try await f.reopened(); defer { (store as? PostgresLedger)?.shutdown() }
        #expect(try await f.count("SELECT marks_kept FROM reconciliation_basis") == 0)
        // Nothing changed: the kept figures answer, as before (a match altered behind the store's back does not show).
        try await f.sql("UPDATE statement_entry SET transfer_id = NULL, match_kind = NULL WHERE transfer_id = 1")
        #expect(try await store.reconciliationStatus(period: Period("2026-11"), utcOffsetHours: 7) == november)
        // A transfer of October changed: without marks kept, every month is counted anew, as before.
        try await f.sql("UPDATE transfer SET amount = 550000 WHERE id = 4")
        #expect(try await store.reconciliationStatus(period: Period("2026-11"), utcOffsetHours: 7).matched == 1)
        #expect(try await store.reconciliationStatus(period: Period("2026-10"), utcOffsetHours: 7).unmatchedAmount == 550_000)
        // After a run the marks are kept: October changes again, November answers from the kept figures.
        let classifier = BankItemClassifier(rules: [])
        _ = try await store.reconcile(statements: [], alreadyStored: 0, file: nil, actor: "operator", today: CalendarDate("2026-11-30")!,
                                  missingAfterDays: 3, utcOffsetHours: 7, matching: Reconciler.matchingKey(bankItems: classifier),
                                  match: { Reconciler.match($0, bankItems: classifier) })
        #expect(try await f.count("SELECT marks_kept FROM reconciliation_basis") == 1)
        let kept = try await store.reconciliationStatus(period: Period("2026-11"), utcOffsetHours: 7)
        let counted = try await f.countedAnew(Period("2026-11"))
        #expect(kept.matched == 2 && kept == counted)
        try await f.sql("UPDATE transfer SET amount = 600000 WHERE id = 4")
        try await f.sql("UPDATE statement_entry SET transfer_id = NULL, match_kind = NULL WHERE transfer_id = 1")
        #expect(try await store.reconciliationStatus(period: Period("2026-11"), utcOffsetHours: 7) == kept)
        #expect(try await store.reconciliationStatus(period: Period("2026-10"), utcOffsetHours: 7).unmatchedAmount == 600_000)
    }

    @Test("the UTC hours of a month in the bank's time zone")
    func hours() {
        func hours(_ month: String, _ offset: Int) -> [String]? {
            ReconciliationMarks.hours(of: Period(month)!, utcOffsetHours: offset).map { [$0.from, $0.to] }
        }
        #expect(hours("2026-11", 7) == ["2026-10-31T17", "2026-11-30T17"])
        #expect(hours("2026-03", 0) == ["2026-03-01T00", "2026-04-01T00"])
        #expect(hours("2026-12", -12) == ["2026-12-01T12", "2027-01-01T12"])
        #expect(hours("2024-03", 14) == ["2024-02-29T10", "2024-03-31T10"])
        #expect(hours("2026-11", 24) == nil)
    }

    // MARK: Large statements, all or nothing

    /// An MT940 statement of `count` debits (amounts vary), balanced.
    static func large(_ count: Int) -> (text: String, closing: Int64) {
        let day = CalendarDate("2026-11-23")!
        var entries: [StatementEntry] = []
        var debits: Int64 = 0
        for i in 1...count {
            let amount = Rupiah(300_000 + Int64(i % 7) * 50_000)
            debits += amount.value
            entries.append(StatementEntry(valueDate: day, direction: .debit, amount: amount, bankReference: "B\(i)",
                                          customerReference: "SLR\(i)", description: "TRF KE \(7_000_000_000 + i)"))
        }
        let opening = Rupiah(10_000_000_000_000)
        let statement = Statement(accountNo: ReconcileFixture.source, statementId: "BIG20261123", sequence: "1/1",
                                  openingBalance: opening, closingBalance: Rupiah(opening.value - debits),
                                  openingDate: day, closingDate: day, entries: entries, format: .mt940)
        return (MT940Writer.write([statement]), opening.value - debits)
    }

    @Test("a large statement whose last entry is unreadable, or whose closing balance is off by one rupiah, stores nothing",
          arguments: ReconBackend.available)
    func largeAllOrNothing(_ backend: ReconBackend) async throws {
        let f = try await backend.open(); defer { f.close() }
        try await f.seed(Self.seeds)
        try await f.reconcileAsCLI(StatementFixtures.mandiri, today: "2026-11-30")
        let before = try await f.dump()
        let (text, closing) = Self.large(20_000)
        var lines = text.components(separatedBy: "\r\n")
        let last = try #require(lines.lastIndex { $0.hasPrefix(":61:") })
        lines[last] = ":61:2611231123X300000,00NTRFSLR20000"
        let error = await #expect(throws: StatementParseError.self) {
            try await f.reconcileAsCLI(lines.joined(separator: "\r\n"), file: "big.sta", today: "2026-11-30")
        }
        #expect(error?.line == last + 1)
        #expect(try await f.dump() == before)

        let closingLine = ":62F:C261123IDR\(closing),00"
        #expect(text.contains(closingLine))
        await #expect(throws: StatementBalanceError.self) {
            try await f.reconcileAsCLI(text.replacingOccurrences(of: closingLine, with: ":62F:C261123IDR\(closing + 1),00"),
                                       file: "big.sta", today: "2026-11-30")
        }
        #expect(try await f.dump() == before)
        #expect(try await f.count("SELECT count(*) FROM statement_file") == 1)

        let stored = try await f.reconcileAsCLI(text, file: "big.sta", today: "2026-11-30")
        #expect(stored.run.statementsStored == 1 && stored.run.entriesStored == 20_000)
        #expect(try await f.reconcileAsCLI(text, file: "big.sta", today: "2026-11-30").run.statementsUnchanged == 1)
    }
}

extension StoreFixture {
    /// `reconcile status` counted anew: the kept figures put aside (neither marks kept nor an
    /// unchanged basis), then put back.
    func countedAnew(_ period: Period?, utcOffsetHours: Int = 7) async throws -> ReconciliationStatus {
        let changed = try await count("SELECT transfers_changed FROM reconciliation_basis")
        let marksKept = try await count("SELECT marks_kept FROM reconciliation_basis")
        try await sql("UPDATE reconciliation_basis SET transfers_changed = 1, marks_kept = 0")
        let counted = try await store.reconciliationStatus(period: period, utcOffsetHours: utcOffsetHours)
        try await sql("UPDATE reconciliation_basis SET transfers_changed = \(changed), marks_kept = \(marksKept)")
        return counted
    }

    /// The same database opened anew (migrating it to this binary's schema).
    func reopened() async throws -> any SalurStoreBackend {
        if let sqlite { return try SQLiteLedger(path: sqlite.path, clock: .testDay) }
        return try await PostgresLedger(target: postgres!.target, clock: .testDay)
    }

    /// `salurctl reconcile FILE` as the command runs it: a file stored whole is not read again, and
    /// matching is named by its key, so an unchanged basis is not matched again.
    @discardableResult
    func reconcileAsCLI(_ text: String, file: String = "bank.sta", today: String, bankItems: [BankItemRule] = [],
                        csvMapping: CSVStatementMapping? = nil) async throws -> (run: ReconciliationRun, storedWhole: Bool) {
        let bytes = Array(text.utf8)
        let sha256 = AuditChain.sha256Hex(bytes)
        let classifier = BankItemClassifier(rules: bankItems)
        let source = SourceFile(path: file, sha256: sha256)
        let format: StatementFormat? = csvMapping == nil ? nil : .csv
        if let stored = try await store.storedWhole(bytes, sha256: sha256, format: format, csvMapping: csvMapping, file: file,
                                                    sourceAccount: ReconcileFixture.source) {
            return (try await store.reconcile(
                statements: [], alreadyStored: stored.statements, file: source, actor: "operator", today: CalendarDate(today)!,
                missingAfterDays: 3, utcOffsetHours: 7, matching: Reconciler.matchingKey(bankItems: classifier),
                match: { Reconciler.match($0, bankItems: classifier) }), true)
        }
        let statement = try StatementFile(bytes: bytes, file: file, format: format, csvMapping: csvMapping,
                                          sourceAccount: ReconcileFixture.source)
        return (try await store.reconcile(
            statements: statement.records(sourceFile: file), alreadyStored: 0, file: source, actor: "operator",
            today: CalendarDate(today)!, missingAfterDays: 3, utcOffsetHours: 7, matching: Reconciler.matchingKey(bankItems: classifier),
            match: { Reconciler.match($0, bankItems: classifier) }), false)
    }

    /// `salurctl reconcile` alone, as the command runs it.
    @discardableResult
    func rematchAsCLI(today: String, bankItems: [BankItemRule] = []) async throws -> ReconciliationRun {
        let classifier = BankItemClassifier(rules: bankItems)
        return try await store.reconcile(statements: [], alreadyStored: 0, file: nil, actor: "operator", today: CalendarDate(today)!,
                                         missingAfterDays: 3, utcOffsetHours: 7, matching: Reconciler.matchingKey(bankItems: classifier),
                                         match: { Reconciler.match($0, bankItems: classifier) })
    }
}
