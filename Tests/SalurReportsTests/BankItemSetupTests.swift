import Foundation
import GRDB
import SalurConfig
import SalurCore
import SalurReports
@testable import SalurSQLite
import SalurStatements
import SalurStore
import Testing

/// `[reconciliation.bank_items]` in the config, `salurctl reconcile` and the exports with sen and
/// bank items, and statements stored before sen surviving the migration.
@Suite("Bank items: config, salurctl, migration", .timeLimit(.minutes(5)))
struct BankItemSetupTests {
    static let base = "[database]\npath = \"salur.sqlite\"\n"

    @Test("[reconciliation.bank_items] reads \"TEXT\" = \"kind\" rules; an unknown kind or an empty text is named with its key")
    func configuration() throws {
        let plain = try SalurConfiguration.parse(text: Self.base, file: "salur.toml")
        #expect(plain.reconciliation.bankItems.isEmpty)
        let rules = try SalurConfiguration.parse(text: Self.base + """
            [reconciliation.bank_items]
            "JASA GIRO" = "interest"
            "PAJAK JASA GIRO" = "interest_tax"
            "BIAYA ADM" = "account_fee"
            "BIAYA TRANSFER" = "transfer_fee"
            """, file: "salur.toml")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let example = try SalurConfiguration.load(path: root.path + "/config/salur.toml")
        #expect(Set(example.reconciliation.bankItems) == Set(rules.reconciliation.bankItems))
        #expect(Set(rules.reconciliation.bankItems) == [
            BankItemRule(text: "JASA GIRO", kind: .interest), BankItemRule(text: "PAJAK JASA GIRO", kind: .interestTax),
            BankItemRule(text: "BIAYA ADM", kind: .accountFee), BankItemRule(text: "BIAYA TRANSFER", kind: .transferFee),
        ])
        do {
            _ = try SalurConfiguration.parse(text: Self.base + """
                [reconciliation.bank_items]
                "BUNGA" = "income"
                " " = "interest"
                "ADM" = 5
                """, file: "salur.toml")
            Issue.record("accepted bad rules")
        } catch {
            let keys = error.errors.map(\.key).sorted()
            #expect(keys == ["reconciliation.bank_items. ", "reconciliation.bank_items.ADM", "reconciliation.bank_items.BUNGA"], "\(error)")
            #expect(error.errors.contains { $0.reason.contains("use one of interest, interest_tax, account_fee, transfer_fee") })
        }
    }

    @Test("a statement stored before sen (schema v10) stays valid: the same file again changes nothing, its figures are exact")
    func storedBeforeSen() throws {
        let directory = NSTemporaryDirectory() + "salur-sen-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/salur.sqlite"
        let text = StatementFixtures.statement(entries: [("D", 300_000, "SLR000000000001", "TRF"), ("C", 5_000, "NONREF", "BUNGA")])
        let file = try StatementFile(bytes: Array(text.utf8), file: "old.sta", format: nil, csvMapping: nil, sourceAccount: nil)
        let record = try #require(file.records(sourceFile: "old.sta").first)
        let old = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(old, upTo: "v10 retry asks first")
        try old.write { db in
            try db.execute(sql: """
                INSERT INTO statement (id, account_no, statement_id, sequence, content_hash, format, currency, opening_balance,
                    closing_balance, opening_date, closing_date, entry_count, debit_count, debit_total, credit_count, credit_total,
                    source_file, source_line, file_sha256, imported_by, imported_at)
                VALUES (1, ?, ?, ?, ?, 'mt940', 'IDR', 10000000, 9705000, '2026-11-22', '2026-11-23', 2, 1, 300000, 1, 5000,
                        'old.sta', 1, 'x', 'operator', '2026-11-24T00:00:00.000Z');
                INSERT INTO statement_entry (id, statement_row, position, value_date, booking_date, direction, amount, is_reversal,
                    status, bank_reference, customer_reference, description, line)
                VALUES (1, 1, 1, '2026-11-23', NULL, 'debit', 300000, 0, 'booked', '', 'SLR000000000001', 'TRF', 5),
                       (2, 1, 2, '2026-11-23', NULL, 'credit', 5000, 0, 'booked', '', '', 'BUNGA', 7);
                """, arguments: [record.accountNo, record.statementId, record.sequence, record.contentHash])
        }
        try old.close()

        let ledger = try SQLiteLedger(path: path, clock: .testDay)
        let again = try StatementFile(bytes: Array(text.utf8), file: "old.sta", format: nil, csvMapping: nil, sourceAccount: nil)
        let run = try ledger.reconcile(statements: again.records(sourceFile: "old.sta"), file: nil, actor: "operator",
                                       today: CalendarDate("2026-11-24")!, missingAfterDays: 3, utcOffsetHours: 7, match: Reconciler.match)
        #expect(run.statementsUnchanged == 1 && run.statementsStored == 0)
        let check = try #require(try ledger.statementChecks(period: nil).first)
        #expect(check.balanced && check.exact.openingBalance == Sen(1_000_000_000) && check.exact.closingBalance == Sen(970_500_000))
        #expect(check.exact.debitTotal == Sen(30_000_000) && check.bankItems.isEmpty)
    }

    @Test("salurctl reconcile with [reconciliation.bank_items]: items per kind in the summary, status and statement-check (sen shown); an MT942 is refused with exit 65")
    func salurctl() async throws {
        let fixture = try ReconcileFixture(); defer { fixture.remove() }
        let config = fixture.directory + "/salur.toml"
        try (Self.base + """
            [reconciliation]
            missing_after_days = 3
            [reconciliation.bank_items]
            "JASA GIRO" = "interest"
            "PAJAK JASA GIRO" = "interest_tax"
            """).write(toFile: config, atomically: true, encoding: .utf8)
        try mt940(BankItemTests.mt940Statement([
            ("C", 1_234_567, "NTRF", "NONREF", "JASA GIRO NOV 2026"),
            ("D", 246_913, "NTRF", "NONREF", "PAJAK JASA GIRO NOV 2026"),
        ])).write(toFile: fixture.directory + "/nov.sta", atomically: true, encoding: .utf8)
        func run(_ arguments: [String]) async throws -> SalurctlProcess.Result {
            try await SalurctlProcess.run(arguments + ["--config", config], in: fixture.directory)
        }

        let reconcile = try await run(["reconcile", "nov.sta", "--as-of", "2026-12-01"])
        #expect(reconcile.status == 0, "\(reconcile)")
        #expect(reconcile.stdout.contains("bank items 2026-11: interest 1 (Rp 12.345,67), interest_tax 1 (Rp 2.469,13)"), "\(reconcile)")
        #expect(reconcile.stdout.contains("no open exception."), "\(reconcile)")

        let status = try await run(["reconcile", "status", "--period", "2026-11", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let items = try #require(object["bank_items"] as? [String: [String: Int]])
        #expect(items["interest"] == ["count": 1, "amount_sen": 1_234_567] && items["account_fee"] == ["count": 0, "amount_sen": 0])
        let human = try await run(["reconcile", "status", "--period", "2026-11"])
        #expect(human.stdout.contains("BANK ITEMS") && human.stdout.contains("12,345.67"), "\(human)")

        let check = try await run(["export", "statement-check", "--period", "2026-11"])
        #expect(check.status == 0, "\(check)")
        let lines = check.stdout.components(separatedBy: "\r\n")
        #expect(lines[0].hasSuffix(",interest_count,interest_amount,interest_tax_count,interest_tax_amount,account_fee_count,"
                                   + "account_fee_amount,transfer_fee_count,transfer_fee_amount,opening_derived_from"), "\(lines[0])")
        #expect(lines[1].contains(",1000000000.50,1,12345.67,1,2469.13,1000009877.04,true,") && lines[1].contains(",1,12345.67,1,2469.13,0,0,0,0,"),
                "\(lines[1])")

        let december = BankItemTests.camtWithoutOpening(id: "DEC", closing: "1000009877.04", entries: "")
        try december.write(toFile: fixture.directory + "/dec.xml", atomically: true, encoding: .utf8)
        let derived = try await run(["reconcile", "dec.xml", "--as-of", "2027-01-02"])
        #expect(derived.status == 0 && derived.stdout.contains("dec.xml:1: statement DEC has no opening balance in the file; taken from "
                                                               + "the closing balance Rp 1.000.009.877,04 of statement RKUD202611 (2026-11-30, nov.sta)"),
                "\(derived)")
        let alone = BankItemTests.camtWithoutOpening(id: "OTHER", closing: "5.00", entries: "")
            .replacingOccurrences(of: "2026-12-01T00:00:00", with: "2026-10-01T00:00:00")
        try alone.write(toFile: fixture.directory + "/oct.xml", atomically: true, encoding: .utf8)
        let refused = try await run(["reconcile", "oct.xml"])
        #expect(refused.status == 65 && refused.stderr.contains("oct.xml:1: statement OTHER of account 0011999999 has no opening balance"),
                "\(refused)")

        try """
            :20:INTRADAY
            :25:0011999999
            :28C:1/1
            :34F:IDR0,
            -
            """.write(toFile: fixture.directory + "/intraday.sta", atomically: true, encoding: .utf8)
        let interim = try await run(["reconcile", "intraday.sta"])
        #expect(interim.status == 65 && interim.stderr.contains("intraday.sta:4: :34F: this is an MT942 interim transaction report"), "\(interim)")
    }
}
