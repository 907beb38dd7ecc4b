import Foundation
import Logging
import SalurBank
import SalurCore
import SalurStore

extension Engine {
    /// Confirms opened accounts with the bank (SNAP service 15) before money is sent to them: an
    /// inactive or unknown account, or one whose status wording Salur does not recognise, is not
    /// paid — the transfers already queued to it are held with the reason (the store decides, by
    /// `AccountHold`); a name that differs is paid and shown.
    ///
    /// Accounts checked before are asked about again when due (`AccountRecheck`: `[engine]
    /// account_recheck_days`, and before a new period's first payment). An answer that says nothing
    /// about the account (a set-up error at the bank, no answer) records nothing: the account is asked
    /// about again on the next pass, and the reason is logged once per pass.
    func checkAccounts(_ report: inout PassReport, settings: EngineSettings) async throws {
        let recheck = AccountRecheck(now: clock.now, recheckDays: settings.accountRecheckDays)
        let accounts = try await ledger.accountsToCheck(limit: settings.chunkSize, recheck: recheck)
        guard !accounts.isEmpty else { return }
        let answers = await withTaskGroup(of: (AccountToCheck, AccountOutcome).self) { group in
            for account in accounts {
                group.addTask { (account, await self.bank.inquireAccount(account.accountNo)) }
            }
            var all: [(AccountToCheck, AccountOutcome)] = []
            for await answer in group {
                await beatIfDue()
                all.append(answer)
            }
            return all
        }
        let results = answers.compactMap { Engine.result(of: $0.1, for: $0.0) }
        var unanswered: [String: Int] = [:]
        for case (_, .unavailable(let reason)) in answers { unanswered[reason, default: 0] += 1 }
        for (reason, count) in unanswered.sorted(by: { $0.key < $1.key }) {
            logger.warning("account inquiry without an answer about the account; asked again", metadata: ["accounts": "\(count)", "reason": "\(reason)"])
        }
        try await ledger.recordAccountChecks(results, now: clock.now)
        report.accountsChecked += results.count
        for result in results where !result.check.payable {
            var metadata: Logger.Metadata = ["account": "\(Validate.maskedAccount(result.account.accountNo))", "check": "\(result.check.rawValue)"]
            if let status = result.bankStatus { metadata["status"] = "\(status)" }
            logger.warning("account not payable; transfers to it are held for an operator", metadata: metadata)
        }
    }

    /// What one answer makes of one account; nil when the bank gave no usable answer (asked again later).
    static func result(of outcome: AccountOutcome, for account: AccountToCheck) -> AccountCheckResult? {
        switch outcome {
        case .active(let name):
            return AccountCheckResult(account: account, check: namesMatch(account.name, name) ? .active : .nameMismatch,
                                      bankName: name, bankStatus: nil)
        case .inactive(let name, let status):
            return AccountCheckResult(account: account, check: .inactive, bankName: name, bankStatus: status)
        case .unrecognised(let status, let name):
            return AccountCheckResult(account: account, check: .unrecognised, bankName: name, bankStatus: status)
        case .unknown:
            return AccountCheckResult(account: account, check: .unknown, bankName: nil, bankStatus: nil)
        case .unavailable:
            return nil
        }
    }

    /// Names match when, ignoring case, punctuation and spacing, one is the other (banks often
    /// store names upper-cased and without titles).
    static func namesMatch(_ ours: String, _ bank: String) -> Bool {
        func normal(_ s: String) -> String { String(s.uppercased().unicodeScalars.filter { CharacterSet.letters.contains($0) }.map(Character.init)) }
        let a = normal(ours), b = normal(bank)
        return !a.isEmpty && !b.isEmpty && (a == b || a.contains(b) || b.contains(a))
    }
}
