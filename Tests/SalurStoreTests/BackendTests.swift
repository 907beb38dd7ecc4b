import Foundation
import SalurCore
@testable import SalurSQLite
import SalurTestSupport
@testable import SalurStore
import Testing

/// The same store cases against SQLite and PostgreSQL: the same results, refusals (word for word)
/// and audit rows from both.
@Suite("Store backends")
struct BackendTests {
    static let rules = BatchingRules(maxItems: 500, maxAmount: Rupiah(1_000_000_000), approvalRequired: true)
    static let november = Period("2026-11")!
    static let gabriel = "5371050303900005"

    // MARK: Recipients

    @Test("recipients import: added in file order, audited; the same file again changes nothing", arguments: Backend.available)
    func importIsIdempotent(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        var added = RecipientImportSummary()
        added.added = 4
        #expect(try await s.store.importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester") == added)
        let stored = try await s.store.recipients(matching: RecipientFilter())
        #expect(stored.map(\.recipient.nik.digits) == [Fixture.maria, Fixture.petrus, Fixture.yohanes, Fixture.theresia])
        #expect(stored.map(\.id) == [2, 3, 1, 4]) // inserted in file order on both: Yohanes, Maria, Petrus, Theresia
        #expect(stored[2].recipient == Recipient(nik: try NIK(validating: Fixture.yohanes), name: "Yohanes Ndun", program: "BANSOS-NT",
                                                 district: "Oebobo", phone: "081237000001", opening: .notRequested))
        let audit = try await s.audit()
        #expect(audit.map(\.action) == ["recipients.import"])
        #expect(audit[0].actor == "tester")
        #expect(audit[0].subject == "recipients.csv")
        #expect(audit[0].details == #"{"added":"4","reopened":"0","rows":"4","sha256":"\#(Fixture.source.sha256)","unchanged":"0","updated":"0"}"#)

        let before = try await s.snapshot()
        var unchanged = RecipientImportSummary()
        unchanged.unchanged = 4
        #expect(try await s.store.importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester") == unchanged)
        #expect(try await s.snapshot() == before) // no audit row, not even updated_at moved
    }

    @Test("recipients import: changes are updated and audited per recipient; a rejected one is reopened", arguments: Backend.available)
    func importUpdates(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        try await s.seed(answers: ["\(Fixture.yohanes),opened,001100000001,", "\(Fixture.maria),rejected,,Nama tidak sesuai KTP"])
        let rows = try Fixture.recipients("""
            nik,name,program,district,phone,account_no
            \(Fixture.yohanes),Yohanes Ndun,BANSOS-NT,Oebobo,081237000011,
            \(Fixture.maria),Maria Goreti Bunga,BANSOS-NT,Alak,081237000002,
            \(Fixture.petrus),Petrus Lay,PKH,Maulafa,081237000033,
            \(Fixture.theresia),Theresia Mooy,PKH,Oebobo,081237000004,001100000004
            \(Self.gabriel),Gabriel Riwu,PKH,Kelapa Lima,,001100000005

            """)
        var expected = RecipientImportSummary()
        expected.added = 1
        expected.updated = 4
        expected.reopened = 1
        #expect(try await s.store.importRecipients(rows, source: Fixture.source, actor: "operator2") == expected)
        #expect(try await s.states() == [
            Fixture.yohanes: .opened(accountNo: "001100000001"), Fixture.maria: .notRequested, Fixture.petrus: .requested,
            Fixture.theresia: .opened(accountNo: "001100000004"), Self.gabriel: .opened(accountNo: "001100000005"),
        ])
        let all = try await s.store.recipients(matching: RecipientFilter())
        #expect(all.first { $0.recipient.nik.digits == Self.gabriel }?.id == 5)
        #expect(all.first { $0.recipient.nik.digits == Fixture.maria }?.recipient.name == "Maria Goreti Bunga")

        let audit = try await s.audit()
        #expect(audit.map(\.action) == ["recipients.import", "accounts.export_requests", "accounts.import_results",
                                        "recipient.update", "recipient.update", "recipient.update", "recipient.update", "recipients.import"])
        #expect(audit[3...6].map(\.subject) == [Fixture.yohanes, Fixture.maria, Fixture.petrus, Fixture.theresia])
        #expect(audit[3...6].allSatisfy { $0.actor == "operator2" })
        #expect(audit[3...7].map(\.details) == [
            #"{"phone":"081237000001 -> 081237000011"}"#,
            #"{"name":"Maria Bunga -> Maria Goreti Bunga","opening_state":"rejected -> not_requested"}"#,
            #"{"phone":"081237000003 -> 081237000033"}"#,
            #"{"account_no":"set","opening_state":"requested -> opened"}"#,
            #"{"added":"1","reopened":"1","rows":"5","sha256":"\#(Fixture.source.sha256)","unchanged":"0","updated":"4"}"#,
        ])
        #expect(try await s.store.verifyAudit().rows == 8)

        // The next request file carries Maria again, and only her.
        var sent: [OpeningRequest] = []
        #expect(try await s.store.exportOpeningRequests(actor: "tester") { sent = $0; return "sha" } == 1)
        #expect(sent.map(\.nik) == [Fixture.maria])
        #expect(sent.map(\.name) == ["Maria Goreti Bunga"])
    }

    @Test("recipients import: conflicts with stored accounts are refused, and nothing of the file is written", arguments: Backend.available)
    func importConflicts(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        try await s.seed(answers: ["\(Fixture.yohanes),opened,001100000001,"])
        let before = try await s.snapshot()
        let rows = try Fixture.recipients("""
            nik,name,program,district,phone,account_no
            \(Fixture.maria),Maria Goreti Bunga,BANSOS-NT,Alak,081237000002,
            \(Fixture.petrus),Petrus Lay,PKH,Maulafa,081237000003,001100000001
            \(Fixture.yohanes),Yohanes Ndun,BANSOS-NT,Oebobo,081237000001,001100000077
            \(Self.gabriel),Gabriel Riwu,PKH,Kelapa Lima,,

            """)
        #expect(await importIssues { _ = try await s.store.importRecipients(rows, source: Fixture.source, actor: "tester") } == [
            "recipients.csv:3: account_no: account number already belongs to NIK \(Fixture.yohanes)",
            "recipients.csv:4: account_no: recipient already has account ********0001; a different one is not accepted here",
        ])
        #expect(try await s.snapshot() == before)
    }

    // MARK: Account openings

    @Test("export marks not-requested recipients requested once; results apply opened and rejected", arguments: Backend.available)
    func exportAndApplyResults(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        _ = try await s.store.importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester")
        var sent: [OpeningRequest] = []
        #expect(try await s.store.exportOpeningRequests(actor: "tester") { sent = $0; return "feed" } == 4)
        #expect(sent.map(\.nik) == [Fixture.maria, Fixture.petrus, Fixture.yohanes, Fixture.theresia])
        #expect(sent.first.map { [$0.name, $0.district, $0.phone] } == ["Maria Bunga", "Alak", "081237000002"])
        #expect(Set(try await s.states().values) == [.requested])
        #expect(try await s.audit().last?.details == #"{"count":"4","sha256":"feed"}"#)
        var second: [OpeningRequest]? = nil
        #expect(try await s.store.exportOpeningRequests(actor: "tester") { second = $0; return "empty" } == 0)
        #expect(second?.isEmpty == true)
        #expect(try await s.audit().count == 2)

        let rows = try Fixture.results([
            "\(Fixture.yohanes),opened,001100000001,",
            "\(Fixture.maria),rejected,,Data KTP tidak lengkap",
            "\(Fixture.petrus),OPENED,001100000003,",
        ])
        var expected = OpeningResultSummary()
        expected.opened = 2
        expected.rejected = 1
        #expect(try await s.store.applyOpeningResults(rows, source: Fixture.results, actor: "tester") == expected)
        #expect(try await s.states() == [
            Fixture.yohanes: .opened(accountNo: "001100000001"), Fixture.maria: .rejected(reason: "Data KTP tidak lengkap"),
            Fixture.petrus: .opened(accountNo: "001100000003"), Fixture.theresia: .requested,
        ])
        let applied = try #require(try await s.audit().last)
        #expect([applied.action, applied.subject] == ["accounts.import_results", "bank-results.csv"])
        #expect(applied.details == #"{"opened":"2","rejected":"1","rows":"3","sha256":"\#(Fixture.results.sha256)","unchanged":"0"}"#)

        var again = OpeningResultSummary()
        again.unchanged = 3
        #expect(try await s.store.applyOpeningResults(rows, source: Fixture.results, actor: "tester") == again)
        #expect(try await s.audit().count == 3)
    }

    @Test("refused opening results: each file has a good row too, and nothing of it is applied", arguments: Backend.available)
    func refusedResults(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        try await s.seed(answers: ["\(Fixture.yohanes),opened,001100000001,"])
        let before = try await s.snapshot()
        let cases: [(String, String)] = [
            ("5371060101990009,rejected,,Data KTP tidak lengkap", "bank-results.csv:3: nik: unknown NIK: no recipient with this NIK was imported"),
            ("\(Fixture.petrus),opened,001100000001,", "bank-results.csv:3: account_no: account number already belongs to NIK \(Fixture.yohanes)"),
            ("\(Fixture.yohanes),rejected,,Duplikat nasabah",
             "bank-results.csv:3: status: recipient is opened; not allowed: bank result rejected while opened"),
        ]
        for (line, issue) in cases {
            let rows = try Fixture.results(["\(Fixture.maria),opened,001100000002,", line])
            #expect(await importIssues { _ = try await s.store.applyOpeningResults(rows, source: Fixture.results, actor: "tester") } == [issue])
            #expect(try await s.snapshot() == before, "\(line)")
        }
    }

    @Test("an export whose delivery fails changes nothing", arguments: Backend.available)
    func exportUndone(_ backend: Backend) async throws {
        struct DiskFull: Error {}
        let s = try await backend.open(); defer { s.close() }
        _ = try await s.store.importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester")
        let before = try await s.snapshot()
        await #expect(throws: DiskFull.self) { try await s.store.exportOpeningRequests(actor: "tester") { _ in throw DiskFull() } }
        #expect(try await s.snapshot() == before)
    }

    @Test("export a page at a time: NIK order, at most pageSize a page, marked and audited once the file is finished",
          arguments: Backend.available)
    func exportInPages(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        _ = try await s.store.importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester")
        var pages: [[String]] = []
        var finished = 0
        #expect(try await s.store.exportOpeningRequests(actor: "tester", pageSize: 3, page: { pages.append($0.map(\.nik)) },
                                                        finish: { finished += 1; return "feed" }) == 4)
        #expect(pages == [[Fixture.maria, Fixture.petrus, Fixture.yohanes], [Fixture.theresia]])
        #expect(finished == 1)
        #expect(Set(try await s.states().values) == [.requested])
        let audit = try await s.audit()
        #expect(audit.map(\.action) == ["recipients.import", "accounts.export_requests"])
        #expect(audit.last.map { [$0.subject, $0.details] } == ["4 recipients", #"{"count":"4","sha256":"feed"}"#])

        // Nobody waiting: no page, the file still finished (its header), nothing audited.
        pages = []
        #expect(try await s.store.exportOpeningRequests(actor: "tester", pageSize: 3, page: { pages.append($0.map(\.nik)) },
                                                        finish: { finished += 1; return "empty" }) == 0)
        #expect(pages.isEmpty)
        #expect(finished == 2)
        #expect(try await s.audit().count == 2)
    }

    @Test("an export a page at a time whose writing fails on a later page, or when finishing, changes nothing",
          arguments: Backend.available)
    func exportInPagesUndone(_ backend: Backend) async throws {
        struct DiskFull: Error {}
        let s = try await backend.open(); defer { s.close() }
        _ = try await s.store.importRecipients(Fixture.recipients(), source: Fixture.source, actor: "tester")
        let before = try await s.snapshot()
        var pages = 0
        await #expect(throws: DiskFull.self) {
            try await s.store.exportOpeningRequests(actor: "tester", pageSize: 1, page: { _ in
                pages += 1
                if pages == 3 { throw DiskFull() }
            }, finish: { "never" })
        }
        #expect(pages == 3)
        #expect(try await s.snapshot() == before)
        await #expect(throws: DiskFull.self) {
            try await s.store.exportOpeningRequests(actor: "tester", pageSize: 2, page: { _ in }, finish: { throw DiskFull() })
        }
        #expect(try await s.snapshot() == before)
    }

    @Test("opening status: overall, by district (in byte order) and by programme", arguments: Backend.available)
    func openingStatus(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        #expect(try await s.store.openingStatus(by: nil) == [OpeningStatus(group: nil)])
        #expect(try await s.store.openingStatus(by: .district).isEmpty)
        try await s.seed(answers: [
            "\(Fixture.yohanes),opened,001100000001,",
            "\(Fixture.maria),rejected,,Data KTP tidak lengkap",
            "\(Fixture.theresia),rejected,,NIK tidak terdaftar di Dukcapil",
        ])
        _ = try await s.store.importRecipients(Fixture.recipients(Fixture.recipientsCSV + "\(Self.gabriel),Gabriel Riwu,PKH,kota Baru,\n"),
                                               source: Fixture.source, actor: "tester")
        let overall = try await s.store.openingStatus(by: nil)
        var expected = OpeningStatus(group: nil)
        (expected.total, expected.notRequested, expected.requested, expected.opened, expected.rejected) = (5, 1, 1, 1, 2)
        expected.reasons = ["Data KTP tidak lengkap": 1, "NIK tidak terdaftar di Dukcapil": 1]
        #expect(overall == [expected])

        let districts = try await s.store.openingStatus(by: .district)
        #expect(districts.map(\.group) == ["Alak", "Maulafa", "Oebobo", "kota Baru"]) // SQLite's byte order
        #expect(districts.map(\.total) == [1, 1, 2, 1])
        #expect(districts[2].opened == 1 && districts[2].rejected == 1 && districts[2].reasons == ["NIK tidak terdaftar di Dukcapil": 1])
        #expect(districts[0].reasons == ["Data KTP tidak lengkap": 1])
        #expect(districts[1].requested == 1 && districts[3].notRequested == 1)

        let programmes = try await s.store.openingStatus(by: .program)
        #expect(programmes.map(\.group) == ["BANSOS-NT", "PKH"])
        let pkh = programmes[1]
        #expect([pkh.total, pkh.notRequested, pkh.requested, pkh.rejected] == [3, 1, 1, 1] as [Int])
    }

    @Test("recipients list: by state, district, programme, with a limit", arguments: Backend.available)
    func recipientFilters(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        try await s.seed(answers: ["\(Fixture.yohanes),opened,001100000001,", "\(Fixture.theresia),rejected,,Duplikat nasabah"])
        func niks(_ filter: RecipientFilter) async throws -> [String] {
            try await s.store.recipients(matching: filter).map(\.recipient.nik.digits)
        }
        #expect(try await niks(RecipientFilter(state: .rejected)) == [Fixture.theresia])
        #expect(try await niks(RecipientFilter(state: .requested)) == [Fixture.maria, Fixture.petrus])
        #expect(try await niks(RecipientFilter(district: "Oebobo")) == [Fixture.yohanes, Fixture.theresia])
        #expect(try await niks(RecipientFilter(state: .opened, district: "Oebobo")) == [Fixture.yohanes])
        #expect(try await niks(RecipientFilter(program: "PKH")) == [Fixture.petrus, Fixture.theresia])
        #expect(try await niks(RecipientFilter(program: "PKH", limit: 1)) == [Fixture.petrus])
        #expect(try await niks(RecipientFilter(limit: 2)) == [Fixture.maria, Fixture.petrus])
        #expect(try await niks(RecipientFilter(district: "Nowhere")).isEmpty)
        let rejected = try await s.store.recipients(matching: RecipientFilter(state: .rejected))
        #expect(rejected.map(\.recipient.opening) == [.rejected(reason: "Duplikat nasabah")])
    }

    // MARK: Audit

    @Test("the audit chain verifies; an edited row, then a missing one, is found", arguments: Backend.available)
    func auditChain(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        #expect(try await s.store.verifyAudit() == AuditVerification(rows: 0, headHash: AuditChain.genesis))
        try await s.seed(answers: ["\(Fixture.yohanes),opened,001100000001,"])
        let entries = try await s.audit()
        #expect(entries.map(\.seq) == [1, 2, 3])
        #expect(entries[0].prevHash == AuditChain.genesis && entries[1].prevHash == entries[0].hash && entries[2].prevHash == entries[1].hash)
        #expect(try await s.store.verifyAudit() == AuditVerification(rows: 3, headHash: entries[2].hash))
        #expect(try await s.store.auditTail(limit: 2) == Array(entries[1...]))

        try await s.sql("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2")
        #expect(await failure { _ = try await s.store.verifyAudit() }
                == AuditError.tampered(seq: 2, reason: "its content does not match its hash").description)
        try await s.sql("DELETE FROM audit_log WHERE seq = 2")
        #expect(await failure { _ = try await s.store.verifyAudit() } == AuditError.gap(after: 1, next: 3).description)
    }

    // MARK: Queueing

    @Test("enqueue a programme: opened accounts only, idempotent per period, audited; unknown programme refused", arguments: Backend.available)
    func enqueueProgram(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        try await s.seed(answers: ["\(Fixture.yohanes),opened,001100000001,", "\(Fixture.maria),rejected,,Data KTP tidak lengkap"])
        let maria = SkippedRecipient(nik: Fixture.maria, name: "Maria Bunga", state: "rejected", reason: "Data KTP tidak lengkap")
        var expected = EnqueueSummary()
        expected.queued = 1
        expected.queuedAmount = Rupiah(300_000)
        expected.skipped = [maria]
        expected.batches = [batchID(1)]
        #expect(try await s.store.enqueueProgram(program: "BANSOS-NT", period: Self.november, amount: Rupiah(300_000),
                                                 remark: "BANSOS-NT 2026-11", actor: "maker", rules: Self.rules) == expected)
        let audit = try await s.audit().suffix(2)
        #expect(audit.map(\.action) == ["batch.create", "transfers.enqueue"])
        #expect(audit.map(\.subject) == [batchID(1), "BANSOS-NT 2026-11"])
        #expect(audit.map(\.details) == [
            #"{"amount":"300000","items":"1","period":"2026-11","program":"BANSOS-NT","state":"awaiting_approval"}"#,
            #"{"already_queued":"0","amount_each":"300000","batches":"\#(batchID(1))","queued":"1","skipped":"1","total":"300000"}"#,
        ])
        let records = try await s.store.transferRecords(from: nil, to: nil)
        #expect(records.count == 1)
        let record = try #require(records.first)
        #expect([record.batchID, record.kind, record.program, record.period, record.nik, record.name,
                 record.accountNo, record.state] == [batchID(1), "intrabank", "BANSOS-NT", "2026-11", Fixture.yohanes,
                                                     "Yohanes Ndun", "001100000001", "awaiting_approval"])
        #expect(PartnerReference.isSalurReference(record.partnerReferenceNo) && record.partnerReferenceNo.count == 16,
                "\(record.partnerReferenceNo)")
        #expect(record.transferID == 1 && record.amount == Rupiah(300_000) && record.attempts == 0 && record.bankCode == nil)

        // Again: already queued, nothing new, no audit row.
        let before = try await s.snapshot()
        var again = EnqueueSummary()
        again.alreadyQueued = 1
        again.skipped = [maria]
        #expect(try await s.store.enqueueProgram(program: "BANSOS-NT", period: Self.november, amount: Rupiah(300_000),
                                                 remark: "BANSOS-NT 2026-11", actor: "maker", rules: Self.rules) == again)
        #expect(try await s.snapshot() == before)

        // An account the bank reports inactive is not paid.
        try await s.sql("UPDATE recipient SET account_check = 'inactive' WHERE nik = '\(Fixture.yohanes)'")
        var inactive = EnqueueSummary()
        inactive.skipped = [maria, SkippedRecipient(nik: Fixture.yohanes, name: "Yohanes Ndun", state: "opened",
                                                    reason: "the bank reports account ********0001 inactive")]
        #expect(try await s.store.enqueueProgram(program: "BANSOS-NT", period: Period("2026-12")!, amount: Rupiah(300_000),
                                                 remark: "", actor: "maker", rules: Self.rules) == inactive)
        #expect(try await s.snapshot() == before)

        #expect(await failure {
            _ = try await s.store.enqueueProgram(program: "NOPE", period: Self.november, amount: Rupiah(1), remark: "", actor: "maker",
                                                 rules: Self.rules)
        } == "not found: no recipient in programme NOPE")
    }

    @Test("enqueue a file: refused whole with every bad row named; then queued once per NIK, programme and period", arguments: Backend.available)
    func enqueueFile(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        try await s.seed(answers: ["\(Fixture.yohanes),opened,001100000001,", "\(Fixture.maria),rejected,,Data KTP tidak lengkap",
                                   "\(Fixture.petrus),opened,001100000003,"])
        let rules = BatchingRules(maxItems: 500, maxAmount: Rupiah(1_000_000), approvalRequired: true)
        let source = SourceFile(path: "transfers.csv", sha256: String(repeating: "c", count: 64))
        func file(_ lines: [String]) throws -> [TransferFile.Row] {
            try TransferFile.parse(bytes: Array((["nik,amount,program,period,remark"] + lines).joined(separator: "\n").utf8), file: "transfers.csv")
        }
        let before = try await s.snapshot()
        let bad = try file([
            "\(Fixture.yohanes),300000,BANSOS-NT,2026-11,Bantuan November",
            "5371060101990009,300000,BANSOS-NT,2026-11,Bantuan November",
            "\(Fixture.maria),300000,BANSOS-NT,2026-11,Bantuan November",
            "\(Fixture.petrus),2000000,PKH,2026-11,Bantuan November",
        ])
        #expect(await importIssues { _ = try await s.store.enqueueFile(bad, source: source, actor: "maker", rules: rules) } == [
            "transfers.csv:3: nik: unknown NIK: not an imported recipient",
            "transfers.csv:4: nik: recipient has no opened account (state rejected)",
            "transfers.csv:5: amount: exceeds batching.max_amount (\(Rupiah(1_000_000)))",
        ])
        #expect(try await s.snapshot() == before)

        let good = try file(["\(Fixture.yohanes),300000,BANSOS-NT,2026-11,Bantuan November", "\(Fixture.petrus),500000,PKH,2026-11,Susulan"])
        var expected = EnqueueSummary()
        expected.queued = 2
        expected.queuedAmount = Rupiah(800_000)
        expected.batches = [batchID(1), batchID(2)] // by programme: BANSOS-NT, then PKH
        #expect(try await s.store.enqueueFile(good, source: source, actor: "maker", rules: rules) == expected)
        let audit = try #require(try await s.audit().last)
        #expect([audit.action, audit.subject] == ["transfers.enqueue_file", "transfers.csv"])
        #expect(audit.details == #"{"already_queued":"0","batches":"\#(batchID(1)) \#(batchID(2))","queued":"2","sha256":"\#(source.sha256)","total":"800000"}"#)
        let records = try await s.store.transferRecords(from: nil, to: nil)
        #expect(records.map(\.nik) == [Fixture.yohanes, Fixture.petrus])
        #expect(records.map(\.batchID) == [batchID(1), batchID(2)])

        let queued = try await s.snapshot()
        var again = EnqueueSummary()
        again.alreadyQueued = 2
        #expect(try await s.store.enqueueFile(good, source: source, actor: "maker", rules: rules) == again)
        #expect(try await s.snapshot() == queued)

        try await s.sql("UPDATE recipient SET account_check = 'unknown' WHERE nik = '\(Fixture.petrus)'")
        #expect(await importIssues {
            _ = try await s.store.enqueueFile(try file(["\(Fixture.petrus),500000,PKH,2026-12,x"]), source: source, actor: "maker", rules: rules)
        } == ["transfers.csv:2: nik: the bank reports the recipient's account unknown"])
    }

    @Test("batches split by programme, period, kind, item count and amount; ids are sequential, references random and distinct", arguments: Backend.available)
    func batchSplitting(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        let rules = BatchingRules(maxItems: 3, maxAmount: Rupiah(1_000), approvalRequired: false)
        func transfer(_ key: String, _ program: String, _ amount: Int64, kind: TransferKind = .intrabank) -> NewTransfer {
            NewTransfer(kind: kind, dedupeKey: key, recipientID: nil, nik: kind == .intrabank ? "5371000000000000" : nil,
                        beneficiaryName: "Penerima \(key)", beneficiaryAccount: "0099\(key.count)", beneficiaryBankCode: kind == .interbank ? "014" : nil,
                        program: program, period: "2026-11", amount: Rupiah(amount), remark: "r \(key)")
        }
        let transfers = [
            transfer("k1", "P1", 400), transfer("k2", "P1", 400), transfer("k3", "P1", 400), transfer("k4", "P1", 100),
            transfer("k5", "P0", 1_000), transfer("k6", "P1", 50, kind: .interbank),
            transfer("k7", "P2", 1), transfer("k8", "P2", 1), transfer("k9", "P2", 1), transfer("k10", "P2", 1),
        ]
        var expected = EnqueueSummary()
        expected.queued = 10
        expected.queuedAmount = Rupiah(2_354)
        expected.batches = (1...6).map(batchID)
        #expect(try await s.store.enqueue(transfers, actor: "maker", rules: rules, auditAction: "bpjs.remit", auditSubject: "remit 2026-11")
                == expected)
        let audit = try #require(try await s.audit().last)
        #expect([audit.action, audit.subject] == ["bpjs.remit", "remit 2026-11"])
        #expect(audit.details == #"{"batches":"\#((1...6).map(batchID).joined(separator: " "))","queued":"10","total":"2354"}"#)

        let records = try await s.store.transferRecords(from: nil, to: nil)
        #expect(records.map(\.transferID) == Array(1...10))
        // References are random (never a row id a restored database could hand out again), of one format, all different.
        #expect(records.allSatisfy { PartnerReference.isSalurReference($0.partnerReferenceNo) && $0.partnerReferenceNo.count == 16 })
        #expect(Set(records.map(\.partnerReferenceNo)).count == 10)
        #expect(records.map(\.batchID) == [3, 3, 4, 4, 1, 2, 5, 5, 5, 6].map(batchID))
        #expect(Set(records.map(\.state)) == ["approved"])
        #expect(records[5].bankCode == "014" && records[5].nik == nil && records[5].kind == "interbank")
        #expect(records[0].bankCode == nil && records[0].nik == "5371000000000000")

        let batches = try await s.store.batches(state: nil, id: nil)
        #expect(batches.map(\.id) == (1...6).reversed().map(batchID)) // newest first
        #expect(batches.reversed().map(\.itemCount) == [1, 1, 2, 2, 3, 1])
        #expect(batches.reversed().map(\.amount.value) == [1_000, 50, 800, 500, 3, 1])
        #expect(batches.reversed().map(\.program) == ["P0", "P1", "P1", "P1", "P2", "P2"])
        #expect(Set(batches.map(\.state)) == ["approved"] && Set(batches.map(\.makers)) == ["maker"])

        // Again with one new transfer: the ten are already queued, the new one gets the next ids.
        var more = EnqueueSummary()
        more.queued = 1
        more.queuedAmount = Rupiah(7)
        more.alreadyQueued = 10
        more.batches = [batchID(7)]
        #expect(try await s.store.enqueue(transfers + [transfer("k11", "P2", 7)], actor: "maker2", rules: rules, auditAction: "bpjs.remit",
                                          auditSubject: "remit 2026-11") == more)
        let after = try await s.store.transferRecords(from: nil, to: nil)
        #expect(after.last?.transferID == 11 && after.prefix(10).map(\.partnerReferenceNo) == records.map(\.partnerReferenceNo))
        #expect(Set(after.map(\.partnerReferenceNo)).count == 11, "the new transfer's reference is new; the ten keep theirs")

        let before = try await s.snapshot()
        #expect(await failure {
            _ = try await s.store.enqueue([transfer("k12", "P2", 1), transfer("k13", "P2", 1_001)], actor: "maker", rules: rules,
                                          auditAction: "bpjs.remit", auditSubject: "x")
        } == "a transfer of \(Rupiah(1_001)) exceeds batching.max_amount (\(Rupiah(1_000))); raise it or split the payment")
        #expect(try await s.snapshot() == before)
    }

    // MARK: Maker-checker

    @Test("approve: the maker is refused under distinct approval, another official may; only a batch awaiting approval", arguments: Backend.available)
    func approve(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        try await s.seedOpened()
        _ = try await s.store.enqueueProgram(program: "BANSOS-NT", period: Self.november, amount: Rupiah(300_000), remark: "",
                                             actor: "maker", rules: Self.rules)
        _ = try await s.store.enqueueProgram(program: "PKH", period: Self.november, amount: Rupiah(250_000), remark: "",
                                             actor: "maker2", rules: Self.rules)
        let (b1, b2) = (batchID(1), batchID(2))
        let before = try await s.snapshot()
        #expect(await failure { _ = try await s.store.approve(ids: [b1], all: false, actor: "maker", distinctApprover: true) }
                == "maker-checker: maker queued transfers in batch \(b1) and may not approve it; another official must")
        #expect(await failure { _ = try await s.store.approve(ids: [b2, "B-NOPE"], all: false, actor: "checker", distinctApprover: true) }
                == "not found: batch B-NOPE")
        #expect(try await s.snapshot() == before)

        #expect(try await s.store.approve(ids: [b1], all: false, actor: "checker", distinctApprover: true) == [b1])
        let approved = try #require(try await s.store.batches(state: nil, id: b1).first)
        #expect(approved.state == "approved" && approved.approvedBy == "checker" && approved.approvedAt != nil)
        #expect(approved.transfers == ["approved": StateTotal(count: 2, amount: 600_000)])
        let audit = try #require(try await s.audit().last)
        #expect([audit.action, audit.subject, audit.actor] == ["batch.approve", b1, "checker"])
        #expect(audit.details == #"{"amount":"600000","items":"2","makers":"maker"}"#)

        #expect(await failure { _ = try await s.store.approve(ids: [b1], all: false, actor: "checker", distinctApprover: true) }
                == "batch \(b1) is approved; only a batch awaiting approval can be approved")
        #expect(try await s.store.approve(ids: [], all: true, actor: "checker", distinctApprover: true) == [b2])
        #expect(try await s.store.approve(ids: [], all: true, actor: "checker", distinctApprover: true) == [])

        // Without distinct approval the maker may approve their own batch.
        _ = try await s.store.enqueueProgram(program: "PKH", period: Period("2026-12")!, amount: Rupiah(250_000), remark: "",
                                             actor: "maker", rules: Self.rules)
        #expect(try await s.store.approve(ids: [batchID(3)], all: false, actor: "maker", distinctApprover: false) == [batchID(3)])
        #expect(try await s.store.verifyAudit().rows == (try await s.audit()).count)
    }

    @Test("hold, release and cancel: allowed states, refusals, transfers follow, audited", arguments: Backend.available)
    func holdReleaseCancel(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        try await s.seedOpened()
        _ = try await s.store.enqueueProgram(program: "BANSOS-NT", period: Self.november, amount: Rupiah(300_000), remark: "",
                                             actor: "maker", rules: Self.rules)
        let b1 = batchID(1)
        func batch() async throws -> BatchSummary { try #require(try await s.store.batches(state: nil, id: b1).first) }

        try await s.store.hold(id: b1, reason: "cek data", actor: "supervisor")
        let held = try await batch()
        #expect(held.state == "held" && held.holdReason == "cek data")
        #expect(try await batch().transfers == ["held": StateTotal(count: 2, amount: 600_000)])
        #expect(try await s.audit().last.map { [$0.action, $0.subject, $0.details] }
                == ["batch.hold", b1, #"{"reason":"cek data","was":"awaiting_approval"}"#])
        #expect(await failure { try await s.store.hold(id: b1, reason: "again", actor: "supervisor") }
                == "batch \(b1) is held; only a batch awaiting approval, approved or posting can be held")

        try await s.store.release(id: b1, actor: "supervisor")
        let released = try await batch()
        #expect(released.state == "awaiting_approval" && released.holdReason == nil)
        #expect(try await batch().transfers == ["awaiting_approval": StateTotal(count: 2, amount: 600_000)])
        #expect(try await s.audit().last.map { [$0.action, $0.details] } == ["batch.release", #"{"hold_reason":"cek data","to":"awaiting_approval"}"#])
        #expect(await failure { try await s.store.release(id: b1, actor: "supervisor") } == "batch \(b1) is awaiting_approval, not held")

        _ = try await s.store.approve(ids: [b1], all: false, actor: "checker", distinctApprover: true)
        try await s.store.hold(id: b1, reason: "saldo", actor: "supervisor")
        try await s.store.release(id: b1, actor: "supervisor")
        #expect(try await batch().state == "approved") // it had been approved
        #expect(try await batch().transfers == ["approved": StateTotal(count: 2, amount: 600_000)])

        // Not while a transfer is on the wire.
        try await s.sql("UPDATE transfer SET state = 'sending' WHERE id = 1")
        let before = try await s.snapshot()
        #expect(await failure { _ = try await s.store.cancel(id: b1, actor: "supervisor") }
                == "batch \(b1) has 1 transfers in flight or in doubt; hold it and cancel once the bank has answered for them")
        #expect(try await s.snapshot() == before)
        try await s.sql("UPDATE transfer SET state = 'approved' WHERE id = 1")

        #expect(try await s.store.cancel(id: b1, actor: "supervisor") == 2)
        #expect(try await batch().state == "cancelled")
        #expect(try await batch().transfers == ["cancelled": StateTotal(count: 2, amount: 600_000)])
        #expect(try await s.audit().last.map { [$0.action, $0.details] } == ["batch.cancel", #"{"cancelled":"2","was":"approved"}"#])
        #expect(await failure { _ = try await s.store.cancel(id: b1, actor: "supervisor") } == "batch \(b1) is already cancelled")
        #expect(await failure { try await s.store.hold(id: b1, reason: "x", actor: "supervisor") }
                == "batch \(b1) is cancelled; only a batch awaiting approval, approved or posting can be held")
        for refused in [await failure { try await s.store.hold(id: "B-NOPE", reason: "x", actor: "s") },
                        await failure { try await s.store.release(id: "B-NOPE", actor: "s") },
                        await failure { _ = try await s.store.cancel(id: "B-NOPE", actor: "s") }] {
            #expect(refused == "not found: batch B-NOPE")
        }
        #expect(try await s.store.verifyAudit().rows == (try await s.audit()).count)
    }

    @Test("retry failed: a new batch awaiting approval, the retrying operator a maker; each transfer in doubt, asked first, same reference",
          arguments: Backend.available)
    func retryFailed(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        try await s.seedOpened()
        let rules = BatchingRules(maxItems: 500, maxAmount: Rupiah(1_000_000_000), approvalRequired: false)
        _ = try await s.store.enqueueProgram(program: "BANSOS-NT", period: Self.november, amount: Rupiah(300_000), remark: "",
                                             actor: "maker", rules: rules)
        _ = try await s.store.enqueueProgram(program: "PKH", period: Self.november, amount: Rupiah(250_000), remark: "",
                                             actor: "maker", rules: rules)
        let (b1, b2, b3, b4) = (batchID(1), batchID(2), batchID(3), batchID(4))
        try await s.sql(
            "UPDATE batch SET state = 'done' WHERE id = '\(b1)'",
            "UPDATE transfer SET state = 'failed', round_attempts = 3, external_id = '20261123000000000007', last_code = '4031714' WHERE id = 1",
            "UPDATE transfer SET state = 'settled' WHERE id = 2",
            "UPDATE batch SET state = 'held', hold_reason = 'saldo' WHERE id = '\(b2)'",
            "UPDATE transfer SET state = 'failed', last_code = 'status 05' WHERE id = 3",
            "UPDATE transfer SET state = 'held' WHERE id = 4")
        #expect(await failure { _ = try await s.store.retryFailed(batchID: "B-NOPE", actor: "operator", rules: Self.approval) }
                == "not found: batch B-NOPE")

        let references = try await s.store.transferRecords(from: nil, to: nil).map(\.partnerReferenceNo)
        let summary = try await s.store.retryFailed(batchID: nil, actor: "operator", rules: Self.approval)
        // One new batch per programme, as batches are formed; both await a checker.
        #expect(summary == RetrySummary(transfers: 2, batches: [b3, b4], awaitingApproval: true))
        let records = try await s.store.transferRecords(from: nil, to: nil)
        #expect(records.map(\.state) == ["in_doubt", "settled", "in_doubt", "held"])
        #expect(records.map(\.batchID) == [b3, b1, b4, b2])
        #expect(records.map(\.partnerReferenceNo) == references && records[0].failureCode == "4031714")
        // A transfer that never had an attempt carries a stand-in external id while it is asked about.
        #expect(records[0].externalID == "20261123000000000007" && records[2].externalID == "retry-3")
        for (id, program, amount) in [(b3, "BANSOS-NT", Int64(300_000)), (b4, "PKH", Int64(250_000))] {
            let batch = try #require(try await s.store.batches(state: nil, id: id).first)
            #expect([batch.state, batch.program, batch.makers] == ["awaiting_approval", program, "maker,operator"])
            #expect(batch.itemCount == 1 && batch.amount == Rupiah(amount))
        }
        #expect(try await s.store.batches(state: nil, id: b1).first?.state == "done")
        #expect(try await s.store.batches(state: nil, id: b2).first?.state == "held")
        #expect(try await s.audit().last.map { [$0.actor, $0.action, $0.subject, $0.details] }
                == ["operator", "transfers.retry_failed", "all batches", #"{"batches":"\#(b3) \#(b4)","from":"\#(b1) \#(b2)","transfers":"2"}"#])
        #expect(try await s.audit().suffix(3).prefix(2).map { [$0.actor, $0.action] } == [["operator", "batch.create"], ["operator", "batch.create"]])

        // Asked about at the bank first, the answer read as a re-payment's.
        let engineLedger = try #require(s.store as? any EngineLedger)
        let asked = try await engineLedger.dueInquiries(limit: 10, now: Date.distantFuture)
        #expect(asked.map(\.transferID) == [1, 3] && asked.allSatisfy { $0.askReason == .retry })
        #expect(asked.map(\.partnerReferenceNo) == [references[0], references[2]])

        // Maker-checker: the operator who retried may not approve; another official may.
        #expect(await failure { _ = try await s.store.approve(ids: [b3], all: false, actor: "operator", distinctApprover: true) }
                == "maker-checker: operator queued transfers in batch \(b3) and may not approve it; another official must")
        #expect(try await s.store.approve(ids: [b3], all: false, actor: "checker", distinctApprover: true) == [b3])
        #expect(try await s.audit().last.map { [$0.actor, $0.action, $0.subject] } == ["checker", "batch.approve", b3])
        // Approval does not send it: it stays in doubt until the bank has answered.
        #expect(try await s.store.transferRecords(from: nil, to: nil)[0].state == "in_doubt")

        // "Not found" (or refunded, cancelled): sent as a new attempt, which clears the ask reason, so an
        // answer about that attempt is read as any other (a failure then is a failure).
        let later = WallClock.testDay.now.addingTimeInterval(3_600)
        try await engineLedger.registerEngine(pid: 4242, host: "retry-test", version: "test")
        try await engineLedger.record([Resolution(transferID: 1, externalID: "20261123000000000007", next: .retryWait, code: "status 05",
                                                  nextActionAt: WallClock.testDay.now)], now: WallClock.testDay.now)
        try await engineLedger.startBatch(id: b3, balance: Rupiah(1_000_000_000))
        let claimed = try await engineLedger.advance(recording: [], claiming: 10, now: later, maxAttempts: 5)
        #expect(claimed.map(\.transferID) == [1] && claimed.first?.partnerReferenceNo == references[0])
        try await engineLedger.record([Resolution(transferID: 1, externalID: try #require(claimed.first).externalID, next: .inDoubt,
                                                  nextActionAt: later)], now: later)
        let reasked = try await engineLedger.dueInquiries(limit: 10, now: Date.distantFuture)
        let again = try #require(reasked.first { $0.transferID == 1 }, "\(reasked)")
        #expect(again.askReason == nil && again.externalID == claimed.first?.externalID)
        try await s.sql("UPDATE transfer SET state = 'in_doubt' WHERE id = 1") // as before, for what follows

        let before = try await s.snapshot()
        #expect(try await s.store.retryFailed(batchID: nil, actor: "operator", rules: Self.approval) == RetrySummary(awaitingApproval: true))
        #expect(try await s.snapshot() == before) // nothing to do, nothing audited

        // Only the named batch; and never in a cancelled batch. Without approval required, the new batch is approved.
        try await s.sql("UPDATE transfer SET state = 'failed' WHERE id IN (1, 3)", "UPDATE batch SET state = 'cancelled' WHERE id = '\(b4)'")
        #expect(try await s.store.retryFailed(batchID: b4, actor: "operator", rules: rules).transfers == 0)
        #expect(try await s.store.retryFailed(batchID: b3, actor: "operator", rules: rules)
                == RetrySummary(transfers: 1, batches: [batchID(5)], awaitingApproval: false))
        #expect(try await s.audit().last?.subject == b3)
        #expect(try await s.store.batches(state: nil, id: batchID(5)).first?.state == "approved")
        #expect(try await s.store.transferRecords(from: nil, to: nil).map(\.state) == ["in_doubt", "settled", "failed", "held"])
    }

    static let approval = BatchingRules(maxItems: 500, maxAmount: Rupiah(1_000_000_000), approvalRequired: true)

    // MARK: Listings

    @Test("batches by state and id with per-state totals; queue status; transfer records by date; attempt count", arguments: Backend.available)
    func listings(_ backend: Backend) async throws {
        let s = try await backend.open(); defer { s.close() }
        try await s.seedOpened()
        _ = try await s.store.enqueueProgram(program: "BANSOS-NT", period: Self.november, amount: Rupiah(300_000), remark: "",
                                             actor: "maker", rules: Self.rules)
        _ = try await s.store.approve(ids: [batchID(1)], all: false, actor: "checker", distinctApprover: true)
        _ = try await s.store.enqueueProgram(program: "PKH", period: Self.november, amount: Rupiah(250_000), remark: "",
                                             actor: "maker", rules: Self.rules)
        #expect(try await s.store.batches(state: .approved, id: nil).map(\.id) == [batchID(1)])
        #expect(try await s.store.batches(state: .awaitingApproval, id: nil).map(\.id) == [batchID(2)])
        #expect(try await s.store.batches(state: .held, id: nil).isEmpty)
        #expect(try await s.store.batches(state: nil, id: nil).map(\.id) == [batchID(2), batchID(1)])
        let b2 = try #require(try await s.store.batches(state: nil, id: batchID(2)).first)
        #expect([b2.program, b2.period, b2.state, b2.makers] == ["PKH", "2026-11", "awaiting_approval", "maker"])
        #expect(b2.itemCount == 2 && b2.amount == Rupiah(500_000) && b2.approvedBy == nil && b2.holdReason == nil)
        #expect(b2.transfers == ["awaiting_approval": StateTotal(count: 2, amount: 500_000)])
        #expect(try await s.store.batches(state: nil, id: "B-NOPE").isEmpty)

        if let status = try await s.queueStatus() {
            #expect(status.transfers["approved"] == StateTotal(count: 2, amount: 600_000))
            #expect(status.transfers["awaiting_approval"] == StateTotal(count: 2, amount: 500_000))
            #expect(status.transfers["in_doubt"] == StateTotal())
            #expect(status.batches["approved"] == StateTotal(count: 1, amount: 600_000))
            #expect(status.batches["awaiting_approval"] == StateTotal(count: 1, amount: 500_000))
            #expect(status.oldestPendingAgeSeconds != nil && status.oldestInDoubtAgeSeconds == nil)
        }

        try await s.sql(
            "UPDATE transfer SET created_at = '2020-01-15T08:00:00.000Z', last_code = '4001701', last_message = 'Bad' WHERE id = 1",
            "UPDATE transfer SET state = 'settled', settled_at = '2020-02-01T10:00:00.000Z', last_code = '2001700' WHERE id = 2")
        #expect(try await s.store.transferRecords(from: nil, to: "2020-01-31").map(\.transferID) == [1])
        #expect(try await s.store.transferRecords(from: "2020-02-01", to: "2020-02-01").map(\.transferID) == [2])
        #expect(try await s.store.transferRecords(from: "2020-01-16", to: nil).map(\.transferID) == [2, 3, 4])
        let records = try await s.store.transferRecords(from: nil, to: nil)
        #expect(records.map(\.transferID) == [1, 2, 3, 4])
        #expect(records[0].failureCode == "4001701" && records[0].failureMessage == "Bad" && records[0].settledAt == nil)
        #expect(records[1].failureCode == nil && records[1].settledAt == "2020-02-01T10:00:00.000Z") // settled: no failure shown

        #expect(try await s.store.attemptCount() == 0)
        try await s.sql(
            "INSERT INTO transfer_attempt (transfer_id, attempt_no, external_id, started_at) VALUES (1, 1, 'X1', '2026-11-23T00:00:00.000Z')",
            "INSERT INTO transfer_attempt (transfer_id, attempt_no, external_id, started_at) VALUES (1, 2, 'X2', '2026-11-23T00:00:01.000Z')")
        #expect(try await s.store.attemptCount() == 2)
    }
}
