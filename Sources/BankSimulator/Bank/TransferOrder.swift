import SalurCore

/// The fields of a transfer request (services 17, 18, 22 and 23), checked for form.
struct TransferOrder: Sendable {
    let service: SNAPService
    let partnerReferenceNo: String
    let amount: Rupiah
    let beneficiaryAccountNo: String
    let beneficiaryBankCode: String?
    let beneficiaryAccountName: String?
    let sourceAccountNo: String
    let transactionDate: String

    /// Reads `body`; a missing field is 400xx02, a malformed one 400xx01.
    init(body: JSONValue, service: SNAPService) throws(Refusal) {
        self.service = service
        partnerReferenceNo = try body.requiredString("partnerReferenceNo", maxLength: 64)
        amount = try body.amount()
        beneficiaryAccountNo = try body.accountNumber("beneficiaryAccountNo")
        sourceAccountNo = try body.accountNumber("sourceAccountNo")
        transactionDate = try body.timestamp("transactionDate")
        _ = try body.optionalString("remark", maxLength: 50)
        if let info = body["additionalInfo"], info != .null, !info.isObject {
            throw Refusal(.invalidFieldFormat("additionalInfo"))
        }
        if service == .transferRTGS || service == .transferSKN {
            // Mandatory in 22 and 23: who the beneficiary is, for the clearing's reports to BI.
            guard ["1", "2"].contains(try body.requiredString("beneficiaryCustomerResidence", maxLength: 1)) else {
                throw Refusal(.invalidFieldFormat("beneficiaryCustomerResidence"))
            }
            guard ["1", "2", "3"].contains(try body.requiredString("beneficiaryCustomerType", maxLength: 1)) else {
                throw Refusal(.invalidFieldFormat("beneficiaryCustomerType"))
            }
        }
        if service.isToAnotherBank {
            let bankCode = try body.requiredString("beneficiaryBankCode", maxLength: 11)
            guard bankCode.count >= 3, bankCode.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isUppercase) }) else {
                throw Refusal(.invalidFieldFormat("beneficiaryBankCode"))
            }
            beneficiaryBankCode = bankCode
            beneficiaryAccountName = try body.requiredString("beneficiaryAccountName", maxLength: 100)
        } else {
            beneficiaryBankCode = nil
            beneficiaryAccountName = nil
        }
    }
}
