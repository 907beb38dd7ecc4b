import SalurBank

/// A rule — or an assumption the rules rest on — deliberately broken, to show that the simulator finds
/// what breaking it costs. Applied between the real SNAP client and the real engine, or to the simulated
/// world, so that Salur's own code carries no switch for it.
package enum Mutation: String, Sendable, CaseIterable {
    /// A transfer whose outcome is unknown (timeout, dropped connection, unreadable answer) is taken
    /// as "not processed" and sent again without asking the bank first.
    case timeoutAsNotProcessed = "timeout-as-not-processed"
    /// A status inquiry that finds nothing is believed at once ("not found" ⇒ send again), without
    /// waiting for the attempt's settle point.
    case notFoundBelievedAtOnce = "not-found-believed-at-once"
    /// The network delivers some requests to the bank later than `retry.not_found_settle_ms` after they
    /// left — the bound the configuration promises and the "not found" rule rests on.
    case bankLaterThanSettle = "bank-later-than-settle"
}

/// The real bank client with one rule of the outcome policy broken (`Mutation`).
struct MutatedBank: BankAdapter {
    let inner: any BankAdapter
    let mutation: Mutation

    func transfer(_ instruction: TransferInstruction) async -> TransferOutcome {
        let outcome = await inner.transfer(instruction)
        if mutation == .timeoutAsNotProcessed, case .inDoubt(let code, let reason) = outcome {
            return .notProcessed(code: code, reason: "\(reason) (mutated: taken as not processed)", retryAfterSeconds: nil,
                                 bankUnavailable: true)
        }
        return outcome
    }

    func inquire(_ query: StatusQuery) async -> InquiryOutcome {
        let outcome = await inner.inquire(query)
        if mutation == .notFoundBelievedAtOnce, case .notFound = outcome {
            // Answered as a definite "failed, nothing moved": the engine sends again at once.
            return .failed(status: "06", reason: "not found (mutated: believed at once)")
        }
        return outcome
    }

    func availableBalance() async -> BalanceOutcome { await inner.availableBalance() }

    func inquireAccount(_ accountNo: String) async -> AccountOutcome { await inner.inquireAccount(accountNo) }

    func inquireExternalAccount(bankCode: String, accountNo: String) async -> AccountOutcome {
        await inner.inquireExternalAccount(bankCode: bankCode, accountNo: accountNo)
    }
}
