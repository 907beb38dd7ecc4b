import SalurCore

extension Bank {
    /// Service 15: whether an account at this bank exists, its holder's name and status.
    func accountInquiry(_ request: SimulatorRequest) throws(Refusal) -> SimulatorAnswer {
        let service = SNAPService.accountInquiryInternal
        let authorized = try authorize(request, service: service)
        let partnerReference = try authorized.body.optionalString("partnerReferenceNo", maxLength: 64)
        let accountNo = try authorized.body.accountNumber("beneficiaryAccountNo")
        if let refusal = accountAnswers.withLock({ $0.refusals[accountNo] }) { throw Refusal(refusal.status) }
        let (name, status): (String, String?)
        let changed = changedAccounts.withLock { $0[accountNo] }
        switch changed.map({ AccountDirectory.lookup($0.account) }) ?? directory.internalAccount(accountNo) {
        case .unknown: throw Refusal(.invalidAccount("beneficiaryAccountNo"))
        case .active(let holder): (name, status) = (holder, changed?.statusText ?? config.activeStatusText)
        case .inactive(let holder): (name, status) = (holder, changed?.statusText ?? config.inactiveStatusText)
        }
        var fields: [JSONMember] = []
        if let partnerReference { fields.append(JSONMember("partnerReferenceNo", .string(partnerReference))) }
        fields += [
            JSONMember("beneficiaryAccountNo", .string(accountNo)),
            JSONMember("beneficiaryAccountName", .string(name)),
        ]
        if let status { fields.append(JSONMember("beneficiaryAccountStatus", .string(status))) }
        return answer(.successful, for: service, fields)
    }

    /// Service 11: the source account's balance. `amount` is the ledger balance (settled debits
    /// taken off); `availableBalance` also takes off pending ones.
    func balanceInquiry(_ request: SimulatorRequest) throws(Refusal) -> SimulatorAnswer {
        let service = SNAPService.balanceInquiry
        let authorized = try authorize(request, service: service)
        let partnerReference = try authorized.body.optionalString("partnerReferenceNo", maxLength: 64)
        let accountNo = try authorized.body.accountNumber("accountNo")
        guard accountNo == config.sourceAccountNo else { throw Refusal(.invalidAccount("accountNo")) }
        let now = clock.now
        let (ledger, available) = state.withLock { state in
            state.settleDue(at: now)
            return (state.ledgerBalance, state.availableBalance)
        }
        var fields: [JSONMember] = []
        if let partnerReference { fields.append(JSONMember("partnerReferenceNo", .string(partnerReference))) }
        fields += [
            JSONMember("accountNo", .string(accountNo)),
            JSONMember("accountInfos", [[
                "balanceType": "Cash",
                "amount": Self.amountJSON(ledger),
                "availableBalance": Self.amountJSON(available),
                "status": .string(accountAnswers.withLock { $0.sourceStatus }),
            ]]),
        ]
        return answer(.successful, for: service, fields)
    }
}

/// What the bank answers about accounts beside their directory entries.
struct AccountAnswers {
    /// Account inquiries refused, by account number.
    var refusals: [String: AccountRefusal] = [:]
    /// The source account's `status` in the balance inquiry: 0001 active, 0002 closed, 0004 new,
    /// 0006 restricted, 0007 frozen, 0009 dormant.
    var sourceStatus = "0001"
}
