package import SalurCore

// Values a store returns, made from another module (SalurPostgres). Their synthesized memberwise
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
                             settledAt: String?, failureCode: String?, failureMessage: String?) -> TransferRecord {
        TransferRecord(transferID: transferID, partnerReferenceNo: partnerReferenceNo, externalID: externalID,
                       bankReferenceNo: bankReferenceNo, batchID: batchID, kind: kind, program: program, period: period, nik: nik,
                       name: name, accountNo: accountNo, bankCode: bankCode, amount: amount, state: state, attempts: attempts,
                       createdAt: createdAt, settledAt: settledAt, failureCode: failureCode, failureMessage: failureMessage)
    }
}
