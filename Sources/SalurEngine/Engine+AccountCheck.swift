import Foundation
import SalurBank
import SalurCore
import SalurStore

extension Engine {
    /// Confirms opened accounts with the bank (SNAP service 15) before money is sent to them:
    /// an inactive or unknown account is not paid; a name that differs is paid and shown.
    func checkAccounts(_ report: inout PassReport, settings: EngineSettings) async throws {
        let accounts = try await ledger.accountsToCheck(limit: settings.chunkSize)
        guard !accounts.isEmpty else { return }
        let results = await withTaskGroup(of: (AccountToCheck, AccountCheck, String?)?.self) { group in
            for account in accounts {
                group.addTask {
                    switch await self.bank.inquireAccount(account.accountNo) {
                    case .active(let name):
                        return (account, Engine.namesMatch(account.name, name) ? .active : .nameMismatch, name)
                    case .inactive(let name): return (account, .inactive, name)
                    case .unknown: return (account, .unknown, nil)
                    case .unavailable: return nil
                    }
                }
            }
            var all: [(AccountToCheck, AccountCheck, bankName: String?)] = []
            for await result in group {
                await beatIfDue()
                if let result { all.append((result.0, result.1, bankName: result.2)) }
            }
            return all
        }
        try await ledger.recordAccountChecks(results, now: Date())
        report.accountsChecked += results.count
        for (account, check, _) in results where !check.payable {
            logger.warning("account not payable", metadata: ["account": "\(Validate.maskedAccount(account.accountNo))", "check": "\(check.rawValue)"])
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
