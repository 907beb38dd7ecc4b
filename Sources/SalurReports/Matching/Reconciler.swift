import SalurCore
package import SalurStore

/// Matches statement entries to transfers and names what does not add up.
///
/// Hash-based, so a million entries against a million transfers is a few dictionary look-ups
/// each, never a scan per entry:
/// 0. The bank's own items (interest, tax on it, fees; see `BankItemClassifier`) are set aside:
///    they pay no transfer and open no exception, even when their text carries a transfer's reference.
/// 1. References, in entry order: the entry's bank reference or customer reference, then any
///    reference-like word of its description, looked up among the transfers' bank references
///    (`referenceNo`) and Salur's partner references. A debit found this way pays that transfer;
///    a second debit for the same transfer is a duplicate payment; a credit is money coming back.
///    A whole-rupiah transfer is paid by a debit of exactly that amount `,00`: a debit that differs
///    by sen is `amount_differs`.
/// 2. Debits with no reference: (amount in sen, beneficiary account, day) among settled transfers, the
///    day being the entry's value or booking date or the day before (a bank may book a late
///    transfer the next morning). Marked `weak`.
/// 3. Settled transfers that no debit pays, `missingAfterDays` after settling.
package enum Reconciler {
    /// The outcome for `input`; pure, so it can run inside the store's transaction.
    package static func match(_ input: ReconciliationInput) -> ReconciliationOutcome {
        match(input, bankItems: BankItemClassifier())
    }

    /// What `match(_:bankItems:)` decides by, as `ReconciliationLedger.reconcile(matching:)` keeps
    /// it: this matching's version and the bank-item rules. A change to how entries are matched
    /// bumps the version, so that runs after an upgrade match again.
    package static func matchingKey(bankItems: BankItemClassifier) -> String {
        "reconciler 1\u{1E}" + bankItems.rules.map { "\($0.kind.rawValue)=\($0.text)" }.joined(separator: "\u{1E}")
    }

    /// The outcome for `input`, recognising the bank's own items with `bankItems`.
    package static func match(_ input: ReconciliationInput, bankItems: BankItemClassifier) -> ReconciliationOutcome {
        var state = MatchingState(input: input)
        let kinds = input.entries.map(bankItems.kind(of:))
        state.matchReferences(skipping: kinds)
        state.matchWeakly()
        state.findMissing()
        return ReconciliationOutcome(matches: state.matches, findings: state.findings, returnedTransfers: state.returned,
                                     bankItems: kinds)
    }
}

/// The work of one `Reconciler.match`.
private struct MatchingState {
    let input: ReconciliationInput
    let evidence: Evidence
    var matches: [EntryMatch?]
    var findings: [ReconciliationFinding] = []
    var returned: [Int64] = []
    /// Per transfer (by index): the entry (by index) that pays it, or -1.
    var payingEntry: [Int32]
    /// Debit entries (by index) with no reference found, for the weak pass.
    var unreferenced: [Int] = []

    private let byBankReference: ReferenceIndex
    private let byPartnerReference: ReferenceIndex

    init(input: ReconciliationInput) {
        self.input = input
        evidence = Evidence(statements: input.statements)
        matches = Array(repeating: nil, count: input.entries.count)
        payingEntry = Array(repeating: -1, count: input.transfers.count)
        let transfers = input.transfers
        byPartnerReference = ReferenceIndex(count: transfers.count) { ReferenceText.normalized(transfers[$0].partnerReferenceNo) }
        byBankReference = ReferenceIndex(count: transfers.count) { index in
            guard let bank = transfers[index].bankReferenceNo, !bank.isEmpty else { return nil }
            return ReferenceText.normalized(bank)
        }
    }

    /// The transfer an entry names, strongest evidence first.
    func referencedTransfer(_ entry: ReconciliationEntry) -> Int32? {
        let bank = ReferenceText.normalized(entry.bankReference)
        if !bank.isEmpty, let found = byBankReference[bank] ?? byPartnerReference[bank] { return found }
        let customer = ReferenceText.normalized(entry.customerReference)
        if !customer.isEmpty, let found = byPartnerReference[customer] ?? byBankReference[customer] { return found }
        guard !entry.description.isEmpty else { return nil }
        for token in ReferenceText.tokens(in: entry.description) {
            if let found = byPartnerReference[token] ?? byBankReference[token] { return found }
        }
        return nil
    }

    mutating func matchReferences(skipping bankItems: [BankItemKind?]) {
        for (index, entry) in input.entries.enumerated() where bankItems[index] == nil {
            guard let found = referencedTransfer(entry) else {
                if entry.isDebit { unreferenced.append(index) }
                continue
            }
            if entry.isDebit {
                pay(Int(found), with: index, kind: .reference)
            } else {
                giveBack(Int(found), with: index)
            }
        }
    }

    /// Records that debit `entryIndex` pays transfer `transferIndex`, and what that says.
    mutating func pay(_ transferIndex: Int, with entryIndex: Int, kind: MatchKind) {
        let transfer = input.transfers[transferIndex]
        let entry = input.entries[entryIndex]
        let weak = kind == .weak
        let first = payingEntry[transferIndex]
        if first >= 0 {
            matches[entryIndex] = EntryMatch(transferID: transfer.id, kind: .duplicate)
            let original = input.entries[Int(first)]
            findings.append(ReconciliationFinding(
                kind: .duplicatePayment, key: "duplicate_payment:E\(entry.id)", transferID: transfer.id, entryID: entry.id,
                otherEntryID: original.id, amount: entry.amount, day: entry.valueDate,
                evidence: "\(evidence.entry(entry)) pays \(evidence.transfer(transfer)) a second time; it was first paid by "
                    + "\(evidence.entry(original))\(weak ? evidence.weakNote : "")"))
            return
        }
        payingEntry[transferIndex] = Int32(entryIndex)
        matches[entryIndex] = EntryMatch(transferID: transfer.id, kind: kind)
        switch transfer.state {
        case .settled, .returned:
            let sent = Sen(exactly: transfer.amount)
            if entry.amountSen != sent {
                let difference = sent.flatMap { try? entry.amountSen.subtracting($0) } ?? .zero
                findings.append(ReconciliationFinding(
                    kind: .amountDiffers, key: "amount_differs:E\(entry.id)", transferID: transfer.id, entryID: entry.id,
                    amount: entry.amount, day: entry.valueDate,
                    evidence: "\(evidence.entry(entry)) is for \(evidence.transfer(transfer)), but Salur sent \(transfer.amount): "
                        + "the bank debited \(difference.value > 0 ? "+" : "")\(difference.plain) rupiah more"))
            }
        case .failed, .cancelled:
            findings.append(ReconciliationFinding(
                kind: .failedButDebited, key: "failed_but_debited:E\(entry.id)", transferID: transfer.id, entryID: entry.id,
                amount: entry.amount, day: entry.valueDate,
                evidence: "\(evidence.entry(entry)) is for \(evidence.transfer(transfer)), which Salur has as \(transfer.state.rawValue): "
                    + "the bank took the money although Salur holds the transfer as not paid\(weak ? evidence.weakNote : "")"))
        default:
            findings.append(ReconciliationFinding(
                kind: .debitedNotSettled, key: "debited_not_settled:E\(entry.id)", transferID: transfer.id, entryID: entry.id,
                amount: entry.amount, day: entry.valueDate,
                evidence: "\(evidence.entry(entry)) is for \(evidence.transfer(transfer)), which Salur has as \(transfer.state.rawValue), "
                    + "not settled; once the engine settles it, run salurctl reconcile again\(weak ? evidence.weakNote : "")"))
        }
    }

    /// Records that credit `entryIndex` gives transfer `transferIndex`'s money back.
    mutating func giveBack(_ transferIndex: Int, with entryIndex: Int) {
        let transfer = input.transfers[transferIndex]
        let entry = input.entries[entryIndex]
        matches[entryIndex] = EntryMatch(transferID: transfer.id, kind: .return)
        if transfer.state == .settled { returned.append(transfer.id) }
        findings.append(ReconciliationFinding(
            kind: .returned, key: "returned:E\(entry.id)", transferID: transfer.id, entryID: entry.id, amount: entry.amount,
            day: entry.valueDate,
            evidence: "\(evidence.entry(entry)) gives back \(evidence.transfer(transfer, showState: false)): the transfer is returned "
                + "and its recipient flagged; check the account with the recipient, then pay again or not"))
    }

    /// Weak key: the amount in sen, beneficiary account digits, day number.
    struct WeakKey: Hashable {
        let amount: Int64
        let account: String
        let day: Int
    }

    mutating func matchWeakly() {
        guard !unreferenced.isEmpty else { return }
        // What each unreferenced debit looks for: its accounts and days.
        var sought: [(accounts: [String], days: [Int])] = []
        sought.reserveCapacity(unreferenced.count)
        var wanted: Set<WeakKey> = []
        for entryIndex in unreferenced {
            let entry = input.entries[entryIndex]
            let accounts: [String]
            if let account = entry.counterpartyAccount.map(ReferenceText.digits), !account.isEmpty {
                accounts = [account]
            } else {
                accounts = ReferenceText.accountNumbers(in: entry.description)
            }
            var days = [entry.valueDate.dayNumber, entry.valueDate.dayNumber - 1]
            if let booking = entry.bookingDate?.dayNumber, !days.contains(booking) { days += [booking, booking - 1] }
            sought.append((accounts, days))
            for account in accounts {
                wanted.insert(WeakKey(amount: entry.amountSen.value, account: account, day: 0))
                for day in days { wanted.insert(WeakKey(amount: entry.amountSen.value, account: account, day: day)) }
            }
        }
        // Settled transfers (and any other with a settlement day) by amount, account and day, in id
        // order — only under the keys some debit looks for, so a few debits without references
        // cost no index of every transfer.
        var paid: [WeakKey: [Int32]] = [:]
        var unpaid: [WeakKey: [Int32]] = [:]
        for (index, transfer) in input.transfers.enumerated() {
            if transfer.state == .settled || transfer.state == .returned, let day = transfer.settledDay {
                guard let sen = Sen(exactly: transfer.amount) else { continue }
                let key = WeakKey(amount: sen.value, account: ReferenceText.digits(transfer.accountNo), day: day.dayNumber)
                if wanted.contains(key) { paid[key, default: []].append(Int32(index)) }
            } else if transfer.state == .failed || transfer.state == .cancelled || transfer.state == .inDoubt || transfer.state == .sending {
                // Never settled, so no settlement day: what may have been debited without Salur knowing.
                guard let sen = Sen(exactly: transfer.amount) else { continue }
                let key = WeakKey(amount: sen.value, account: ReferenceText.digits(transfer.accountNo), day: 0)
                if wanted.contains(key) { unpaid[key, default: []].append(Int32(index)) }
            }
        }
        for (entryIndex, (accounts, days)) in zip(unreferenced, sought) {
            let entry = input.entries[entryIndex]
            var unpaidCandidate: Int?
            var paidCandidate: Int?
            search: for account in accounts {
                for day in days {
                    guard let candidates = paid[WeakKey(amount: entry.amountSen.value, account: account, day: day)] else { continue }
                    for candidate in candidates {
                        if payingEntry[Int(candidate)] < 0 {
                            unpaidCandidate = Int(candidate)
                            break search
                        }
                        if paidCandidate == nil { paidCandidate = Int(candidate) }
                    }
                }
            }
            if let transfer = unpaidCandidate ?? paidCandidate {
                pay(transfer, with: entryIndex, kind: .weak)
                continue
            }
            let neverSettled = accounts.lazy.compactMap { unpaid[WeakKey(amount: entry.amountSen.value, account: $0, day: 0)]?.first }.first
            if let transfer = neverSettled, payingEntry[Int(transfer)] < 0 {
                pay(Int(transfer), with: entryIndex, kind: .weak)
                continue
            }
            findings.append(ReconciliationFinding(
                kind: .unknownDebit, key: "unknown_debit:E\(entry.id)", transferID: nil, entryID: entry.id, amount: entry.amount,
                day: entry.valueDate,
                evidence: "\(evidence.entry(entry)): no transfer carries its references, and no settled transfer has its amount, "
                    + "beneficiary account and day"))
        }
    }

    mutating func findMissing() {
        for (index, transfer) in input.transfers.enumerated()
        where payingEntry[index] < 0 && (transfer.state == .settled || transfer.state == .returned) {
            guard let day = transfer.settledDay, let due = day.adding(days: input.missingAfterDays), due <= input.today else { continue }
            findings.append(ReconciliationFinding(
                kind: .missingFromStatement, key: "missing_from_statement:T\(transfer.id)", transferID: transfer.id, entryID: nil,
                amount: transfer.amount, day: day,
                evidence: "\(evidence.transfer(transfer)) is on no imported statement, \(input.missingAfterDays) or more days after "
                    + "it settled (reconciliation.missing_after_days); import the statements that cover \(day), or ask the bank"))
        }
    }
}
