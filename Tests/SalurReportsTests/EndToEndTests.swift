import BankSimulator
import Foundation
import GRDB
import SalurBank
import SalurCore
import SalurReports
import SalurSQLite
import SalurStatements
import SalurStore
import Testing

@Suite("Reconciliation end to end against the bank simulator", .serialized, .timeLimit(.minutes(5)))
struct EndToEndTests {
    /// A copy of the database, so one set of transfers can be reconciled against two statements.
    func copy(_ harness: BankHarness, to name: String) throws -> SQLiteLedger {
        let path = harness.directory + "/\(name).sqlite"
        try DatabaseQueue(path: harness.databasePath).inDatabase { db in
            try db.execute(sql: "VACUUM INTO ?", arguments: [path])
        }
        return try SQLiteLedger(path: path)
    }

    func reconcile(_ ledger: SQLiteLedger, _ text: [UInt8], file: String) throws -> ReconciliationRun {
        let statement = try StatementFile(bytes: text, file: file, format: nil, csvMapping: nil, sourceAccount: BankHarness.sourceAccount)
        // Missing after 0 days: every settled transfer must already be on the statement.
        let source = SourceFile(path: file, sha256: statement.sha256)
        return try ledger.reconcile(statements: statement.records(sourceFile: file), file: source,
                                    actor: "operator", today: BankTime.today(utcOffsetHours: 7), missingAfterDays: 0, utcOffsetHours: 7,
                                    match: Reconciler.match)
    }

    @Test("2,000 transfers paid through faults; the bank's statement reconciles with no exception; a duplicate debit and a dropped entry give exactly those two")
    func twoThousand() async throws {
        var faults = FaultRates.none
        faults[.timeoutAfter] = 5
        faults[.dropAfter] = 5
        faults[.pending] = 5
        faults[.throttle] = 5
        let harness = try await BankHarness.make(count: 2_000, faults: faults)
        try await harness.pay()
        let records = try harness.ledger.transferRecords(from: nil, to: nil)
        #expect(records.count == 2_000 && records.allSatisfy { $0.state == "settled" })

        // The statement, from the simulator's admin endpoint, in both formats.
        let mt940 = try await harness.get("/admin/statement?format=mt940")
        #expect(mt940.status == 200 && mt940.headers["content-type"]?.hasPrefix("text/plain") == true)
        let camt = try await harness.get("/admin/statement?format=camt053")
        #expect(camt.status == 200 && camt.headers["content-type"] == "application/xml")
        #expect(StatementFormat.detect(bytes: mt940.body) == .mt940 && StatementFormat.detect(bytes: camt.body) == .camt053)

        let clean = try copy(harness, to: "clean")
        let run = try reconcile(clean, mt940.body, file: "sim.sta")
        #expect(run.entriesStored == 2_000)
        #expect(run.matchedByReference == 2_000 && run.matchedWeakly == 0)
        #expect(run.openExceptions.isEmpty, "\(run.openExceptions)")
        let status = try clean.reconciliationStatus(period: nil, utcOffsetHours: 7)
        #expect(status.matched == 2_000 && status.unmatched == 0 && status.matchedAmount == 600_000_000)
        // The same statement as camt.053 is recognised as already stored.
        let again = try reconcile(clean, camt.body, file: "sim.xml")
        #expect(again.statementsStored == 0 && again.statementsUnchanged == 1 && again.matchesChanged == 0)

        // The bank's statement with one debit booked twice and another left out. Every payment is
        // Rp 300,000, so the balances still add up: only matching can tell.
        var statement = try #require(try MT940Parser.parse(bytes: mt940.body, file: "sim.sta").first)
        let duplicated = statement.entries[700]
        let dropped = statement.entries.remove(at: 1_300)
        statement.entries.append(duplicated)
        statement.statementId = "STMTAMPERED"
        let tampered = try copy(harness, to: "tampered")
        let findings = try reconcile(tampered, Array(MT940Writer.write([statement]).utf8), file: "tampered.sta")
        #expect(findings.openExceptions == ["duplicate_payment": 1, "missing_from_statement": 1])
        let exceptions = try tampered.reconciliationExceptions()
        #expect(exceptions.count == 2)
        let duplicate = try #require(exceptions.first { $0.kind == "duplicate_payment" })
        #expect(duplicate.partnerReferenceNo == duplicated.customerReference && duplicate.amount == 300_000)
        let missing = try #require(exceptions.first { $0.kind == "missing_from_statement" })
        #expect(missing.partnerReferenceNo == dropped.customerReference)

        try await harness.close()
    }

    @Test("the simulator's statement for one day opens with what earlier days left, and adds up")
    func oneDay() async throws {
        let harness = try await BankHarness.make(count: 20, faults: .none)
        try await harness.pay()
        let today = CalendarDate(String(try #require(await harness.simulator.ledger().last).bookedAt.prefix(10)))!
        let statement = await harness.simulator.statement(on: today)
        #expect(statement.entries.count == 20 && statement.openingBalance == Rupiah(5_000_000_000))
        #expect(statement.closingBalance == Rupiah(5_000_000_000 - 20 * 300_000))
        try statement.checkBalance()
        let tomorrow = await harness.simulator.statement(on: CalendarDate(year: today.year + 1, month: 1, day: 1)!)
        #expect(tomorrow.entries.isEmpty && tomorrow.openingBalance == statement.closingBalance)
        let bad = try await harness.get("/admin/statement?format=pdf")
        #expect(bad.status == 400)
        let badDate = try await harness.get("/admin/statement?date=2026-13-01")
        #expect(badDate.status == 400)
        try await harness.close()
    }
}
