import SalurCore

extension Bank {
    /// Service 36: the latest transfer matching the original references, looked up by
    /// `originalReferenceNo`, else `originalExternalId`, else `originalPartnerReferenceNo`, for
    /// the given `serviceCode`.
    ///
    /// `latestTransactionStatus`: `00` settled, `03` pending, `06` failed, and `07` when nothing
    /// matches — still answered 200 `2003600`, as SNAP's status inquiry reports "not found" as a
    /// successful inquiry about a missing transaction.
    func transferStatus(_ request: SimulatorRequest) throws(Refusal) -> SimulatorAnswer {
        let service = SNAPService.transferStatus
        let authorized = try authorize(request, service: service)
        let body = authorized.body
        let partnerReference = try body.optionalString("originalPartnerReferenceNo", maxLength: 64)
        let referenceNo = try body.optionalString("originalReferenceNo", maxLength: 64)
        let externalID = try body.optionalString("originalExternalId", maxLength: 36)
        guard partnerReference != nil || referenceNo != nil || externalID != nil else {
            throw Refusal(.invalidMandatoryField("originalPartnerReferenceNo"))
        }
        let code = try body.requiredString("serviceCode", maxLength: 2)
        guard let original = SNAPService(rawValue: code), original.isTransfer else {
            throw Refusal(.invalidFieldFormat("serviceCode"))
        }
        let requestedAmount: Rupiah? = body["amount"] == nil || body["amount"] == .null ? nil : try body.amount()

        let now = clock.now
        let record: LedgerRecord? = state.withLock { state in
            state.settleDue(at: now)
            let candidates: [Int]
            if let referenceNo {
                candidates = state.indexByReferenceNo[referenceNo].map { [$0] } ?? []
            } else if let externalID {
                candidates = state.indicesByExternalID[externalID, default: []]
            } else {
                candidates = state.indicesByPartnerReference[partnerReference ?? "", default: []]
            }
            for index in candidates.reversed() {
                let record = state.records[index]
                if record.entry.service == original
                    && (partnerReference == nil || record.entry.partnerReferenceNo == partnerReference)
                    && (externalID == nil || record.entry.externalId == externalID) {
                    return record
                }
            }
            return nil
        }

        guard let record else {
            var fields: [JSONMember] = []
            if let partnerReference { fields.append(JSONMember("originalPartnerReferenceNo", .string(partnerReference))) }
            if let externalID { fields.append(JSONMember("originalExternalId", .string(externalID))) }
            fields += [
                JSONMember("serviceCode", .string(original.code)),
                JSONMember("amount", Self.amountJSON(requestedAmount ?? .zero)),
                JSONMember("latestTransactionStatus", "07"),
                JSONMember("transactionStatusDesc", "Not Found"),
            ]
            return answer(.successful, for: service, fields)
        }
        let entry = record.entry
        let (status, description): (String, String) = switch (entry.status, record.reversedStatus) {
        case (.failed, "04"?): ("04", "Refunded")
        case (.failed, "05"?): ("05", "Cancelled")
        case (.settled, _): ("00", "Success")
        case (.pending, _): ("03", "Pending")
        case (.failed, _): ("06", "Failed")
        }
        var fields = [
            JSONMember("originalReferenceNo", .string(entry.referenceNo)),
            JSONMember("originalPartnerReferenceNo", .string(entry.partnerReferenceNo)),
            JSONMember("originalExternalId", .string(entry.externalId)),
            JSONMember("serviceCode", .string(original.code)),
            JSONMember("transactionDate", .string(record.transactionDate)),
            JSONMember("amount", Self.amountJSON(entry.amount)),
            JSONMember("beneficiaryAccountNo", .string(entry.beneficiaryAccountNo)),
        ]
        if let bankCode = entry.beneficiaryBankCode { fields.append(JSONMember("beneficiaryBankCode", .string(bankCode))) }
        fields.append(JSONMember("sourceAccountNo", .string(entry.sourceAccountNo)))
        if let answeredCode = record.answeredCode { fields.append(JSONMember("previousResponseCode", .string(answeredCode))) }
        fields += [
            JSONMember("latestTransactionStatus", .string(status)),
            JSONMember("transactionStatusDesc", .string(description)),
        ]
        return answer(.successful, for: service, fields)
    }
}
