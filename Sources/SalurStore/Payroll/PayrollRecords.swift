package import SalurCore

/// Whether a premium run is a payroll (wage earners under an agreement) or BPU (non-wage workers
/// paid from a budget envelope).
package enum PremiumRunKind: String, Sendable, Codable {
    case payroll, bpu
}

/// An agreement (PKS) as stored.
package struct StoredAgreement: Sendable, Equatable {
    package let agreement: Agreement
    package let createdBy: String
    package let createdAt: String
}

/// A budget envelope as stored, with how much of it is used.
package struct StoredBudget: Sendable, Equatable {
    package let budget: BudgetEnvelope
    package let use: EnvelopeUse
    package let createdBy: String
    package let createdAt: String
}

/// A premium run as stored: one period of one agreement (payroll) or one budget (BPU).
package struct PremiumRunSummary: Sendable, Equatable {
    package let id: Int64
    package let kind: PremiumRunKind
    /// The agreement, for a payroll run.
    package let agreementID: String?
    /// The budget envelope, for a BPU run.
    package let budgetID: String?
    package let period: Period
    /// 1 for the first import, one more for each `--replace`.
    package let revision: Int
    package let sourcePath: String
    package let sourceSHA256: String
    package let lines: Int
    package let employerTotal: Rupiah
    package let employeeTotal: Rupiah
    /// What must reach BPJS Ketenagakerjaan.
    package let grandTotal: Rupiah
    package let importedBy: String
    package let importedAt: String
    /// The latest remittance transfer, if one was queued (it may since have been cancelled).
    package let remittance: RemittanceStatus?

    /// What the run is of: `agreement KUPANG-PKS-2021` or `budget KUKAR-2021-DISTRANSNAKER`.
    package var owner: String { agreementID.map { "agreement \($0)" } ?? "budget \(budgetID ?? "")" }
}

/// Where a run's remittance transfer stands.
package struct RemittanceStatus: Sendable, Equatable, Codable {
    package let transferID: Int64
    package let partnerReferenceNo: String
    /// A `TransferState` raw value.
    package let state: String
    package let batchID: String?
    package let amount: Rupiah
    package let attempts: Int
    package let settledAt: String?

    /// Whether the transfer has gone to the bank at least once (so money may have moved): a run
    /// whose remittance is posted can no longer be replaced.
    package var isPosted: Bool {
        attempts > 0 || ["sending", "in_doubt", "retry_wait", "settled", "failed", "returned"].contains(state)
    }

    /// The states in which a remittance that never had an attempt may still be cancelled (its run
    /// replaced): it has not gone to the bank.
    package static let cancellable: [TransferState] = [.pending, .awaitingApproval, .approved, .held]

    /// Whether it is live: queued and not cancelled.
    package var isLive: Bool { state != "cancelled" }
}

/// What importing a run did.
package enum PremiumImportOutcome: Sendable, Equatable {
    /// A new run.
    case imported
    /// The same file was imported before for this period: nothing changed.
    case unchanged
    /// `--replace`: the run now holds the new file; a queued, unposted remittance was cancelled.
    case replaced(previousRevision: Int, cancelledRemittance: RemittanceStatus?)
}

/// The result of `payroll import` or `bpu import`.
package struct PremiumImportResult: Sendable, Equatable {
    package let outcome: PremiumImportOutcome
    package let run: PremiumRunSummary
}

/// One work unit's part of a payroll run.
package struct WorkUnitTotal: Sendable, Equatable {
    package let workUnit: String
    package let headcount: Int
    package let employerTotal: Rupiah
    package let employeeTotal: Rupiah
    package let total: Rupiah
}

/// `payroll report`: a run's totals per programme and per work unit, all summed from its lines.
package struct PayrollReport: Sendable, Equatable {
    package let agreement: Agreement
    package let run: PremiumRunSummary
    package let totals: PremiumTotals
    /// Largest headcount first.
    package let workUnits: [WorkUnitTotal]
}

/// One employee's row of the deductions file.
package struct DeductionRow: Sendable, Equatable {
    package let line: Int
    package let employeeID: String
    package let nik: String
    package let name: String
    package let workUnit: String
    package let riskClass: Int
    package let wage: Rupiah
    package let premiums: PremiumLines
}

/// What `payroll remit` / `bpu remit` did.
package struct RemitResult: Sendable, Equatable {
    /// False when a live remittance already existed: nothing was queued.
    package let queued: Bool
    package let run: PremiumRunSummary
    package let remittance: RemittanceStatus
    /// The BPJS account credited, and its bank.
    package let beneficiaryAccount: String
    package let beneficiaryBankCode: String
    /// Batches formed by this call.
    package let batches: [String]
}

// MARK: What both stores refuse, name and audit for agreements, budgets, runs and remittances

extension StoredAgreement {
    /// What the store does while recording an agreement, named in its errors.
    package static func operation(_ id: String) -> String { "recording agreement \(id)" }

    /// `asked` under this stored agreement's id with other terms: refused, since runs
    /// were computed under the recorded ones.
    package func otherTerms(_ asked: Agreement) -> String {
        "agreement \(asked.id) is already recorded with other terms (recorded by "
            + "\(createdBy) at \(createdAt)); an agreement is never edited: "
            + "record its renewal under a new id"
    }

    /// A stored agreement that no longer reads as one.
    package static func unreadable(id: String, what: String) -> String { "agreement \(id) is unreadable in the database: \(what)" }

    /// The audit details of a new agreement (`programmes` as stored).
    package static func auditDetails(_ agreement: Agreement, programmes: String) -> [String: String] {
        ["employer": agreement.employer, "programmes": programmes, "risk_class": String(agreement.riskClass.rawValue),
         "from": agreement.validFrom.description, "to": agreement.validTo.description,
         "bpjs_account": Validate.maskedAccount(agreement.bpjsAccount), "bpjs_bank_code": agreement.bpjsBankCode,
         "work_units": agreement.workUnits?.joined(separator: ", ") ?? "(all)"]
    }
}

extension StoredBudget {
    /// What the store does while recording a budget envelope, named in its errors.
    package static func operation(_ id: String) -> String { "recording budget \(id)" }

    /// `asked` under this stored envelope's id with other terms: refused.
    package func otherTerms(_ asked: BudgetEnvelope) -> String {
        "budget \(asked.id) is already recorded with other terms (recorded by "
            + "\(createdBy) at \(createdAt)); a budget envelope is never edited"
    }

    /// A stored budget envelope that no longer reads as one.
    package static func unreadable(id: String, what: String) -> String { "budget \(id) is unreadable in the database: \(what)" }

    /// The audit details of a new budget envelope.
    package static func auditDetails(_ budget: BudgetEnvelope) -> [String: String] {
        ["agency": budget.agency, "year": String(budget.year), "amount": String(budget.amount.value),
         "bpjs_account": budget.bpjsAccount.map(Validate.maskedAccount) ?? "", "bpjs_bank_code": budget.bpjsBankCode ?? ""]
    }
}

/// Importing a payroll or BPU file, in the words and audit rows both stores use.
package enum PremiumImport {
    /// What the store does while importing a payroll, named in its errors.
    package static func payrollOperation(_ period: Period) -> String { "importing the payroll for \(period)" }
    /// What the store does while importing a BPU run, named in its errors.
    package static func bpuOperation(_ period: Period) -> String { "importing the BPU run for \(period)" }

    /// The command an operator ran, repeated in a refusal that needs `--replace`.
    package static func payrollCommand(source: SourceFile, period: Period, agreementID: String) -> String {
        "salurctl payroll import \(source.path) --period \(period) --agreement \(agreementID)"
    }
    package static func bpuCommand(source: SourceFile, period: Period, budgetID: String) -> String {
        "salurctl bpu import \(source.path) --period \(period) --budget \(budgetID)"
    }

    /// The audit details of a payroll import (the file's are added by `PreparedRun.outcome`).
    package static func payrollDetails(agreementID: String, period: Period, totals: PremiumTotals) -> [String: String] {
        ["agreement": agreementID, "period": period.description, "lines": String(totals.lines),
         "wage_total": String(totals.wage.value), "employer_total": String(totals.employerTotal.value),
         "employee_total": String(totals.employeeTotal.value), "grand_total": String(totals.grandTotal.value)]
    }

    /// The audit details of a BPU import; `remainingAfter` is what the envelope has left after it.
    package static func bpuDetails(budgetID: String, period: Period, totals: BPUTotals, remainingAfter: Int64) -> [String: String] {
        ["budget": budgetID, "period": period.description, "workers": String(totals.lines),
         "declared_income_total": String(totals.declaredIncome.value), "total": String(totals.total.value),
         "remaining_after": String(remainingAfter)]
    }

    /// A stored run that no longer reads as one.
    package static func unreadable(id: Int64) -> String { "premium run \(id) is unreadable in the database" }

    /// Why a run is inconsistent when its lines do not add up to its stored totals.
    package static func linesDisagree(_ run: PremiumRunSummary, lines: Int, grandTotal: Rupiah) -> String {
        "its lines sum to \(grandTotal) over \(lines) lines, "
            + "its stored total is \(run.grandTotal) over \(run.lines)"
    }
}

/// A run's remittance to BPJS Ketenagakerjaan: one interbank transfer per run, queued like any
/// transfer — named, keyed and audited alike by both stores.
package enum Remittance {
    /// The name the remittance is sent with (SNAP's `beneficiaryAccountName`).
    package static let bpjsName = "BPJS KETENAGAKERJAAN"

    /// What the store does while queueing a remittance, named in its errors.
    package static func operation(_ period: Period) -> String { "queueing the BPJS remittance for \(period)" }

    /// A payroll remittance: its dedupe key prefix, programme and remark.
    package static func payroll(agreementID: String, period: Period) -> (dedupePrefix: String, program: String, remark: String) {
        ("bpjs-tk:\(agreementID)", "BPJSTK-\(agreementID)", TransferRemark.formed("BPJSTK \(agreementID) \(period)"))
    }

    /// A BPU remittance: its dedupe key prefix, programme and remark.
    package static func bpu(budgetID: String, period: Period) -> (dedupePrefix: String, program: String, remark: String) {
        ("bpjs-bpu:\(budgetID)", "BPJSTK-BPU-\(budgetID)", TransferRemark.formed("BPJSTK BPU \(budgetID) \(period)"))
    }

    /// The dedupe key of `run`'s remittance number `number` (a cancelled one is followed by the next).
    package static func dedupeKey(prefix: String, run: PremiumRunSummary, number: Int) -> String { "\(prefix):\(run.period):\(number)" }

    /// The transfer of a remittance just queued, not found.
    package static func transferMissing(dedupeKey: String) -> String { "the remittance transfer \(dedupeKey)" }

    /// The audit action and subject of queueing `run`'s remittance.
    package static func action(_ run: PremiumRunSummary) -> String { "\(run.kind.rawValue).remit" }
    package static func subject(_ run: PremiumRunSummary) -> String { "\(run.owner) \(run.period)" }

    /// The audit details of queueing `run`'s remittance.
    package static func details(_ run: PremiumRunSummary, remittance: RemittanceStatus, account: String, bankCode: String,
                                batches: [String]) -> [String: String] {
        ["transfer": remittance.partnerReferenceNo, "amount": String(run.grandTotal.value), "revision": String(run.revision),
         "bpjs_account": Validate.maskedAccount(account), "bpjs_bank_code": bankCode, "batches": batches.joined(separator: " "),
         "due": run.period.remittanceDueDate.description]
    }

    /// The audit details of cancelling `run`'s unposted remittance when the run is replaced.
    package static func cancelDetails(_ run: PremiumRunSummary, remittance: RemittanceStatus) -> [String: String] {
        ["reason": "\(run.period) of \(run.owner) replaced", "amount": String(remittance.amount.value),
         "batch": remittance.batchID ?? "", "was": remittance.state]
    }
}
