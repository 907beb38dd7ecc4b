import Foundation
@testable import SalurSQLite
import Testing
import SalurCore
@testable import SalurStore

/// The opening lifecycle in the ledger: export requests, apply the bank's results, refuse illegal ones whole.
@Suite("Account openings in the ledger")
struct AccountOpeningLedgerTests {
    @Test func exportMarksNotRequestedAsRequestedOnce() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let ledger = try SQLiteLedger(path: dir.file("salur.db"))
        _ = try ledger.importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester")

        var sent: [OpeningRequest] = []
        #expect(try ledger.exportOpeningRequests(actor: "tester") { sent = $0; return "feed" } == 4)
        #expect(sent.map(\.nik) == [Fixture.maria, Fixture.petrus, Fixture.yohanes, Fixture.theresia]) // ordered by NIK
        #expect(sent.first.map { [$0.name, $0.district, $0.phone] } == ["Maria Bunga", "Alak", "081237000002"])
        #expect(Set(try ledger.states().values) == [.requested])
        let audit = try ledger.auditTail(limit: 1)[0]
        #expect(audit.action == "accounts.export_requests")
        #expect(audit.details == #"{"count":"4","sha256":"feed"}"#)

        var second: [OpeningRequest]? = nil
        #expect(try ledger.exportOpeningRequests(actor: "tester") { second = $0; return "empty" } == 0)
        #expect(second?.isEmpty == true) // the deliverer still writes a header-only file
        #expect(try ledger.auditCount() == 2) // nothing exported, nothing audited
    }

    @Test func exportIsUndoneWhenDeliveryFails() throws {
        struct DiskFull: Error {}
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        let ledger = try SQLiteLedger(path: path)
        _ = try ledger.importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester")
        let before = try dump(path)
        #expect(throws: DiskFull.self) { try ledger.exportOpeningRequests(actor: "tester") { _ in throw DiskFull() } }
        #expect(try dump(path) == before)
        #expect(Set(try ledger.states().values) == [.notRequested])
    }

    @Test func resultsApplyOpenedAndRejected() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let ledger = try SQLiteLedger(path: dir.file("salur.db"))
        try ledger.seed()
        let rows = try Fixture.results([
            "\(Fixture.yohanes),opened,001100000001,",
            "\(Fixture.maria),rejected,,Data KTP tidak lengkap",
            "\(Fixture.petrus),OPENED,001100000003,",
        ])
        var expected = OpeningResultSummary()
        expected.opened = 2
        expected.rejected = 1
        #expect(try ledger.applyOpeningResults(rows, source: Fixture.results, actor: "tester") == expected)
        #expect(try ledger.states() == [
            Fixture.yohanes: .opened(accountNo: "001100000001"),
            Fixture.maria: .rejected(reason: "Data KTP tidak lengkap"),
            Fixture.petrus: .opened(accountNo: "001100000003"),
            Fixture.theresia: .requested,
        ])
        let audit = try ledger.auditTail(limit: 1)[0]
        #expect(audit.action == "accounts.import_results")
        #expect(audit.subject == "bank-results.csv")

        // The same answers again are no change, and no audit row.
        var again = OpeningResultSummary()
        again.unchanged = 3
        let count = try ledger.auditCount()
        #expect(try ledger.applyOpeningResults(rows, source: Fixture.results, actor: "tester") == again)
        #expect(try ledger.auditCount() == count)
    }

    /// Each refused file carries one good row too: it must not be applied either.
    @Test("illegal results are refused and nothing is applied", arguments: [
        ("result for a recipient never requested",
         ["5371050303900005,opened,001100000005,"],
         "bank-results.csv:3: status: recipient is not_requested; not allowed: bank result opened while not_requested"),
        ("unknown NIK",
         ["5371060101990009,rejected,,Data KTP tidak lengkap"],
         "bank-results.csv:3: nik: unknown NIK: no recipient with this NIK was imported"),
        ("account already held by another recipient",
         ["\(Fixture.petrus),opened,001100000001,"],
         "bank-results.csv:3: account_no: account number already belongs to NIK \(Fixture.yohanes)"),
        ("opened twice with a different account",
         ["\(Fixture.yohanes),opened,001100000099,"],
         "bank-results.csv:3: status: recipient is opened; not allowed: bank result opened while opened"),
        ("rejected after opened",
         ["\(Fixture.yohanes),rejected,,Duplikat nasabah"],
         "bank-results.csv:3: status: recipient is opened; not allowed: bank result rejected while opened"),
    ])
    func illegalResultsRefused(_ what: String, lines: [String], issue: String) throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        let ledger = try SQLiteLedger(path: path)
        try ledger.seed(answers: ["\(Fixture.yohanes),opened,001100000001,"])
        // A recipient added after the export: still not_requested.
        _ = try ledger.importRecipients(Fixture.recipients(Fixture.recipientsCSV + "5371050303900005,Gabriel Riwu,PKH,Kelapa Lima,\n"),
                                        source: Fixture.source, actor: "tester")
        let before = try dump(path)
        let rows = try Fixture.results(["\(Fixture.maria),opened,001100000002,"] + lines)
        #expect(importFailure { _ = try ledger.applyOpeningResults(rows, source: Fixture.results, actor: "tester") } == [issue], "\(what)")
        #expect(try dump(path) == before, "\(what): the database changed")
        #expect(try ledger.states()[Fixture.maria] == .requested)
    }

    @Test func everyRefusedRowIsReported() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        let ledger = try SQLiteLedger(path: path)
        try ledger.seed(answers: ["\(Fixture.yohanes),opened,001100000001,"])
        let before = try dump(path)
        let rows = try Fixture.results([
            "\(Fixture.maria),opened,001100000002,",
            "\(Fixture.petrus),opened,001100000001,",
            "5371060101990009,rejected,,Data KTP tidak lengkap",
            "\(Fixture.yohanes),opened,001100000099,",
        ])
        #expect(importFailure { _ = try ledger.applyOpeningResults(rows, source: Fixture.results, actor: "tester") } == [
            "bank-results.csv:3: account_no: account number already belongs to NIK \(Fixture.yohanes)",
            "bank-results.csv:4: nik: unknown NIK: no recipient with this NIK was imported",
            "bank-results.csv:5: status: recipient is opened; not allowed: bank result opened while opened",
        ])
        #expect(try dump(path) == before)
    }

    @Test func resultFileRowsAreValidated() {
        let failure = #expect(throws: ImportFailure.self) {
            try OpeningResultFile.parse(bytes: Array("""
                nik,status,account_no,reason
                \(Fixture.yohanes),opened,,
                \(Fixture.maria),rejected,,
                \(Fixture.petrus),closed,,
                \(Fixture.theresia),opened,001100000001,
                5371050303900005,opened,001100000001,
                5371050303900006,opened,12-34,

                """.utf8), file: "r.csv")
        }
        #expect(failure?.issues.map(\.description) == [
            "r.csv:2: account_no: required when status is opened",
            "r.csv:3: reason: required when status is rejected",
            "r.csv:4: status: must be opened or rejected, found \"closed\"",
            "r.csv:6: account_no: account number already given on line 5",
            "r.csv:7: account_no: must contain digits only",
        ])
    }

    @Test func recipientsFilter() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let ledger = try SQLiteLedger(path: dir.file("salur.db"))
        try ledger.seed(answers: ["\(Fixture.yohanes),opened,001100000001,", "\(Fixture.theresia),rejected,,Duplikat nasabah"])
        func niks(_ filter: RecipientFilter) throws -> [String] { try ledger.recipients(matching: filter).map(\.recipient.nik.digits) }
        #expect(try niks(RecipientFilter(state: .rejected)) == [Fixture.theresia])
        #expect(try niks(RecipientFilter(state: .requested)) == [Fixture.maria, Fixture.petrus])
        #expect(try niks(RecipientFilter(district: "Oebobo")) == [Fixture.yohanes, Fixture.theresia])
        #expect(try niks(RecipientFilter(state: .opened, district: "Oebobo")) == [Fixture.yohanes])
        #expect(try niks(RecipientFilter(program: "PKH")) == [Fixture.petrus, Fixture.theresia])
        #expect(try niks(RecipientFilter(limit: 2)) == [Fixture.maria, Fixture.petrus])
        #expect(try niks(RecipientFilter(district: "Nowhere")).isEmpty)
        #expect(try ledger.recipients(matching: RecipientFilter(state: .rejected))[0].recipient.opening == .rejected(reason: "Duplikat nasabah"))
    }
}
