import Foundation
import Testing
import SalurCore
import SalurPostgres
import SalurStore
import SalurTestSupport

/// The store backends the premium cases run against: a temporary SQLite file, and a fresh database
/// on the test PostgreSQL cluster (left out only when no cluster is configured — see `PostgresScratch`).
enum PremiumBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }

    static var available: [PremiumBackend] { PostgresScratch.isEnabled ? allCases : [.sqlite] }

    func open() async throws -> PremiumTestStore {
        switch self {
        case .sqlite:
            let store = try PayrollStore()
            return PremiumTestStore(store: store.ledger, sqlite: store, postgres: nil)
        case .postgres:
            let ledger = try await PostgresLedger(target: try await PostgresScratch.freshTarget(prefix: "premium"), clock: .testDay)
            return PremiumTestStore(store: ledger, sqlite: nil, postgres: ledger)
        }
    }
}

/// An open store under test, with the fixture's import steps (parse, compute, store) as the CLI does them.
struct PremiumTestStore: Sendable {
    let store: any SalurStoreBackend
    let sqlite: PayrollStore?
    let postgres: PostgresLedger?

    func close() {
        postgres?.shutdown()
        sqlite?.remove()
    }

    @discardableResult
    func importPayroll(_ csv: String, file: String = "payroll.csv", agreement: Agreement, period: String,
                       replace: Bool = false, actor: String = "maker") async throws -> PremiumImportResult {
        let rows = try PayrollFile.parse(bytes: Array(csv.utf8), file: file, agreement: agreement)
        let run = try PremiumComputation.payroll(rows, agreement: agreement, period: Period(period)!, rates: PayrollFixture.rates, file: file)
        return try await store.importPayroll(agreementID: agreement.id, period: Period(period)!, lines: run.lines, totals: run.totals,
                                             source: PayrollFixture.source(file, csv), replace: replace, actor: actor)
    }

    @discardableResult
    func importBPU(_ csv: String, file: String = "bpu.csv", budget: String, period: String, replace: Bool = false) async throws -> PremiumImportResult {
        let rows = try BPUFile.parse(bytes: Array(csv.utf8), file: file)
        let run = try PremiumComputation.bpu(rows, period: Period(period)!, rates: PayrollFixture.rates, file: file)
        return try await store.importBPU(budgetID: budget, period: Period(period)!, lines: run.lines, totals: run.totals,
                                         source: PayrollFixture.source(file, csv), replace: replace, actor: "maker")
    }

    /// Posts a remittance the way the engine does: approve (checker), start the batch, claim an attempt.
    func post(_ remit: RemitResult) async throws -> ClaimedAttempt {
        let batch = try #require(remit.remittance.batchID)
        _ = try await store.approve(ids: [batch], all: false, actor: "checker", distinctApprover: true)
        try await store.startBatch(id: batch, balance: Rupiah(1_000_000_000_000))
        try await store.registerEngine(pid: Int(ProcessInfo.processInfo.processIdentifier), host: "test-host", version: "test")
        return try #require(try await store.advance(recording: [], claiming: 10, now: Date(), maxAttempts: 5).first)
    }

    func settle(_ attempt: ClaimedAttempt) async throws {
        try await store.record([Resolution(transferID: attempt.transferID, externalID: attempt.externalID, next: .settled,
                                           code: "2001800", bankReference: "REF1")], now: Date())
    }

    /// The audit rows without their times and hashes, to compare backends.
    func auditFacts() async throws -> [String] {
        try await store.auditTail(limit: 10_000).map { "\($0.actor) \($0.action) \($0.subject) \($0.details)" }
    }
}

/// The premium store cases against SQLite and PostgreSQL: the same results, refusals and audit rows.
@Suite("Premium runs on both store backends")
struct PremiumBackendTests {
    typealias F = PayrollFixture
    static let budget = try! BudgetEnvelope(id: "KUKAR-2024-DISTRANSNAKER", agency: "Distransnaker", year: 2024,
                                            amount: Rupiah(1_000_000), bpjsAccount: "0700000555666", bpjsBankCode: "009")

    func refusal(_ body: () async throws -> Void) async -> (any Error)? {
        do { try await body(); return nil } catch { return error }
    }

    @Test("agreements and budgets: add, list, show; the same terms again change nothing; other terms are refused", arguments: PremiumBackend.available)
    func agreementsAndBudgets(_ backend: PremiumBackend) async throws {
        let s = try await backend.open(); defer { s.close() }
        #expect(try await s.store.addAgreement(F.kupang, actor: "maker"))
        #expect(try await !s.store.addAgreement(F.kupang, actor: "maker"))
        let changed = try Agreement(id: F.kupang.id, employer: F.kupang.employer, programmes: [.jkk, .jkm, .jht], riskClass: .veryLow,
                                    validFrom: F.kupang.validFrom, validTo: F.kupang.validTo, bpjsAccount: F.kupang.bpjsAccount,
                                    bpjsBankCode: "009", workUnits: nil)
        let other = await refusal { _ = try await s.store.addAgreement(changed, actor: "maker") }
        #expect(other is StoreError)
        #expect("\(other.map { "\($0)" } ?? "")".contains("is already recorded with other terms"))
        _ = try await s.store.addAgreement(F.kendari, actor: "maker")
        #expect(try await s.store.agreements().map(\.agreement) == [F.kendari, F.kupang])
        let kendari = try await s.store.agreement(id: F.kendari.id)
        #expect(kendari.agreement.workUnits == ["DLHK", "Satpol PP", "Damkar", "SDA"])
        #expect(kendari.createdBy == "maker")
        #expect(await refusal { _ = try await s.store.agreement(id: "NOPE") } is StoreError)
        #expect(try await s.store.premiumRuns(kind: .payroll, owner: F.kendari.id).isEmpty)

        #expect(try await s.store.addBudget(Self.budget, actor: "maker"))
        #expect(try await !s.store.addBudget(Self.budget, actor: "maker"))
        let bigger = try BudgetEnvelope(id: Self.budget.id, agency: "Distransnaker", year: 2024, amount: Rupiah(2_000_000),
                                        bpjsAccount: nil, bpjsBankCode: nil)
        #expect(await refusal { _ = try await s.store.addBudget(bigger, actor: "maker") } is StoreError)
        let plain = try BudgetEnvelope(id: "A-2024", agency: "Dinsos", year: 2024, amount: Rupiah(500_000), bpjsAccount: nil, bpjsBankCode: nil)
        _ = try await s.store.addBudget(plain, actor: "maker")
        let budgets = try await s.store.budgets()
        #expect(budgets.map(\.budget) == [plain, Self.budget])
        #expect(budgets.map(\.use.remaining) == [Rupiah(500_000), Rupiah(1_000_000)])
        #expect(try await s.store.budget(id: plain.id).budget.bpjsAccount == nil)
        #expect(await refusal { _ = try await s.store.budget(id: "NOPE") } is StoreError)
        #expect(try await s.auditFacts() == [
            #"maker agreement.add KUPANG-PKS-2021 {"bpjs_account":"*********1222","bpjs_bank_code":"009","employer":"Pemerintah Kota Kupang","from":"2021-04-10","programmes":"JKK,JKM","risk_class":"1","to":"2024-04-09","work_units":"(all)"}"#,
            #"maker agreement.add KENDARI-PKS-2024 {"bpjs_account":"*********3444","bpjs_bank_code":"009","employer":"Pemerintah Kota Kendari","from":"2024-01-01","programmes":"JKK,JKM,JHT,JP","risk_class":"2","to":"2025-12-31","work_units":"DLHK, Satpol PP, Damkar, SDA"}"#,
            #"maker budget.add KUKAR-2024-DISTRANSNAKER {"agency":"Distransnaker","amount":"1000000","bpjs_account":"*********5666","bpjs_bank_code":"009","year":"2024"}"#,
            #"maker budget.add A-2024 {"agency":"Dinsos","amount":"500000","bpjs_account":"","bpjs_bank_code":"","year":"2024"}"#,
        ])
        #expect(try await s.store.verifyAudit().rows == 4)
    }

    @Test("payroll: import, deductions and report agree with the lines; the remittance is the report's grand total", arguments: PremiumBackend.available)
    func payrollFlow(_ backend: PremiumBackend) async throws {
        let s = try await backend.open(); defer { s.close() }
        _ = try await s.store.addAgreement(F.kendari, actor: "maker")
        let imported = try await s.importPayroll(F.kendariCSV(), agreement: F.kendari, period: "2024-05")
        #expect(imported.outcome == .imported)
        #expect(imported.run.lines == 1_081)
        #expect(imported.run.revision == 1)
        #expect(imported.run.remittance == nil)
        let report = try await s.store.payrollReport(agreementID: nil, period: F.period("2024-05"))
        let (run, rows) = try await s.store.payrollDeductions(agreementID: F.kendari.id, period: F.period("2024-05"))
        #expect(run == imported.run)
        #expect(rows.count == 1_081)
        #expect(rows.map(\.line) == Array(2...1_082), "in the file's order")
        #expect(rows[0].employeeID == "PTT-1")
        #expect(rows[0].nik == F.nik(0))
        #expect(rows[0].workUnit == "DLHK")
        #expect(rows[0].riskClass == 2)
        #expect(report.totals.grandTotal.value == rows.reduce(0) { $0 + $1.premiums.total.value })
        #expect(report.totals.employeeTotal.value == rows.reduce(0) { $0 + $1.premiums.employeeTotal.value })
        #expect(report.workUnits.map { "\($0.workUnit) \($0.headcount)" } == ["DLHK 501", "Satpol PP 353", "Damkar 217", "SDA 10"])
        #expect(report.workUnits.reduce(0) { $0 + $1.total.value } == report.totals.grandTotal.value)
        let parsed = try PayrollFile.parse(bytes: Array(F.kendariCSV().utf8), file: "payroll.csv", agreement: F.kendari)
        let recomputed = try PremiumComputation.payroll(parsed, agreement: F.kendari, period: F.period("2024-05"), rates: F.rates, file: "payroll.csv")
        #expect(recomputed.lines.map(\.premiums) == rows.map(\.premiums))
        #expect(recomputed.totals == report.totals)

        let first = try await s.store.remitPayroll(agreementID: nil, period: F.period("2024-05"), actor: "maker", rules: F.rules)
        #expect(first.queued)
        #expect(first.remittance.amount == report.totals.grandTotal)
        #expect(first.remittance.state == "awaiting_approval")
        #expect(PartnerReference.isSalurReference(first.remittance.partnerReferenceNo))
        #expect(first.run.remittance == first.remittance)
        #expect(first.batches.count == 1)
        let second = try await s.store.remitPayroll(agreementID: F.kendari.id, period: F.period("2024-05"), actor: "maker", rules: F.rules)
        #expect(!second.queued)
        #expect(second.remittance == first.remittance)
        #expect(second.batches.isEmpty)
        let transfer = try #require(try await s.store.transferRecords(from: nil, to: nil).first)
        #expect(transfer.kind == "interbank")
        #expect(transfer.accountNo == F.kendari.bpjsAccount)
        #expect(transfer.bankCode == F.kendari.bpjsBankCode)
        #expect(transfer.amount == report.totals.grandTotal)
        #expect(transfer.program == "BPJSTK-KENDARI-PKS-2024")
        #expect(transfer.period == "2024-05")
        #expect(transfer.name == "BPJS KETENAGAKERJAAN")
        #expect(transfer.nik == nil)
        #expect(await refusal { _ = try await s.store.approve(ids: first.batches, all: false, actor: "maker", distinctApprover: true) } is StoreError)
        #expect(try await s.store.approve(ids: first.batches, all: false, actor: "checker", distinctApprover: true) == first.batches)
        #expect(try await s.store.premiumRuns(kind: .payroll, owner: F.kendari.id).map(\.remittance?.state) == ["approved"])
        #expect(try await s.store.auditTail(limit: 10).map(\.action)
                == ["agreement.add", "payroll.import", "batch.create", "payroll.remit", "batch.approve"])
        #expect(try await s.store.verifyAudit().rows == 5)
    }

    @Test("import: the same file changes nothing; another file needs --replace; replace cancels an unposted remittance", arguments: PremiumBackend.available)
    func replaceRules(_ backend: PremiumBackend) async throws {
        let s = try await backend.open(); defer { s.close() }
        _ = try await s.store.addAgreement(F.kendari, actor: "maker")
        let first = try await s.importPayroll(F.kendariCSV(), agreement: F.kendari, period: "2024-05")
        let again = try await s.importPayroll(F.kendariCSV(), agreement: F.kendari, period: "2024-05")
        #expect(again.outcome == .unchanged)
        #expect(again.run == first.run)
        let error = await refusal { try await s.importPayroll(F.kendariCSV(wageOffset: 1), file: "payroll-v2.csv", agreement: F.kendari, period: "2024-05") }
        guard case .alreadyImported(let run, let command)? = error as? PremiumRunError else { Issue.record("\(String(describing: error))"); return }
        #expect(run.revision == 1)
        #expect(command == "salurctl payroll import payroll-v2.csv --period 2024-05 --agreement KENDARI-PKS-2024")

        let remit = try await s.store.remitPayroll(agreementID: nil, period: F.period("2024-05"), actor: "maker", rules: F.rules)
        let corrected = F.kendariCSV(units: [("DLHK", 500), ("Satpol PP", 353), ("Damkar", 217), ("SDA", 10)])
        let replaced = try await s.importPayroll(corrected, file: "payroll-v2.csv", agreement: F.kendari, period: "2024-05", replace: true)
        guard case .replaced(let previous, let cancelled?) = replaced.outcome else {
            Issue.record("expected a replace that cancels the remittance, got \(replaced.outcome)")
            return
        }
        #expect(previous == 1)
        #expect(cancelled.partnerReferenceNo == remit.remittance.partnerReferenceNo)
        #expect(replaced.run.revision == 2)
        #expect(replaced.run.lines == 1_080)
        #expect(replaced.run.remittance == nil)
        #expect(try await s.store.batches(id: remit.batches[0]).first?.state == "cancelled")
        #expect(try await s.store.payrollDeductions(agreementID: nil, period: F.period("2024-05")).rows.count == 1_080)
        let report = try await s.store.payrollReport(agreementID: nil, period: F.period("2024-05"))
        #expect(report.totals.grandTotal == replaced.run.grandTotal)

        let requeued = try await s.store.remitPayroll(agreementID: nil, period: F.period("2024-05"), actor: "maker", rules: F.rules)
        #expect(requeued.queued)
        #expect(requeued.remittance.amount == report.totals.grandTotal)
        #expect(requeued.remittance.partnerReferenceNo != remit.remittance.partnerReferenceNo)
        #expect(try await s.store.transferRecords(from: nil, to: nil).map(\.state) == ["cancelled", "awaiting_approval"])

        // Posted: a replace is refused and nothing changes; settled, a second remit still queues nothing.
        let attempt = try await s.post(requeued)
        let posted = await refusal { try await s.importPayroll(F.kendariCSV(wageOffset: 3), file: "payroll-v3.csv", agreement: F.kendari, period: "2024-05", replace: true) }
        guard case .remittancePosted(_, let status)? = posted as? PremiumRunError else { Issue.record("\(String(describing: posted))"); return }
        #expect(status.state == "sending")
        #expect(status.attempts == 1)
        try await s.settle(attempt)
        #expect(await refusal { try await s.importPayroll(F.kendariCSV(wageOffset: 3), file: "payroll-v3.csv", agreement: F.kendari, period: "2024-05", replace: true) } is PremiumRunError)
        let now = try #require(try await s.store.premiumRuns(kind: .payroll, owner: F.kendari.id).first)
        #expect(now.revision == 2)
        #expect(now.remittance?.state == "settled")
        #expect(try await !s.store.remitPayroll(agreementID: nil, period: F.period("2024-05"), actor: "maker", rules: F.rules).queued)
        let actions = try await s.store.auditTail(limit: 100).map(\.action)
        #expect(Array(actions.prefix(7)) == ["agreement.add", "payroll.import", "batch.create", "payroll.remit", "remittance.cancel",
                                             "payroll.import", "batch.create"])
    }

    @Test("refusals: no run, two agreements for a period, a period outside the agreement, an operator-cancelled remittance queued again", arguments: PremiumBackend.available)
    func refusals(_ backend: PremiumBackend) async throws {
        let s = try await backend.open(); defer { s.close() }
        _ = try await s.store.addAgreement(F.kendari, actor: "maker")
        _ = try await s.store.addAgreement(F.kupang, actor: "maker")
        let none = await refusal { _ = try await s.store.payrollReport(agreementID: nil, period: F.period("2024-04")) }
        #expect("\(none.map { "\($0)" } ?? "")" == "no payroll imported for 2024-04; import one first (salurctl payroll import)")
        #expect(await refusal { _ = try await s.store.remitPayroll(agreementID: F.kendari.id, period: F.period("2024-04"), actor: "maker", rules: F.rules) } is PremiumRunError)
        try await s.importPayroll(F.kendariCSV(units: [("DLHK", 3)]), agreement: F.kendari, period: "2024-04")
        try await s.importPayroll("employee_id,nik,name,work_unit,gross_wage\nK,\(F.nik(0)),Yohanes,Alak,3000000\n", file: "kupang.csv",
                                  agreement: F.kupang, period: "2024-04")
        let ambiguous = await refusal { _ = try await s.store.payrollReport(agreementID: nil, period: F.period("2024-04")) }
        #expect("\(ambiguous.map { "\($0)" } ?? "")".contains("(KENDARI-PKS-2024, KUPANG-PKS-2021): give --agreement"))
        #expect(await refusal { _ = try await s.store.remitPayroll(agreementID: nil, period: F.period("2024-04"), actor: "maker", rules: F.rules) } is PremiumRunError)
        #expect(try await s.store.payrollReport(agreementID: F.kupang.id, period: F.period("2024-04")).totals.grandTotal == Rupiah(16_200))

        let csv = "employee_id,nik,name,work_unit,gross_wage\nK,\(F.nik(0)),Yohanes,Alak,3000000\n"
        let rows = try PayrollFile.parse(bytes: Array(csv.utf8), file: "k.csv", agreement: F.kupang)
        let run = try PremiumComputation.payroll(rows, agreement: F.kupang, period: F.period("2024-04"), rates: F.rates, file: "k.csv")
        let outside = await refusal {
            _ = try await s.store.importPayroll(agreementID: F.kupang.id, period: F.period("2024-05"), lines: run.lines, totals: run.totals,
                                                source: F.source("k.csv", csv), replace: false, actor: "maker")
        }
        #expect(outside as? PremiumRunRefusal == .periodOutsideAgreement(agreement: F.kupang, period: F.period("2024-05")))
        let unknown = await refusal {
            _ = try await s.store.importPayroll(agreementID: "NOPE", period: F.period("2024-04"), lines: run.lines, totals: run.totals,
                                                source: F.source("k.csv", csv), replace: false, actor: "maker")
        }
        #expect(unknown is StoreError)

        let first = try await s.store.remitPayroll(agreementID: F.kupang.id, period: F.period("2024-04"), actor: "maker", rules: F.rules)
        _ = try await s.store.cancel(id: first.batches[0], actor: "checker")
        let second = try await s.store.remitPayroll(agreementID: F.kupang.id, period: F.period("2024-04"), actor: "maker", rules: F.rules)
        #expect(second.queued)
        #expect(second.remittance.amount == first.remittance.amount)
        #expect(try await s.store.transferRecords(from: nil, to: nil).map(\.state) == ["cancelled", "awaiting_approval"])
    }

    @Test("BPU: an overdraw is refused saying by how much; a replace gives its own total back first; outside the year refused", arguments: PremiumBackend.available)
    func bpuOverdraw(_ backend: PremiumBackend) async throws {
        let s = try await backend.open(); defer { s.close() }
        _ = try await s.store.addBudget(Self.budget, actor: "maker")
        try await s.importBPU(F.bpuCSV(count: 2), budget: Self.budget.id, period: "2024-05")
        let error = await refusal { try await s.importBPU(F.bpuCSV(count: 27), budget: Self.budget.id, period: "2024-06") }
        guard case .overdraw(_, _, let total, let workers, let before, let by)? = error as? PremiumRunError else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(total == Rupiah(993_600))
        #expect(workers == 27)
        #expect(before.remaining == Rupiah(926_400))
        #expect(by == Rupiah(67_200))
        #expect("\(error!)".contains("would overdraw budget KUKAR-2024-DISTRANSNAKER by Rp 67.200"))
        #expect(try await s.store.premiumRuns(kind: .bpu, owner: Self.budget.id).count == 1, "nothing was imported")
        try await s.importBPU(F.bpuCSV(count: 25), budget: Self.budget.id, period: "2024-06")
        let use = try await s.store.budget(id: Self.budget.id).use
        #expect(use.committed == Rupiah(73_600 + 920_000))
        #expect(use.remaining == Rupiah(6_400))
        #expect(use.lastMonthRunRate == Rupiah(920_000))
        #expect(await refusal { try await s.importBPU(F.bpuCSV(count: 3), file: "bpu-v2.csv", budget: Self.budget.id, period: "2024-05", replace: true) } is PremiumRunError)
        try await s.importBPU(F.bpuCSV(count: 2, income: 1_086_957), file: "bpu-v2.csv", budget: Self.budget.id, period: "2024-05", replace: true)
        #expect(try await s.store.budget(id: Self.budget.id).use.remaining == Rupiah(1_182))
        #expect(try await s.store.premiumRuns(kind: .bpu, owner: Self.budget.id).map(\.period.description) == ["2024-06", "2024-05"])
        let outside = await refusal { try await s.importBPU(F.bpuCSV(count: 1), budget: Self.budget.id, period: "2025-01") }
        #expect(outside as? PremiumRunRefusal == .periodOutsideBudgetYear(budget: Self.budget.id, year: 2024, period: F.period("2025-01")))
    }

    @Test("BPU remit: committed until the remittance settles, then spent; a budget without an account needs one", arguments: PremiumBackend.available)
    func bpuRemit(_ backend: PremiumBackend) async throws {
        let s = try await backend.open(); defer { s.close() }
        let big = try BudgetEnvelope(id: "KUKAR-2024", agency: "Distransnaker", year: 2024, amount: Rupiah(1_000_000),
                                     bpjsAccount: nil, bpjsBankCode: nil)
        _ = try await s.store.addBudget(big, actor: "maker")
        try await s.importBPU(F.bpuCSV(count: 5), budget: big.id, period: "2024-05")   // 184,000
        try await s.importBPU(F.bpuCSV(count: 4), budget: big.id, period: "2024-06")   // 147,200
        var use = try await s.store.budget(id: big.id).use
        #expect([use.spent, use.committed, use.remaining] == [.zero, Rupiah(331_200), Rupiah(668_800)])
        #expect(use.monthsOfCover == 4)
        let without = await refusal {
            _ = try await s.store.remitBPU(budgetID: big.id, period: F.period("2024-05"), account: nil, bankCode: nil, actor: "maker", rules: F.rules)
        }
        guard case .budgetWithoutAccount? = without as? PremiumRunError else { Issue.record("\(String(describing: without))"); return }
        let remit = try await s.store.remitBPU(budgetID: big.id, period: F.period("2024-05"), account: "0700000555666", bankCode: "009",
                                               actor: "maker", rules: F.rules)
        #expect(remit.queued)
        #expect(remit.remittance.amount == Rupiah(184_000))
        #expect(remit.beneficiaryAccount == "0700000555666")
        let transfer = try #require(try await s.store.transferRecords(from: nil, to: nil).first)
        #expect(transfer.program == "BPJSTK-BPU-KUKAR-2024")
        #expect(transfer.amount == Rupiah(184_000))
        let attempt = try await s.post(remit)
        #expect(try await s.store.budget(id: big.id).use.spent == .zero, "posted is not yet spent")
        try await s.settle(attempt)
        use = try await s.store.budget(id: big.id).use
        #expect([use.spent, use.committed, use.remaining] == [Rupiah(184_000), Rupiah(147_200), Rupiah(668_800)])
        #expect(try await s.store.budgets().map(\.use) == [use])
        #expect(await refusal {
            _ = try await s.store.remitBPU(budgetID: big.id, period: F.period("2024-07"), account: "0700000555666", bankCode: "009", actor: "maker", rules: F.rules)
        } is PremiumRunError)
        #expect(try await s.store.verifyAudit().rows > 0)
    }

    @Test("both backends leave the same runs, transfers and audit rows after the same operations")
    func sameOnBoth() async throws {
        guard PremiumBackend.available.count == 2 else { return }
        var results: [[String]] = []
        for backend in PremiumBackend.allCases {
            let s = try await backend.open(); defer { s.close() }
            _ = try await s.store.addAgreement(F.kendari, actor: "maker")
            _ = try await s.store.addBudget(Self.budget, actor: "maker")
            try await s.importPayroll(F.kendariCSV(units: [("DLHK", 40), ("SDA", 7)]), agreement: F.kendari, period: "2024-05")
            _ = try await s.store.remitPayroll(agreementID: nil, period: F.period("2024-05"), actor: "maker", rules: F.rules)
            try await s.importPayroll(F.kendariCSV(units: [("DLHK", 41), ("SDA", 7)]), file: "v2.csv", agreement: F.kendari,
                                      period: "2024-05", replace: true)
            try await s.importBPU(F.bpuCSV(count: 3), budget: Self.budget.id, period: "2024-05")
            _ = try await s.store.remitBPU(budgetID: Self.budget.id, period: F.period("2024-05"), account: nil, bankCode: nil,
                                           actor: "maker", rules: F.rules)
            let runs = try await s.store.premiumRuns(kind: .payroll, owner: F.kendari.id) + s.store.premiumRuns(kind: .bpu, owner: Self.budget.id)
            let transfers = try await s.store.transferRecords(from: nil, to: nil)
            let report = try await s.store.payrollReport(agreementID: F.kendari.id, period: F.period("2024-05"))
            let deductions = try await s.store.payrollDeductions(agreementID: nil, period: F.period("2024-05")).rows
            // References are random per database: compared by their transfer's id instead.
            let references = Dictionary(uniqueKeysWithValues: transfers.map { ($0.partnerReferenceNo, "ref#\($0.transferID)") })
            func sameReferences(_ text: String) -> String {
                references.reduce(text) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
            }
            results.append(try await (s.auditFacts()
                           + runs.map { "\($0.id) \($0.kind) \($0.period) r\($0.revision) \($0.lines) \($0.grandTotal) \($0.sourceSHA256) \(String(describing: $0.remittance))" }
                           + transfers.map { "\($0.partnerReferenceNo) \($0.batchID ?? "") \($0.program) \($0.amount) \($0.state) \($0.accountNo)" }
                           + ["\(report.totals) \(report.workUnits)", "\(deductions)", "\(try await s.store.budgets())".replacingOccurrences(of: #"createdAt: "[^"]*""#, with: "", options: .regularExpression)]).map(sameReferences))
        }
        #expect(results[0] == results[1])
    }

    @Test("a payroll larger than one bulk statement (12,001 lines) on PostgreSQL: every line stored, the report sums them")
    func bulk() async throws {
        guard PostgresScratch.isEnabled else { return }
        let s = try await PremiumBackend.postgres.open(); defer { s.close() }
        _ = try await s.store.addAgreement(F.kendari, actor: "maker")
        let csv = F.kendariCSV(units: [("DLHK", 6_000), ("Satpol PP", 6_001)])
        let imported = try await s.importPayroll(csv, agreement: F.kendari, period: "2024-06")
        #expect(imported.run.lines == 12_001)
        let (_, rows) = try await s.store.payrollDeductions(agreementID: nil, period: F.period("2024-06"))
        #expect(rows.count == 12_001)
        #expect(rows.map(\.line) == Array(2...12_002))
        let report = try await s.store.payrollReport(agreementID: nil, period: F.period("2024-06"))
        #expect(report.totals.grandTotal == imported.run.grandTotal)
        #expect(report.workUnits.map(\.headcount) == [6_001, 6_000])
        // Replacing deletes the old lines in bulk as well.
        let smaller = try await s.importPayroll(F.kendariCSV(units: [("DLHK", 5)]), file: "v2.csv", agreement: F.kendari, period: "2024-06", replace: true)
        #expect(smaller.run.lines == 5)
        #expect(try await s.store.payrollDeductions(agreementID: nil, period: F.period("2024-06")).rows.count == 5)
    }

    @Test("two BPU imports racing for what is left of one envelope on PostgreSQL: exactly one fits")
    func racingEnvelope() async throws {
        guard PostgresScratch.isEnabled else { return }
        let s = try await PremiumBackend.postgres.open(); defer { s.close() }
        _ = try await s.store.addBudget(Self.budget, actor: "maker")
        // 20 × 36,800 = 736,000 each: either fits alone, not both.
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for period in ["2024-05", "2024-06"] {
                group.addTask {
                    do { try await s.importBPU(F.bpuCSV(count: 20), budget: Self.budget.id, period: period); return true } catch { return false }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        let use = try await s.store.budget(id: Self.budget.id).use
        #expect(use.committed == Rupiah(736_000))
        #expect(try await s.store.premiumRuns(kind: .bpu, owner: Self.budget.id).count == 1)
    }
}
