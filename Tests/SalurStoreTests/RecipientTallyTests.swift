import Foundation
import GRDB
@testable import SalurSQLite
import Testing
@testable import SalurCore
@testable import SalurStore

/// The recipient table as migration v6 leaves it: a first import that sets the indexes and the
/// tally triggers aside and puts them back, and `recipient_tally`, which `accounts status` reads,
/// kept equal to a count of the recipients themselves through every change.
@Suite("Recipient tally and first import")
struct RecipientTallyTests {
    /// `count(*)` of the recipients per programme, district, state and reason, and the tally's
    /// lines that are not zero: the two must be equal.
    static func counts(_ ledger: SQLiteLedger) throws -> (recount: [String], tally: [String]) {
        try ledger.pool.read { db in
            (try String.fetchAll(db, sql: """
                SELECT program || '|' || district || '|' || opening_state || '|' || coalesce(rejection_reason, '') || '|' || count(*)
                FROM recipient GROUP BY program, district, opening_state, rejection_reason ORDER BY 1
                """),
             try String.fetchAll(db, sql: """
                SELECT program || '|' || district || '|' || opening_state || '|' || rejection_reason || '|' || n
                FROM recipient_tally WHERE n > 0 ORDER BY 1
                """))
        }
    }

    static func schema(_ ledger: SQLiteLedger) throws -> [String] {
        try ledger.pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master
                WHERE tbl_name IN ('recipient', 'recipient_tally') ORDER BY type, name
                """)
        }
    }

    /// 12,000 recipients over three districts and two programmes, every seventh with an account.
    static func manyRows() throws -> [RecipientFile.Row] {
        var csv = "nik,name,program,district,phone,account_no\n"
        let districts = ["Alak", "Oebobo", "Maulafa"]
        for n in 0..<12_000 {
            let serial = String(n % 9_000 + 1)
            csv += "53710\(3 + n / 9_000)150285" + String(repeating: "0", count: 4 - serial.count) + serial
            csv += ",Penerima \(n),\(n % 2 == 0 ? "BANSOS-NT" : "PKH"),\(districts[n % 3]),081237000001,"
            csv += n % 7 == 0 ? "0011\(String(100_000_000 + n).dropFirst())\n" : "\n"
        }
        return try Fixture.recipients(csv)
    }

    @Test func firstImportPutsEveryIndexAndTriggerBackAndCountsTheTally() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let ledger = try SQLiteLedger(path: dir.file("salur.db"))
        let before = try Self.schema(ledger)
        #expect(before.contains { $0.hasPrefix("index recipient_nik: CREATE UNIQUE INDEX") })
        #expect(before.contains { $0.hasPrefix("trigger recipient_tally_update: ") })

        #expect(try ledger.importRecipients(try Self.manyRows(), source: Fixture.source, actor: "tester").added == 12_000)
        #expect(try Self.schema(ledger) == before)
        let (recount, tally) = try Self.counts(ledger)
        #expect(recount.count == 12)   // 2 programmes × 3 districts × (not_requested, opened)
        #expect(tally == recount)
        let status = try #require(try ledger.openingStatus(by: nil).first)
        #expect((status.total, status.notRequested, status.opened) == (12_000, 12_000 - 1_715, 1_715))

        // The table's rules hold again after the import: the CHECKs, and NIKs and accounts unique.
        try ledger.pool.write { db in
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE recipient SET opening_state = 'bogus' WHERE id = 2") }
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE recipient SET account_check = 'bogus' WHERE id = 2") }
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE recipient SET opening_state = 'opened' WHERE id = 2") }
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE recipient SET nik = (SELECT nik FROM recipient WHERE id = 3) WHERE id = 2") }
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "UPDATE recipient SET account_no = (SELECT account_no FROM recipient WHERE id = 1) WHERE id = 8")
            }
        }
        // And the triggers count the next changes.
        _ = try ledger.exportOpeningRequests(actor: "tester") { _ in "sha" }
        let (recountAfter, tallyAfter) = try Self.counts(ledger)
        #expect(tallyAfter == recountAfter)
        #expect(try ledger.openingStatus(by: nil).first?.requested == 12_000 - 1_715)
    }

    /// A first import that fails inside the store (here: a NIK twice, which the file check would
    /// have refused) leaves the table, its indexes, its triggers and the tally as they were.
    @Test func aFailedFirstImportChangesNothing() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        let ledger = try SQLiteLedger(path: path)
        let schema = try Self.schema(ledger)
        let before = try dump(path)
        let rows = try Self.manyRows()
        #expect(throws: (any Error).self) {
            _ = try ledger.importRecipients(rows + [rows[5]], source: Fixture.source, actor: "tester")
        }
        #expect(try dump(path) == before)
        #expect(try Self.schema(ledger) == schema)
    }

    /// The store takes a large file's first parts while later ones are still checked: a bad row
    /// in the last part still leaves nothing stored, and the file corrected goes in whole.
    @Test func aStreamedFirstImportWithABadRowLateStoresNothing() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        let ledger = try SQLiteLedger(path: path)
        let before = try dump(path)
        let schema = try Self.schema(ledger)
        var lines = ["nik,name,program,district,phone"]
        for n in 0..<70_000 {
            let serial = String(n % 9_000 + 1)
            lines.append("53710\(1 + n / 9_000)150285" + String(repeating: "0", count: 4 - serial.count) + serial
                         + ",Penerima \(n),BANSOS-NT,Alak,081237000001")
        }
        let good = lines
        lines[65_000 + 1] = lines[65_000 + 1].replacingOccurrences(of: ",Penerima 65000,", with: ",,")
        let bad = try RecipientFile.Reading(bytes: Array((lines.joined(separator: "\n") + "\n").utf8), file: "recipients.csv")
        do {
            _ = try ledger.importRecipients(bad, source: ReadSource(Fixture.source), actor: "tester")
            Issue.record("a file with a bad row was imported")
        } catch let failure as ImportFailure {
            #expect(failure.issues.map(\.description) == ["recipients.csv:65002: name: must not be empty"])
        }
        #expect(try dump(path) == before)
        #expect(try Self.schema(ledger) == schema)

        let corrected = try RecipientFile.Reading(bytes: Array((good.joined(separator: "\n") + "\n").utf8), file: "recipients.csv")
        #expect(try ledger.importRecipients(corrected, source: ReadSource(Fixture.source), actor: "tester").added == 70_000)
        #expect(try ledger.openingStatus(by: nil).first?.notRequested == 70_000)
        #expect(try Self.schema(ledger) == schema)
    }

    /// A large results file is written in one statement (beyond 10,000 answers): every answer lands
    /// on its own recipient, and the tally follows.
    @Test func aLargeResultsFileLandsOnEveryRecipient() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let ledger = try SQLiteLedger(path: dir.file("salur.db"))
        let rows = try Self.manyRows()
        _ = try ledger.importRecipients(rows, source: Fixture.source, actor: "tester")
        _ = try ledger.exportOpeningRequests(actor: "tester") { _ in "sha" }
        // Every requested recipient answered (those imported with an account are opened already):
        // every third rejected, the others opened with an account of their own.
        var answers: [String] = []
        var expected: [String: AccountOpening] = [:]
        for (n, row) in rows.enumerated() where row.accountNo == nil {
            if n % 3 == 0 {
                answers.append("\(row.nik.digits),rejected,,Data KTP tidak lengkap")
                expected[row.nik.digits] = .rejected(reason: "Data KTP tidak lengkap")
            } else {
                let account = "0099" + String(10_000_000 + n).dropFirst()
                answers.append("\(row.nik.digits),opened,\(account),")
                expected[row.nik.digits] = .opened(accountNo: account)
            }
        }
        #expect(answers.count > 10_000)
        let summary = try ledger.applyOpeningResults(Fixture.results(answers), source: Fixture.results, actor: "tester")
        #expect(summary.opened + summary.rejected == answers.count)
        let states = try ledger.states()
        for (nik, opening) in expected where states[nik] != opening {
            Issue.record("\(nik): \(String(describing: states[nik])), expected \(opening)")
            break
        }
        let (recount, tally) = try Self.counts(ledger)
        #expect(tally == recount)
    }

    @Test func theTallyFollowsEveryChangeOfState() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let ledger = try SQLiteLedger(path: dir.file("salur.db"))
        try ledger.seed(answers: [
            "\(Fixture.yohanes),opened,001100000001,",
            "\(Fixture.maria),rejected,,Nama tidak sesuai KTP",
            "\(Fixture.petrus),rejected,,Data KTP tidak lengkap",
        ])
        var (recount, tally) = try Self.counts(ledger)
        #expect(tally == recount)
        #expect(tally.contains("PKH|Maulafa|rejected|Data KTP tidak lengkap|1"))

        // Maria's corrected name reopens her; Theresia moves district (and stays requested).
        let corrected = Fixture.recipientsCSV
            .replacingOccurrences(of: "Maria Bunga", with: "Maria Goreti Bunga")
            .replacingOccurrences(of: "PKH,Oebobo", with: "PKH,Alak")
        _ = try ledger.importRecipients(Fixture.recipients(corrected), source: Fixture.source, actor: "tester")
        (recount, tally) = try Self.counts(ledger)
        #expect(tally == recount)
        #expect(tally.contains("BANSOS-NT|Alak|not_requested||1"))
        #expect(tally.contains("PKH|Alak|requested||1"))
        #expect(!tally.contains { $0.hasPrefix("PKH|Oebobo|") })

        // A recipient added to a non-empty table goes through the insert trigger.
        let more = corrected + "5371050303900005,Gabriel Riwu,PKH,Kelapa Lima,081237000005\n"
        #expect(try ledger.importRecipients(Fixture.recipients(more), source: Fixture.source, actor: "tester").added == 1)
        (recount, tally) = try Self.counts(ledger)
        #expect(tally == recount)

        let byDistrict = try ledger.openingStatus(by: .district)
        #expect(byDistrict.map { $0.group ?? "" } == ["Alak", "Kelapa Lima", "Maulafa", "Oebobo"])
        let alak = try #require(byDistrict.first)
        #expect((alak.total, alak.notRequested, alak.requested, alak.rejected) == (2, 1, 1, 0))
        #expect(byDistrict[2].reasons == ["Data KTP tidak lengkap": 1])
        let byProgram = try ledger.openingStatus(by: .program)
        #expect(byProgram.map { "\($0.group ?? ""):\($0.total)" } == ["BANSOS-NT:2", "PKH:3"])
    }

    /// A file at schema v5 (the table with column UNIQUEs and IN-list CHECKs) keeps every
    /// recipient, its id and every transfer's reference to it through the rebuild.
    @Test func migratingAVersion5FileKeepsEveryRecipient() throws {
        let dir = try TemporaryDirectory(); defer { dir.remove() }
        let path = dir.file("salur.db")
        let old = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(old, upTo: "v5 account verification, not-found answers, claim index")
        let stamp = "2026-01-05T08:00:00.000Z"
        try old.write { db in
            try db.execute(sql: """
                INSERT INTO recipient (id, nik, name, program, district, phone, opening_state, account_no, rejection_reason,
                                       created_at, updated_at, account_check, account_checked_at)
                VALUES (7, '\(Fixture.yohanes)', 'Yohanes Ndun', 'BANSOS-NT', 'Oebobo', '081237000001', 'opened', '001100000001', NULL,
                        '\(stamp)', '\(stamp)', 'active', '\(stamp)'),
                       (9, '\(Fixture.maria)', 'Maria Bunga', 'BANSOS-NT', 'Alak', '081237000002', 'rejected', NULL, 'Duplikat nasabah',
                        '\(stamp)', '\(stamp)', NULL, NULL),
                       (12, '\(Fixture.petrus)', 'Petrus Lay', 'PKH', 'Maulafa', '081237000003', 'opened', '001100000003', NULL,
                        '\(stamp)', '\(stamp)', NULL, NULL);
                INSERT INTO transfer (partner_reference_no, dedupe_key, kind, recipient_id, nik, beneficiary_name, beneficiary_account,
                                      program, period, amount, state, enqueued_by, created_at, updated_at)
                VALUES ('P1', 'D1', 'intrabank', 7, '\(Fixture.yohanes)', 'Yohanes Ndun', '001100000001', 'BANSOS-NT', '2026-01',
                        300000, 'pending', 'maker', '\(stamp)', '\(stamp)');
                """)
        }
        // The v5 columns by name: later steps add columns (and v7 re-creates account_check at the end).
        let columns = """
            SELECT id, nik, name, program, district, phone, opening_state, account_no, rejection_reason, created_at, updated_at,
                   account_check, account_checked_at, bank_account_name FROM recipient ORDER BY id
            """
        let rowsBefore = try old.read { db in try Row.fetchAll(db, sql: columns).map(\.description) }
        try old.close()

        let ledger = try SQLiteLedger(path: path)
        try ledger.pool.read { db in
            #expect(try Row.fetchAll(db, sql: columns).map(\.description) == rowsBefore)
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            #expect(try Int64.fetchOne(db, sql: """
                SELECT r.id FROM transfer t JOIN recipient r ON r.id = t.recipient_id WHERE t.partner_reference_no = 'P1'
                """) == 7)
            #expect(try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'recipient'")?.contains(" IN (") == false)
            // The engine's next account to check is Petrus (Yohanes was checked), found through the partial index.
            let plan = try String.fetchAll(db, sql: """
                EXPLAIN QUERY PLAN SELECT id FROM recipient WHERE opening_state = 'opened' AND account_checked_at IS NULL ORDER BY id LIMIT 5
                """, adapter: SuffixRowAdapter(fromIndex: 3)).joined()
            #expect(plan.contains("recipient_unchecked"))
            #expect(try Int64.fetchAll(db, sql: """
                SELECT id FROM recipient WHERE opening_state = 'opened' AND account_checked_at IS NULL ORDER BY id
                """) == [12])
        }
        let (recount, tally) = try Self.counts(ledger)
        #expect(tally == recount)
        #expect(tally.count == 3)
        // Uniqueness holds through the new indexes.
        #expect(throws: (any Error).self) {
            _ = try ledger.importRecipients(Fixture.recipients("""
                nik,name,program,district,phone,account_no
                \(Fixture.theresia),Theresia Mooy,PKH,Oebobo,081237000004,001100000003

                """), source: Fixture.source, actor: "tester")
        }
    }
}
