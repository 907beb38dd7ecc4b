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
