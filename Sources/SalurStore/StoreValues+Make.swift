package import SalurCore

// Values a store returns, made from another module (SalurSQLite, SalurPostgres). Their synthesized memberwise
// initializers are internal to SalurStore, and an extension cannot redeclare them as `package`, so
// each gets a `make` with the same parameters.

extension AuditEntry {
    package static func make(seq: Int64, at: String, actor: String, action: String, subject: String, details: String,
                             prevHash: String, hash: String) -> AuditEntry {
        AuditEntry(seq: seq, at: at, actor: actor, action: action, subject: subject, details: details, prevHash: prevHash, hash: hash)
    }
}

extension AuditVerification {
    package static func make(rows: Int, headHash: String) -> AuditVerification {
        AuditVerification(rows: rows, headHash: headHash)
    }
}

extension OpeningRequest {
    package static func make(nik: String, name: String, district: String, phone: String) -> OpeningRequest {
        OpeningRequest(nik: nik, name: name, district: district, phone: phone)
    }
}

extension StoredRecipient {
    package static func make(id: Int64, recipient: Recipient, updatedAt: String) -> StoredRecipient {
        StoredRecipient(id: id, recipient: recipient, updatedAt: updatedAt)
    }
}

extension SkippedRecipient {
    package static func make(nik: String, name: String, state: String, reason: String?) -> SkippedRecipient {
        SkippedRecipient(nik: nik, name: name, state: state, reason: reason)
    }
}

extension BatchSummary {
    package static func make(id: String, program: String, period: String, state: String, itemCount: Int, amount: Rupiah,
                             makers: String, approvedBy: String?, approvedAt: String?, holdReason: String?, createdAt: String,
                             transfers: [String: StateTotal]) -> BatchSummary {
        BatchSummary(id: id, program: program, period: period, state: state, itemCount: itemCount, amount: amount, makers: makers,
                     approvedBy: approvedBy, approvedAt: approvedAt, holdReason: holdReason, createdAt: createdAt, transfers: transfers)
    }
}

extension TransferRecord {
    package static func make(transferID: Int64, partnerReferenceNo: String, externalID: String?, bankReferenceNo: String?,
                             batchID: String?, kind: String, program: String, period: String, nik: String?, name: String,
                             accountNo: String, bankCode: String?, amount: Rupiah, state: String, attempts: Int, createdAt: String,
                             settledAt: String?, failureCode: String?, failureMessage: String?, service: String? = nil) -> TransferRecord {
        TransferRecord(transferID: transferID, partnerReferenceNo: partnerReferenceNo, externalID: externalID,
                       bankReferenceNo: bankReferenceNo, batchID: batchID, kind: kind, program: program, period: period, nik: nik,
                       name: name, accountNo: accountNo, bankCode: bankCode, amount: amount, state: state, attempts: attempts,
                       createdAt: createdAt, settledAt: settledAt, failureCode: failureCode, failureMessage: failureMessage,
                       service: TransferService.stored(service, kind: TransferKind(rawValue: kind) ?? .intrabank).rawValue)
    }
}

// Reconciliation values (PostgresLedger+Reconciliation*.swift).

extension ReconciliationException {
    package static func make(id: Int64, kind: String, state: String, amount: Int64, day: String, evidence: String, transferID: Int64?,
                             partnerReferenceNo: String?, transferState: String?, nik: String?, name: String?, entryID: Int64?,
                             statementId: String?, statementLine: Int?, detectedAt: String, resolvedBy: String?, resolvedAt: String?,
                             resolution: String?, clearedAt: String?) -> ReconciliationException {
        ReconciliationException(id: id, kind: kind, state: state, amount: amount, day: day, evidence: evidence, transferID: transferID,
                                partnerReferenceNo: partnerReferenceNo, transferState: transferState, nik: nik, name: name,
                                entryID: entryID, statementId: statementId, statementLine: statementLine, detectedAt: detectedAt,
                                resolvedBy: resolvedBy, resolvedAt: resolvedAt, resolution: resolution, clearedAt: clearedAt)
    }
}

extension FlaggedRecipient {
    package static func make(exceptionID: Int64, recipientID: Int64?, nik: String?, name: String, accountNo: String, transferID: Int64,
                             partnerReferenceNo: String, amount: Int64, returnedOn: String, evidence: String) -> FlaggedRecipient {
        FlaggedRecipient(exceptionID: exceptionID, recipientID: recipientID, nik: nik, name: name, accountNo: accountNo,
                         transferID: transferID, partnerReferenceNo: partnerReferenceNo, amount: amount, returnedOn: returnedOn,
                         evidence: evidence)
    }
}

extension ReconciledTransfer {
    package static func make(transfer: TransferRecord, entry: MatchedEntry?, matchKind: String, duplicates: Int, openExceptions: [String],
                             recipientFlagged: Bool) -> ReconciledTransfer {
        ReconciledTransfer(transfer: transfer, entry: entry, matchKind: matchKind, duplicates: duplicates, openExceptions: openExceptions,
                           recipientFlagged: recipientFlagged)
    }
}

extension MatchedEntry {
    package static func make(entryID: Int64, statementId: String, sequence: String, line: Int, sourceFile: String, valueDate: String,
                             bankReference: String, amount: Int64) -> MatchedEntry {
        MatchedEntry(entryID: entryID, statementId: statementId, sequence: sequence, line: line, sourceFile: sourceFile,
                     valueDate: valueDate, bankReference: bankReference, amount: amount)
    }
}

extension StatementCheck {
    package static func make(rowID: Int64, accountNo: String, statementId: String, sequence: String, format: String, openingDate: String,
                             closingDate: String, openingBalance: Int64, creditCount: Int, creditTotal: Int64, debitCount: Int,
                             debitTotal: Int64, closingBalance: Int64, balanced: Bool, gapFromPrevious: Int64?, matchedDebits: Int,
                             matchedAmount: Int64, weakDebits: Int, duplicateDebits: Int, unmatchedDebits: Int, unmatchedAmount: Int64,
                             returns: Int, openExceptions: Int, sourceFile: String, fileSHA256: String, importedBy: String,
                             importedAt: String) -> StatementCheck {
        StatementCheck(rowID: rowID, accountNo: accountNo, statementId: statementId, sequence: sequence, format: format,
                       openingDate: openingDate, closingDate: closingDate, openingBalance: openingBalance, creditCount: creditCount,
                       creditTotal: creditTotal, debitCount: debitCount, debitTotal: debitTotal, closingBalance: closingBalance,
                       balanced: balanced, gapFromPrevious: gapFromPrevious, matchedDebits: matchedDebits, matchedAmount: matchedAmount,
                       weakDebits: weakDebits, duplicateDebits: duplicateDebits, unmatchedDebits: unmatchedDebits,
                       unmatchedAmount: unmatchedAmount, returns: returns, openExceptions: openExceptions, sourceFile: sourceFile,
                       fileSHA256: fileSHA256, importedBy: importedBy, importedAt: importedAt)
    }
}

extension StoredAgreement {
    package static func make(agreement: Agreement, createdBy: String, createdAt: String) -> StoredAgreement {
        StoredAgreement(agreement: agreement, createdBy: createdBy, createdAt: createdAt)
    }
}

extension StoredBudget {
    package static func make(budget: BudgetEnvelope, use: EnvelopeUse, createdBy: String, createdAt: String) -> StoredBudget {
        StoredBudget(budget: budget, use: use, createdBy: createdBy, createdAt: createdAt)
    }
}

extension PremiumRunSummary {
    package static func make(id: Int64, kind: PremiumRunKind, agreementID: String?, budgetID: String?, period: Period, revision: Int,
                             sourcePath: String, sourceSHA256: String, lines: Int, employerTotal: Rupiah, employeeTotal: Rupiah,
                             grandTotal: Rupiah, importedBy: String, importedAt: String, remittance: RemittanceStatus?) -> PremiumRunSummary {
        PremiumRunSummary(id: id, kind: kind, agreementID: agreementID, budgetID: budgetID, period: period, revision: revision,
                          sourcePath: sourcePath, sourceSHA256: sourceSHA256, lines: lines, employerTotal: employerTotal,
                          employeeTotal: employeeTotal, grandTotal: grandTotal, importedBy: importedBy, importedAt: importedAt,
                          remittance: remittance)
    }
}

extension RemittanceStatus {
    package static func make(transferID: Int64, partnerReferenceNo: String, state: String, batchID: String?, amount: Rupiah,
                             attempts: Int, settledAt: String?) -> RemittanceStatus {
        RemittanceStatus(transferID: transferID, partnerReferenceNo: partnerReferenceNo, state: state, batchID: batchID, amount: amount,
                         attempts: attempts, settledAt: settledAt)
    }
}

extension PremiumImportResult {
    package static func make(outcome: PremiumImportOutcome, run: PremiumRunSummary) -> PremiumImportResult {
        PremiumImportResult(outcome: outcome, run: run)
    }
}

extension WorkUnitTotal {
    package static func make(workUnit: String, headcount: Int, employerTotal: Rupiah, employeeTotal: Rupiah, total: Rupiah) -> WorkUnitTotal {
        WorkUnitTotal(workUnit: workUnit, headcount: headcount, employerTotal: employerTotal, employeeTotal: employeeTotal, total: total)
    }
}

extension PayrollReport {
    package static func make(agreement: Agreement, run: PremiumRunSummary, totals: PremiumTotals, workUnits: [WorkUnitTotal]) -> PayrollReport {
        PayrollReport(agreement: agreement, run: run, totals: totals, workUnits: workUnits)
    }
}

extension DeductionRow {
    package static func make(line: Int, employeeID: String, nik: String, name: String, workUnit: String, riskClass: Int, wage: Rupiah,
                             premiums: PremiumLines) -> DeductionRow {
        DeductionRow(line: line, employeeID: employeeID, nik: nik, name: name, workUnit: workUnit, riskClass: riskClass, wage: wage,
                     premiums: premiums)
    }
}

extension RemitResult {
    package static func make(queued: Bool, run: PremiumRunSummary, remittance: RemittanceStatus, beneficiaryAccount: String,
                             beneficiaryBankCode: String, batches: [String]) -> RemitResult {
        RemitResult(queued: queued, run: run, remittance: remittance, beneficiaryAccount: beneficiaryAccount,
                    beneficiaryBankCode: beneficiaryBankCode, batches: batches)
    }
}
