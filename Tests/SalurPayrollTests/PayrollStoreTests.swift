import Foundation
import SalurSQLite
import Testing
import SalurCore
import SalurStore

/// Runs in the store: imports, replace until posted, report and deductions against the lines,
/// remittances, and budget envelopes.
@Suite("Premium runs in the store")
struct PayrollStoreTests {
    typealias F = PayrollFixture

    /// Posts a run's remittance the way the engine does: approve (checker), start the batch, claim an attempt.
    func post(_ ledger: SQLiteLedger, _ remit: RemitResult) async throws -> ClaimedAttempt {
        let batch = try #require(remit.remittance.batchID)
        _ = try ledger.approve(ids: [batch], all: false, actor: "checker", distinctApprover: true)
        try await ledger.startBatch(id: batch, balance: Rupiah(1_000_000_000_000))
        return try #require(try await ledger.claimAttempts(limit: 10, now: Date(), maxAttempts: 5).first)
    }

    func settle(_ ledger: SQLiteLedger, _ attempt: ClaimedAttempt) async throws {
        try await ledger.record([Resolution(transferID: attempt.transferID, externalID: attempt.externalID, next: .settled,
                                            code: "2001800", bankReference: "REF1")], now: Date())
    }

    @Test("agreements: the same terms again change nothing, other terms under the id are refused")
    func agreements() throws {
        let store = try PayrollStore(); defer { store.remove() }
        #expect(try store.ledger.addAgreement(F.kupang, actor: "maker"))
        #expect(try !store.ledger.addAgreement(F.kupang, actor: "maker"))
        let changed = try Agreement(id: F.kupang.id, employer: F.kupang.employer, programmes: [.jkk, .jkm, .jht], riskClass: .veryLow,
                                    validFrom: F.kupang.validFrom, validTo: F.kupang.validTo, bpjsAccount: F.kupang.bpjsAccount,
                                    bpjsBankCode: "009", workUnits: nil)
        #expect(throws: StoreError.self) { try store.ledger.addAgreement(changed, actor: "maker") }
        _ = try store.ledger.addAgreement(F.kendari, actor: "maker")
        #expect(try store.ledger.agreements().map(\.agreement) == [F.kendari, F.kupang])
        #expect(try store.ledger.agreement(id: F.kendari.id).agreement.workUnits == ["DLHK", "Satpol PP", "Damkar", "SDA"])
        #expect(try store.ledger.verifyAudit().rows == 2)
    }

    @Test("import: the same file changes nothing; another file needs --replace")
    func reimport() throws {
        let store = try PayrollStore(); defer { store.remove() }
        _ = try store.ledger.addAgreement(F.kendari, actor: "maker")
        let csv = F.kendariCSV()
        let first = try store.importPayroll(csv, agreement: F.kendari, period: "2024-05")
        #expect(first.outcome == .imported)
        #expect(first.run.lines == 1_081)
        #expect(first.run.revision == 1)
        let again = try store.importPayroll(csv, agreement: F.kendari, period: "2024-05")
        #expect(again.outcome == .unchanged)
        #expect(again.run == first.run)
        let other = F.kendariCSV(wageOffset: 1)
        let refusal = #expect(throws: PremiumRunError.self) {
            try store.importPayroll(other, file: "payroll-v2.csv", agreement: F.kendari, period: "2024-05")
        }
        guard case .alreadyImported(let run, let command)? = refusal else { Issue.record("\(String(describing: refusal))"); return }
        #expect(run.revision == 1)
        #expect(command == "salurctl payroll import payroll-v2.csv --period 2024-05 --agreement KENDARI-PKS-2024")
        #expect(try store.ledger.premiumRun(kind: .payroll, owner: nil, period: F.period("2024-05")).sourceSHA256 == first.run.sourceSHA256)
        #expect(try store.ledger.auditTail(limit: 10).map(\.action) == ["agreement.add", "payroll.import"])
    }

    @Test("the report's totals and the deductions file agree with the sum of the lines; Kendari's headcounts")
    func reportAndDeductions() throws {
        let store = try PayrollStore(); defer { store.remove() }
        _ = try store.ledger.addAgreement(F.kendari, actor: "maker")
        try store.importPayroll(F.kendariCSV(), agreement: F.kendari, period: "2024-05")
        let report = try store.ledger.payrollReport(agreementID: nil, period: F.period("2024-05"))
        let (run, rows) = try store.ledger.payrollDeductions(agreementID: F.kendari.id, period: F.period("2024-05"))
        #expect(rows.count == 1_081)
        #expect(rows.map(\.line) == Array(2...1_082), "in the file's order")
        func sum(_ value: (DeductionRow) -> Rupiah) -> Int64 { rows.reduce(0) { $0 + value($1).value } }
        #expect(report.totals.lines == rows.count)
        #expect(report.totals.jkk.value == sum(\.premiums.jkk))
        #expect(report.totals.jkm.value == sum(\.premiums.jkm))
        #expect(report.totals.jhtEmployer.value == sum(\.premiums.jhtEmployer))
        #expect(report.totals.jhtEmployee.value == sum(\.premiums.jhtEmployee))
        #expect(report.totals.jpEmployer.value == sum(\.premiums.jpEmployer))
        #expect(report.totals.jpEmployee.value == sum(\.premiums.jpEmployee))
        #expect(report.totals.employerTotal.value == sum(\.premiums.employerTotal))
        #expect(report.totals.employeeTotal.value == sum(\.premiums.employeeTotal))
        #expect(report.totals.grandTotal.value == sum(\.premiums.total))
        #expect(report.totals.grandTotal == run.grandTotal)
        #expect(report.workUnits.map { "\($0.workUnit) \($0.headcount)" } == ["DLHK 501", "Satpol PP 353", "Damkar 217", "SDA 10"])
        #expect(report.workUnits.reduce(0) { $0 + $1.total.value } == report.totals.grandTotal.value)
        // Recomputing every line from the file gives the same stored lines.
        let parsed = try PayrollFile.parse(bytes: Array(F.kendariCSV().utf8), file: "payroll.csv", agreement: F.kendari)
        let recomputed = try PremiumComputation.payroll(parsed, agreement: F.kendari, period: F.period("2024-05"), rates: F.rates, file: "payroll.csv")
        #expect(recomputed.lines.map(\.premiums) == rows.map(\.premiums))
        #expect(recomputed.totals == report.totals)
    }

    @Test("remit: one interbank transfer of the grand total to the agreement's BPJS account; a second remit queues nothing")
    func remitIdempotent() throws {
        let store = try PayrollStore(); defer { store.remove() }
        _ = try store.ledger.addAgreement(F.kendari, actor: "maker")
        let imported = try store.importPayroll(F.kendariCSV(), agreement: F.kendari, period: "2024-05")
        let first = try store.ledger.remitPayroll(agreementID: nil, period: F.period("2024-05"), actor: "maker", rules: F.rules)
        #expect(first.queued)
        #expect(first.remittance.amount == imported.run.grandTotal)
        #expect(first.remittance.state == "awaiting_approval")
        #expect(first.batches.count == 1)
        let second = try store.ledger.remitPayroll(agreementID: F.kendari.id, period: F.period("2024-05"), actor: "maker", rules: F.rules)
        #expect(!second.queued)
        #expect(second.remittance == first.remittance)
        #expect(second.batches.isEmpty)

        let records = try store.ledger.transferRecords(from: nil, to: nil)
        #expect(records.count == 1)
        let transfer = try #require(records.first)
        #expect(transfer.kind == "interbank")
        #expect(transfer.accountNo == F.kendari.bpjsAccount)
        #expect(transfer.bankCode == F.kendari.bpjsBankCode)
        #expect(transfer.amount == imported.run.grandTotal)
        #expect(transfer.period == "2024-05")
        #expect(transfer.nik == nil)
        // Maker-checker: the maker who remitted may not approve.
        #expect(throws: StoreError.self) {
            try store.ledger.approve(ids: first.batches, all: false, actor: "maker", distinctApprover: true)
        }
        #expect(try store.ledger.approve(ids: first.batches, all: false, actor: "checker", distinctApprover: true) == first.batches)
        #expect(try store.ledger.auditTail(limit: 10).map(\.action)
                == ["agreement.add", "payroll.import", "batch.create", "payroll.remit", "batch.approve"])
        #expect(try store.ledger.verifyAudit().rows == 5)
    }

    @Test("replace while the remittance is queued but not posted: the remittance is cancelled and can be queued anew")
    func replaceBeforePosting() async throws {
        let store = try PayrollStore(); defer { store.remove() }
        _ = try store.ledger.addAgreement(F.kendari, actor: "maker")
        try store.importPayroll(F.kendariCSV(), agreement: F.kendari, period: "2024-05")
        let remit = try store.ledger.remitPayroll(agreementID: nil, period: F.period("2024-05"), actor: "maker", rules: F.rules)
        let corrected = F.kendariCSV(units: [("DLHK", 500), ("Satpol PP", 353), ("Damkar", 217), ("SDA", 10)])
        let replaced = try store.importPayroll(corrected, file: "payroll-v2.csv", agreement: F.kendari, period: "2024-05", replace: true)
        guard case .replaced(let previous, let cancelled?) = replaced.outcome else {
            Issue.record("expected a replace that cancels the remittance, got \(replaced.outcome)")
            return
        }
        #expect(previous == 1)
        #expect(cancelled.partnerReferenceNo == remit.remittance.partnerReferenceNo)
        #expect(replaced.run.revision == 2)
        #expect(replaced.run.lines == 1_080)
        #expect(replaced.run.remittance == nil)
        #expect(try await store.ledger.batches(id: remit.batches[0]).first?.state == "cancelled")

        let again = try store.ledger.remitPayroll(agreementID: nil, period: F.period("2024-05"), actor: "maker", rules: F.rules)
        #expect(again.queued)
        #expect(again.remittance.amount == replaced.run.grandTotal)
        #expect(again.remittance.partnerReferenceNo != remit.remittance.partnerReferenceNo)
        let states = try store.ledger.transferRecords(from: nil, to: nil).map(\.state)
        #expect(states == ["cancelled", "awaiting_approval"])
    }

    @Test("replace after the remittance is posted is refused, and nothing changes")
    func replaceAfterPosting() async throws {
        let store = try PayrollStore(); defer { store.remove() }
        _ = try store.ledger.addAgreement(F.kendari, actor: "maker")
        let imported = try store.importPayroll(F.kendariCSV(), agreement: F.kendari, period: "2024-05")
        let remit = try store.ledger.remitPayroll(agreementID: nil, period: F.period("2024-05"), actor: "maker", rules: F.rules)
        let attempt = try await post(store.ledger, remit)
        let corrected = F.kendariCSV(wageOffset: 3)
        let refusal = #expect(throws: PremiumRunError.self) {
            try store.importPayroll(corrected, file: "payroll-v2.csv", agreement: F.kendari, period: "2024-05", replace: true)
        }
        guard case .remittancePosted(_, let posted)? = refusal else { Issue.record("\(String(describing: refusal))"); return }
        #expect(posted.state == "sending")
        #expect(posted.attempts == 1)
        try await settle(store.ledger, attempt)
        #expect(throws: PremiumRunError.self) {
            try store.importPayroll(corrected, file: "payroll-v2.csv", agreement: F.kendari, period: "2024-05", replace: true)
        }
        let run = try store.ledger.premiumRun(kind: .payroll, owner: F.kendari.id, period: F.period("2024-05"))
        #expect(run.revision == 1)
        #expect(run.grandTotal == imported.run.grandTotal)
        #expect(run.remittance?.state == "settled")
        // Settled: a second remit still queues nothing.
        #expect(try !store.ledger.remitPayroll(agreementID: nil, period: F.period("2024-05"), actor: "maker", rules: F.rules).queued)
    }

    @Test("a remittance an operator cancelled can be queued again")
    func remitAfterCancel() throws {
        let store = try PayrollStore(); defer { store.remove() }
        _ = try store.ledger.addAgreement(F.kendari, actor: "maker")
        try store.importPayroll(F.kendariCSV(), agreement: F.kendari, period: "2024-05")
        let first = try store.ledger.remitPayroll(agreementID: nil, period: F.period("2024-05"), actor: "maker", rules: F.rules)
        _ = try store.ledger.cancel(id: first.batches[0], actor: "checker")
        let second = try store.ledger.remitPayroll(agreementID: nil, period: F.period("2024-05"), actor: "maker", rules: F.rules)
        #expect(second.queued)
        #expect(second.remittance.amount == first.remittance.amount)
        #expect(try store.ledger.transferRecords(from: nil, to: nil).map(\.state) == ["cancelled", "awaiting_approval"])
    }

    @Test("two agreements with a payroll for one period: --agreement is required")
    func ambiguous() throws {
        let store = try PayrollStore(); defer { store.remove() }
        _ = try store.ledger.addAgreement(F.kendari, actor: "maker")
        _ = try store.ledger.addAgreement(F.kupang, actor: "maker")
        try store.importPayroll(F.kendariCSV(units: [("DLHK", 3)]), agreement: F.kendari, period: "2024-04")
        try store.importPayroll("employee_id,nik,name,work_unit,gross_wage\nK,\(F.nik(0)),Yohanes,Alak,3000000\n", file: "kupang.csv",
                                agreement: F.kupang, period: "2024-04")
        #expect(throws: PremiumRunError.self) { try store.ledger.payrollReport(agreementID: nil, period: F.period("2024-04")) }
        #expect(try store.ledger.payrollReport(agreementID: F.kupang.id, period: F.period("2024-04")).totals.grandTotal == Rupiah(16_200))
        #expect(throws: PremiumRunError.self) { try store.ledger.payrollReport(agreementID: nil, period: F.period("2024-06")) }
    }

    @Test("a period outside the agreement is refused by the store too")
    func outsideAgreement() throws {
        let store = try PayrollStore(); defer { store.remove() }
        _ = try store.ledger.addAgreement(F.kupang, actor: "maker")
        let csv = "employee_id,nik,name,work_unit,gross_wage\nK,\(F.nik(0)),Yohanes,Alak,3000000\n"
        let rows = try PayrollFile.parse(bytes: Array(csv.utf8), file: "k.csv", agreement: F.kupang)
        let run = try PremiumComputation.payroll(rows, agreement: F.kupang, period: F.period("2024-04"), rates: F.rates, file: "k.csv")
        #expect(throws: PremiumRunRefusal.periodOutsideAgreement(agreement: F.kupang, period: F.period("2024-05"))) {
            try store.ledger.importPayroll(agreementID: F.kupang.id, period: F.period("2024-05"), lines: run.lines, totals: run.totals,
                                           source: F.source("k.csv", csv), replace: false, actor: "maker")
        }
    }

    static let budget = try! BudgetEnvelope(id: "KUKAR-2024-DISTRANSNAKER", agency: "Distransnaker", year: 2024,
                                            amount: Rupiah(1_000_000), bpjsAccount: "0700000555666", bpjsBankCode: "009")

    @Test("a BPU run that would overdraw the envelope is refused, saying by how much")
    func overdraw() throws {
        let store = try PayrollStore(); defer { store.remove() }
        #expect(try store.ledger.addBudget(Self.budget, actor: "maker"))
        #expect(try !store.ledger.addBudget(Self.budget, actor: "maker"))
        try store.importBPU(F.bpuCSV(count: 2), budget: Self.budget.id, period: "2024-05")   // 2 × 36,800 = 73,600
        let refusal = #expect(throws: PremiumRunError.self) {
            try store.importBPU(F.bpuCSV(count: 27), budget: Self.budget.id, period: "2024-06")   // 27 × 36,800 = 993,600
        }
        guard case .overdraw(_, _, let total, let workers, let before, let by)? = refusal else {
            Issue.record("\(String(describing: refusal))")
            return
        }
        #expect(total == Rupiah(993_600))
        #expect(workers == 27)
        #expect(before.remaining == Rupiah(926_400))
        #expect(by == Rupiah(67_200), "73,600 + 993,600 − 1,000,000")
        #expect("\(refusal!)".contains("would overdraw budget KUKAR-2024-DISTRANSNAKER by Rp 67.200"))
        #expect(try store.ledger.premiumRuns(kind: .bpu, owner: Self.budget.id).count == 1, "nothing was imported")
        // Exactly what is left fits: 926,400 = 25 × 36,800 + 6,400 does not divide, so 25 workers (920,000) fit.
        try store.importBPU(F.bpuCSV(count: 25), budget: Self.budget.id, period: "2024-06")
        let use = try store.ledger.budget(id: Self.budget.id).use
        #expect(use.committed == Rupiah(73_600 + 920_000))
        #expect(use.remaining == Rupiah(6_400))
        #expect(use.lastMonthRunRate == Rupiah(920_000))
        #expect(use.monthsOfCover == 0)
        // Replacing May with a larger run counts May's own total back first: 73,600 + 6,400 = 80,000 is available.
        #expect(throws: PremiumRunError.self) {
            try store.importBPU(F.bpuCSV(count: 3), file: "bpu-v2.csv", budget: Self.budget.id, period: "2024-05", replace: true)   // 110,400
        }
        try store.importBPU(F.bpuCSV(count: 2, income: 1_086_957), file: "bpu-v2.csv", budget: Self.budget.id, period: "2024-05", replace: true)
        #expect(try store.ledger.budget(id: Self.budget.id).use.remaining == Rupiah(1_182),
                "May is now 2 × (10,870 + 6,800 + 21,739) = 78,818: 1,000,000 − 78,818 − 920,000")
        // A period outside the fiscal year.
        #expect(throws: PremiumRunRefusal.periodOutsideBudgetYear(budget: Self.budget.id, year: 2024, period: F.period("2025-01"))) {
            try store.importBPU(F.bpuCSV(count: 1), budget: Self.budget.id, period: "2025-01")
        }
    }

    @Test("envelope: committed until the remittance settles, then spent; months of cover at the last run's rate")
    func spentAndCommitted() async throws {
        let store = try PayrollStore(); defer { store.remove() }
        let big = try BudgetEnvelope(id: "KUKAR-2024", agency: "Distransnaker", year: 2024, amount: Rupiah(1_000_000),
                                     bpjsAccount: nil, bpjsBankCode: nil)
        _ = try store.ledger.addBudget(big, actor: "maker")
        try store.importBPU(F.bpuCSV(count: 5), budget: big.id, period: "2024-05")   // 184,000
        try store.importBPU(F.bpuCSV(count: 4), budget: big.id, period: "2024-06")   // 147,200
        var use = try store.ledger.budget(id: big.id).use
        #expect([use.spent, use.committed, use.remaining] == [.zero, Rupiah(331_200), Rupiah(668_800)])
        #expect(use.monthsOfCover == 4, "668,800 / 147,200 = 4.5 → 4")

        #expect(throws: PremiumRunError.self) {
            try store.ledger.remitBPU(budgetID: big.id, period: F.period("2024-05"), account: nil, bankCode: nil, actor: "maker", rules: F.rules)
        }
        let remit = try store.ledger.remitBPU(budgetID: big.id, period: F.period("2024-05"), account: "0700000555666", bankCode: "009",
                                              actor: "maker", rules: F.rules)
        #expect(remit.remittance.amount == Rupiah(184_000))
        let attempt = try await post(store.ledger, remit)
        use = try store.ledger.budget(id: big.id).use
        #expect(use.spent == .zero, "posted is not yet spent")
        try await settle(store.ledger, attempt)
        use = try store.ledger.budget(id: big.id).use
        #expect([use.spent, use.committed, use.remaining] == [Rupiah(184_000), Rupiah(147_200), Rupiah(668_800)])
        #expect(try store.ledger.budgets().map(\.use) == [use])
        #expect(try store.ledger.verifyAudit().rows > 0)
    }
}
