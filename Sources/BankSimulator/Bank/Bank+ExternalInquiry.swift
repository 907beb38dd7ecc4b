import SalurCore

extension Bank {
    /// Service 16: an account at another bank, as this bank learns it from the network. Only
    /// accounts in `--accounts` have a name here; without the list every well-formed number is an
    /// active account named `NASABAH <last 4 digits>`, as service 15 answers.
    func externalAccountInquiry(_ request: SimulatorRequest) throws(Refusal) -> SimulatorAnswer {
        let service = SNAPService.accountInquiryExternal
        let authorized = try authorize(request, service: service)
        let partnerReference = try authorized.body.optionalString("partnerReferenceNo", maxLength: 64)
        let bankCode = try authorized.body.requiredString("beneficiaryBankCode", maxLength: 11)
        guard bankCode.count >= 3, bankCode.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isUppercase) }) else {
            throw Refusal(.invalidFieldFormat("beneficiaryBankCode"))
        }
        let accountNo = try authorized.body.accountNumber("beneficiaryAccountNo")
        let changed = changedAccounts.withLock { $0[accountNo] }
        let name: String
        switch changed.map({ AccountDirectory.lookup($0.account) }) ?? directory.internalAccount(accountNo) {
        case .unknown: throw Refusal(.invalidAccount("beneficiaryAccountNo"))
        case .active(let holder): name = holder
        case .inactive: throw Refusal(.inactiveAccount)
        }
        var fields: [JSONMember] = []
        if let partnerReference { fields.append(JSONMember("partnerReferenceNo", .string(partnerReference))) }
        fields += [
            JSONMember("beneficiaryAccountNo", .string(accountNo)),
            JSONMember("beneficiaryAccountName", .string(name)),
            JSONMember("beneficiaryBankCode", .string(bankCode)),
        ]
        return answer(.successful, for: service, fields)
    }
}
