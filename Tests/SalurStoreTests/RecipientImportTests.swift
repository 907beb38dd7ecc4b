import Foundation
import GRDB
@testable import SalurSQLite
import Testing
import SalurCore
@testable import SalurStore

/// `importRecipients`: all-or-nothing, idempotent, audited updates.
@Suite("Recipient import")
struct RecipientImportTests {
    @Test func importAddsEveryRow() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let ledger = try SQLiteLedger(path: dir.file("salur.db"))
        var expected = RecipientImportSummary()
        expected.added = 4
        #expect(try ledger.importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester") == expected)

        let stored = try ledger.recipients(matching: RecipientFilter())
        #expect(stored.map(\.recipient.nik.digits) == [Fixture.maria, Fixture.petrus, Fixture.yohanes, Fixture.theresia])
        let yohanes = try #require(stored.first { $0.recipient.nik.digits == Fixture.yohanes }).recipient
        #expect(yohanes.name == "Yohanes Ndun")
        #expect(yohanes.program == "BANSOS-NT")
        #expect(yohanes.district == "Oebobo")
        #expect(yohanes.phone == "081237000001")
        #expect(yohanes.opening == .notRequested)

        let audit = try ledger.auditTail(limit: 10)
        #expect(audit.map(\.action) == ["recipients.import"])
        #expect(audit[0].actor == "tester")
        #expect(audit[0].subject == "recipients.csv")
        #expect(audit[0].details.contains("\"added\":\"4\""))
        #expect(audit[0].details.contains(Fixture.source.sha256))
    }

    @Test func reimportingTheSameRowsChangesNothing() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        let ledger = try SQLiteLedger(path: path)
        _ = try ledger.importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester")
        let before = try dump(path)

        var unchanged = RecipientImportSummary()
        unchanged.unchanged = 4
        #expect(try ledger.importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester") == unchanged)
        #expect(try ledger.auditCount() == 1)
        #expect(try dump(path) == before) // not even updated_at moved
    }

    @Test func reimportAfterTheLifecycleMovedOnChangesNothing() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        let ledger = try SQLiteLedger(path: path)
        try ledger.seed(answers: ["\(Fixture.yohanes),opened,001100000001,", "\(Fixture.maria),rejected,,Data KTP tidak lengkap"])
        let before = try dump(path)
        var unchanged = RecipientImportSummary()
        unchanged.unchanged = 4
        #expect(try ledger.importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester") == unchanged)
        #expect(try dump(path) == before)
    }

    @Test func changedNameOrPhoneUpdatesAndIsAudited() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let ledger = try SQLiteLedger(path: dir.file("salur.db"))
        _ = try ledger.importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester")
        let changed = Fixture.recipientsCSV
            .replacingOccurrences(of: "Yohanes Ndun", with: "Yohanes Ndun Manafe")
            .replacingOccurrences(of: "081237000002", with: "081237009999")
        var expected = RecipientImportSummary()
        expected.updated = 2
        expected.unchanged = 2
        #expect(try ledger.importRecipients(Fixture.recipients(changed), source: Fixture.source, actor: "operator2") == expected)

        let byNIK = Dictionary(uniqueKeysWithValues: try ledger.recipients(matching: RecipientFilter()).map { ($0.recipient.nik.digits, $0.recipient) })
        #expect(byNIK[Fixture.yohanes]?.name == "Yohanes Ndun Manafe")
        #expect(byNIK[Fixture.maria]?.phone == "081237009999")
        #expect(byNIK[Fixture.petrus]?.name == "Petrus Lay")

        let audit = try ledger.auditTail(limit: 10)
        #expect(audit.map(\.action) == ["recipients.import", "recipient.update", "recipient.update", "recipients.import"])
        let updates = audit.filter { $0.action == "recipient.update" }
        #expect(Set(updates.map(\.subject)) == [Fixture.yohanes, Fixture.maria])
        #expect(updates.allSatisfy { $0.actor == "operator2" })
        let yohanes = try #require(updates.first { $0.subject == Fixture.yohanes })
        #expect(yohanes.details == #"{"name":"Yohanes Ndun -> Yohanes Ndun Manafe"}"#)
        let maria = try #require(updates.first { $0.subject == Fixture.maria })
        #expect(maria.details == #"{"phone":"081237000002 -> 081237009999"}"#)
        #expect(try ledger.verifyAudit().rows == 4)
    }

    @Test func newRowsAreAddedBesideKnownOnes() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let ledger = try SQLiteLedger(path: dir.file("salur.db"))
        _ = try ledger.importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester")
        let rows = try Fixture.recipients("""
            nik,name,program,district,phone,account_no
            \(Fixture.yohanes),Yohanes Ndun,BANSOS-NT,Oebobo,081237000001,
            \(Fixture.maria),Maria Bunga,BANSOS-NT,Alak,081237000002,
            \(Fixture.petrus),Petrus Lay,PKH,Maulafa,081237000003,
            \(Fixture.theresia),Theresia Mooy,PKH,Oebobo,081237000004,
            5371050303900005,Gabriel Riwu,PKH,Kelapa Lima,,001100000005

            """)
        var expected = RecipientImportSummary()
        expected.added = 1
        expected.unchanged = 4
        #expect(try ledger.importRecipients(rows, source: Fixture.source, actor: "tester") == expected)
        #expect(try ledger.states()["5371050303900005"] == .opened(accountNo: "001100000005"))
    }

    @Test func rejectedRecipientWithCorrectedDataGoesBackToNotRequested() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let ledger = try SQLiteLedger(path: dir.file("salur.db"))
        try ledger.seed(answers: [
            "\(Fixture.yohanes),opened,001100000001,",
            "\(Fixture.maria),rejected,,Nama tidak sesuai KTP",
        ])
        let corrected = Fixture.recipientsCSV
            .replacingOccurrences(of: "Maria Bunga", with: "Maria Goreti Bunga")      // rejected → not_requested
            .replacingOccurrences(of: "081237000001", with: "081237000011")          // opened stays opened
            .replacingOccurrences(of: "081237000003", with: "081237000033")          // requested stays requested
        var expected = RecipientImportSummary()
        expected.updated = 3
        expected.unchanged = 1
        expected.reopened = 1
        #expect(try ledger.importRecipients(Fixture.recipients(corrected), source: Fixture.source, actor: "tester") == expected)
        let states = try ledger.states()
        #expect(states[Fixture.maria] == .notRequested)
        #expect(states[Fixture.yohanes] == .opened(accountNo: "001100000001"))
        #expect(states[Fixture.petrus] == .requested)
        #expect(states[Fixture.theresia] == .requested)

        let mariaUpdate = try #require(try ledger.auditTail(limit: 10).first { $0.action == "recipient.update" && $0.subject == Fixture.maria })
        #expect(mariaUpdate.details.contains(#""opening_state":"rejected -> not_requested""#))

        // The next request file carries her again, and only her.
        var sent: [OpeningRequest] = []
        #expect(try ledger.exportOpeningRequests(actor: "tester") { sent = $0; return "sha" } == 1)
        #expect(sent.map(\.nik) == [Fixture.maria])
        #expect(sent.map(\.name) == ["Maria Goreti Bunga"])
    }

    @Test func accountNumberOfAnotherRecipientIsRefused() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        let ledger = try SQLiteLedger(path: path)
        try ledger.seed(answers: ["\(Fixture.yohanes),opened,001100000001,"])
        let before = try dump(path)
        let csv = """
            nik,name,program,district,phone,account_no
            \(Fixture.maria),Maria Goreti Bunga,BANSOS-NT,Alak,081237000002,
            \(Fixture.petrus),Petrus Lay,PKH,Maulafa,081237000003,001100000001
            \(Fixture.yohanes),Yohanes Ndun,BANSOS-NT,Oebobo,081237000001,001100000077
            5371050303900005,Gabriel Riwu,PKH,Kelapa Lima,,

            """
        #expect(importFailure { _ = try ledger.importRecipients(Fixture.recipients(csv), source: Fixture.source, actor: "tester") } == [
            "recipients.csv:3: account_no: account number already belongs to NIK \(Fixture.yohanes)",
            "recipients.csv:4: account_no: recipient already has account ********0001; a different one is not accepted here",
        ])
        #expect(try dump(path) == before) // Maria's new name and Gabriel were not written either
    }

    @Test func aSecondLedgerSeesTheSameData() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("state/salur.db") // the folder is created
        _ = try SQLiteLedger(path: path).importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester")
        let reopened = try SQLiteLedger(path: path)
        #expect(try reopened.recipients(matching: RecipientFilter()).count == 4)
        #expect(try reopened.verifyAudit().rows == 1)
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.file("state"))
        #expect((attributes[.posixPermissions] as? Int) == 0o700)
    }
}
