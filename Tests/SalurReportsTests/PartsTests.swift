import Foundation
import SalurConfig
import SalurCore
@testable import SalurReports
import SalurStore
import Testing

@Suite("Reconciliation parts")
struct PartsTests {
    @Test("export tables: RFC 4180 CSV, the Excel dialect, and JSON in column order with escapes")
    func exportTable() throws {
        let table = ExportTable(columns: ["id", "name", "amount", "flag", "note"],
                                rows: [[.integer(1), .text("Ndun, \"Yo\""), .integer(300_000), .flag(true), .null],
                                       [.integer(2), .text("a\u{1}b\nc"), .integer(-5), .flag(false), .text("ok")]])
        #expect(String(decoding: table.csv(excel: false), as: UTF8.self)
                == "id,name,amount,flag,note\r\n1,\"Ndun, \"\"Yo\"\"\",300000,true,\r\n2,\"a\u{1}b\nc\",-5,false,ok\r\n")
        let excel = table.csv(excel: true)
        #expect(Array(excel.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(String(decoding: excel.dropFirst(3), as: UTF8.self).hasPrefix("id;name;amount;flag;note\r\n1;\"Ndun, \"\"Yo\"\"\";"))
        let json = String(decoding: table.json(), as: UTF8.self)
        #expect(json == """
            [
              {"id": 1, "name": "Ndun, \\"Yo\\"", "amount": 300000, "flag": true, "note": null},
              {"id": 2, "name": "a\\u0001b\\nc", "amount": -5, "flag": false, "note": "ok"}
            ]

            """)
        #expect(try JSONSerialization.jsonObject(with: Data(json.utf8)) is [[String: Any]])
        #expect(String(decoding: ExportTable(columns: ["a"]).json(), as: UTF8.self) == "[]\n")
    }

    @Test("references in free text, account numbers, statement numbers")
    func text() {
        #expect(ReferenceText.tokens(in: "TRF slr000000000042/KE 0012000001; x") == ["SLR000000000042", "0012000001"])
        #expect(ReferenceText.accountNumbers(in: "KE 0012000001 SLR000000000042 12345") == ["0012000001", "000000000042"])
        #expect(ReferenceText.normalized(" slr1 ") == "SLR1" && ReferenceText.normalized("SLR1") == "SLR1")
        #expect(StatementFile.sequenceKey("00001/001") == "1/1" && StatementFile.sequenceKey("1") == "1/1")
        #expect(StatementFile.sequenceKey("00003/002") == "3/2" && StatementFile.sequenceKey("A-7") == "A-7" && StatementFile.sequenceKey(nil) == "")
        #expect(StatementFile.isSameAccount("0011999999", "0011999999") && StatementFile.isSameAccount("BRINIDJA/0011999999", "0011999999"))
        #expect(!StatementFile.isSameAccount("00119999990", "0011999999"))
    }

    @Test("bank time and masks")
    func bankTime() {
        #expect(BankTime.local("2026-11-23T17:30:00.000Z", utcOffsetHours: 7) == "2026-11-24T00:30:00+07:00")
        #expect(BankTime.local(nil, utcOffsetHours: 7) == "")
        #expect(BankTime.today(utcOffsetHours: 7, now: Date(timeIntervalSince1970: 1_795_455_000)) == CalendarDate("2026-11-24"))
        #expect(AccountMask.mask("0012000001") == "******0001" && AccountMask.mask("123") == "***")
        #expect(AccountMask.maskNIK("5371031502850001") == "537103******0001" && AccountMask.maskNIK(nil) == "")
    }

    @Test("[reconciliation] and [reconciliation.csv] in the config: defaults, values, and mistakes named with their key")
    func configuration() throws {
        let base = "[database]\npath = \"x.sqlite\"\n"
        let plain = try SalurConfiguration.parse(text: base, file: "salur.toml")
        #expect(plain.reconciliation == SalurConfiguration.Reconciliation(missingAfterDays: 3, utcOffsetHours: 7, csv: nil))
        let full = try SalurConfiguration.parse(text: base + """
            [reconciliation]
            missing_after_days = 5
            utc_offset_hours = 8
            [reconciliation.csv]
            date = "Tanggal"
            date_format = "dd/MM/yyyy"
            debit = "Debet"
            credit = "Kredit"
            bank_reference = "Ref"
            description = "Keterangan"
            separator = ";"
            decimal_separator = ","
            thousands_separator = "."
            """, file: "salur.toml")
        #expect(full.reconciliation.missingAfterDays == 5 && full.reconciliation.utcOffsetHours == 8)
        #expect(full.reconciliation.csv?.debit == "Debet" && full.reconciliation.csv?.separator == ";")
        do {
            _ = try SalurConfiguration.parse(text: base + """
                [reconciliation]
                missing_after_days = -1
                colour = "blue"
                [reconciliation.csv]
                date = "Tanggal"
                debit = "Debet"
                bank_reference = "Ref"
                description = "Keterangan"
                """, file: "salur.toml")
            Issue.record("accepted a bad [reconciliation]")
        } catch {
            let keys = Set(error.errors.map(\.key))
            #expect(keys == ["reconciliation.missing_after_days", "reconciliation.colour", "reconciliation.csv.date_format",
                             "reconciliation.csv.credit"], "\(error)")
        }
    }

    @Test("matching 100,000 entries against 100,000 transfers: one pass each, every kind of lookup")
    func manyInMemory() {
        let day = CalendarDate("2026-11-23")!
        let count = 100_000
        var transfers: [ReconciliationTransfer] = []
        var entries: [ReconciliationEntry] = []
        transfers.reserveCapacity(count)
        entries.reserveCapacity(count + 1)
        for i in 1...count {
            let partner = "SLR" + String(repeating: "0", count: 12 - String(i).count) + String(i)
            let account = String(7_000_000_000 + i)
            let amount = Rupiah(Int64(300_000 + (i % 5) * 1_000))
            transfers.append(ReconciliationTransfer(id: Int64(i), partnerReferenceNo: partner, bankReferenceNo: "B\(i)XYZ", accountNo: account,
                                                    amount: amount, state: .settled, settledDay: day))
            let (bank, customer, text): (String, String, String) = switch i % 3 {
            case 0: ("B\(i)XYZ", "", "")
            case 1: ("", "", "TRF \(partner)")
            default: ("", "", "KE \(account)")
            }
            entries.append(ReconciliationEntry(id: Int64(i), statement: 1, valueDate: day, bookingDate: nil, isDebit: true, isReversal: false,
                                               amountSen: Sen(exactly: amount)!, transactionCode: "NTRF", bankReference: bank, customerReference: customer, counterpartyAccount: nil,
                                               description: text, line: i))
        }
        entries.append(ReconciliationEntry(id: Int64(count + 1), statement: 1, valueDate: day, bookingDate: nil, isDebit: true, isReversal: false,
                                           amountSen: Sen(30_000_000), transactionCode: "NTRF", bankReference: "B3XYZ", customerReference: "", counterpartyAccount: nil,
                                           description: "", line: 0))
        let outcome = Reconciler.match(ReconciliationInput(entries: entries, transfers: transfers, statements: [:],
                                                           today: CalendarDate("2026-12-31")!, missingAfterDays: 3))
        #expect(outcome.matches.prefix(count).allSatisfy { $0 != nil && $0?.kind != .duplicate })
        #expect(outcome.matches.prefix(count).filter { $0?.kind == .weak }.count == count / 3)
        #expect(outcome.findings.map(\.kind) == [.duplicatePayment])
    }
}

@Suite("Reference index")
struct ReferenceIndexTests {
    @Test("finds what a dictionary assigned in order finds: the last transfer of a repeated reference, nothing for an unknown one")
    func sameAsDictionary() {
        // 20,000 transfers: every 7th has no reference, every 5th repeats the reference of the one 3 before.
        var references: [String?] = []
        for index in 0..<20_000 {
            references.append(index % 7 == 0 ? nil : index % 5 == 0 && index > 0 ? references[index - 3] : "SLR\(100_000 + index)")
        }
        var dictionary: [String: Int32] = [:]
        for (index, reference) in references.enumerated() { if let reference { dictionary[reference] = Int32(index) } }
        let index = ReferenceIndex(count: references.count) { references[$0] }
        var mismatches = 0
        for reference in dictionary.keys where index[reference] != dictionary[reference] { mismatches += 1 }
        #expect(mismatches == 0)
        #expect(dictionary.count == 13_714) // 16,570 references, 2,856 of them a repeat
        #expect(index["SLR99"] == nil && index[""] == nil && index["SLR120000"] == nil)
        #expect(ReferenceIndex(count: 0) { _ in nil }["SLR100001"] == nil)
    }
}

@Suite("Shared text")
struct SharedTextTests {
    /// Where a string's bytes are: equal for two strings that share one storage.
    private func storage(_ text: String) -> UnsafeRawPointer? {
        text.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil
    }

    @Test("a transfer's bank reference read after an entry's shares the entry's storage; other text is handed back as it is")
    func sharesEqualText() throws {
        let number = 20_261_123_000_000_042 as Int64
        let entryReference = String(number)
        let transferReference = "2026112300" + String(number).dropFirst(10)
        #expect(entryReference == transferReference && entryReference.utf8.count == 17)
        #expect(storage(entryReference) != storage(transferReference))

        var text = SharedText()
        text.keep(entryReference)
        text.keep("SLR000000000042") // 15 bytes: inline, not kept
        let shared = text.shared(transferReference)
        #expect(shared == transferReference && storage(shared) == storage(entryReference))

        let other = "20261123000000043"
        #expect(storage(text.shared(other)) == storage(other))
        #expect(text.shared("SLR000000000042") == "SLR000000000042")
        #expect(SharedText().shared(transferReference) == transferReference)
    }
}

@Suite("Transfers by id")
struct TransferIndexTests {
    @Test("a transfer is found by its id among transfers in id order, with gaps; an id not there is not")
    func findsByID() throws {
        let day = try #require(CalendarDate("2026-11-23"))
        let ids: [Int64] = [3, 4, 9, 10, 11, 200, 201, 5_000]
        let transfers = ids.map {
            ReconciliationTransfer(id: $0, partnerReferenceNo: "SLR\($0)", bankReferenceNo: nil, accountNo: "0012000001",
                                   amount: Rupiah(300_000), state: .settled, settledDay: day)
        }
        let input = ReconciliationInput(entries: [], transfers: transfers, statements: [:], today: day, missingAfterDays: 3)
        for (index, id) in ids.enumerated() { #expect(input.transferIndex(of: id) == index) }
        for absent: Int64 in [0, 1, 5, 12, 199, 4_999, 5_001] { #expect(input.transferIndex(of: absent) == nil) }
        let none = ReconciliationInput(entries: [], transfers: [], statements: [:], today: day, missingAfterDays: 3)
        #expect(none.transferIndex(of: 3) == nil)
    }
}

@Suite("Bank item codes")
struct BankItemCodeTests {
    @Test("MT940 types and camt.053 codes name their bank item; other codes none", arguments: [
        ("NINT", BankItemKind?.some(.interest)), ("SINT", .interest), ("NTAX", .interestTax), ("FCHG", .accountFee),
        ("NCOM", .transferFee), ("NTRF", nil), ("nint", nil), ("INT", nil), ("NINTX", nil), ("", nil), ("N NT", nil),
        ("NTRF NCHG", .accountFee), ("PMNT/RCDT/CHRG", .transferFee), ("ACMT/MDOP/FEES", .accountFee),
        ("ACMT/MCOP/INTR", .interest), ("ACMT/MCOP/TAXE", .interestTax), ("PMNT/ICDT/COMM", .transferFee),
        ("PMNT/ICDT/ESCT", nil), ("ÑINT", .interest),
    ])
    func codes(_ code: String, _ kind: BankItemKind?) {
        #expect(BankItemClassifier.codeKind(code) == kind)
    }
}
