import Foundation
import SalurBank
import SalurCore
import SalurEngine
import SalurStore
import Testing

/// The one place a bank's answer becomes a transfer's next state: each kind of answer, with the
/// counters that change what it means.
@Suite("Outcome policy: what each answer decides")
struct OutcomePolicyTests {
    static let now = Date(timeIntervalSince1970: 1_793_584_800)
    static let policy = OutcomePolicy(retry: RetryPolicy(baseDelayMs: 100, maxDelayMs: 8_000, maxAttempts: 3, inquiryDelayMs: 2_000,
                                                         notFoundSettleMs: 30_000))

    static func attempt(round: Int) -> ClaimedAttempt {
        ClaimedAttempt(transferID: 7, attemptNo: round, roundAttempt: round, externalID: "20261102000000000007", partnerReferenceNo: "SLRTEST0000000007",
                       kind: .intrabank, beneficiaryAccount: "001100000007", beneficiaryName: "Maria", beneficiaryBankCode: nil,
                       amount: Rupiah(300_000), remark: "BANSOS", batchID: "B-2026-11-0001")
    }

    static func decide(_ outcome: TransferOutcome, round: Int = 1) -> OutcomePolicy.Decision {
        var random = RandomSource(seed: 1).generator
        return policy.afterTransfer(outcome, of: attempt(round: round), at: now, random: &random)
    }

    @Test("booked: settled with the bank's reference; the breaker hears the bank is up")
    func settled() {
        let decision = Self.decide(.settled(bankReference: "REF1", code: "2001700"))
        #expect(decision.resolution.next == .settled)
        #expect(decision.resolution.bankReference == "REF1")
        #expect(decision.bankUnavailable == false)
    }

    @Test("unknown outcome: in doubt, asked about after the inquiry delay, never resent; 5xx and silence count against the bank, a 409 does not")
    func inDoubt() {
        let timeout = Self.decide(.inDoubt(code: "5041700", reason: "timeout"))
        #expect(timeout.resolution.next == .inDoubt)
        #expect(timeout.resolution.nextActionAt == Self.now.addingTimeInterval(2))
        #expect(timeout.bankUnavailable == true)
        #expect(timeout.log?.message == "transfer in doubt")
        #expect(Self.decide(.inDoubt(code: nil, reason: "no answer")).bankUnavailable == true)
        #expect(Self.decide(.inDoubt(code: "4091700", reason: "duplicate")).bankUnavailable == false)
        // Even on its last attempt a transfer in doubt is asked about, never failed.
        #expect(Self.decide(.inDoubt(code: nil, reason: "no answer"), round: 3).resolution.next == .inDoubt)
    }

    @Test("provably not booked: retried after backoff until max_attempts, then failed with the count and the reason")
    func notProcessed() throws {
        let early = Self.decide(.notProcessed(code: "5001700", reason: "General Error", retryAfterSeconds: nil, bankUnavailable: true), round: 2)
        #expect(early.resolution.next == .retryWait)
        let next = try #require(early.resolution.nextActionAt)
        #expect(next >= Self.now && next <= Self.now.addingTimeInterval(0.2))   // full jitter up to 100 ms × 2
        #expect(early.bankUnavailable == true)

        let retryAfter = Self.decide(.notProcessed(code: "4291700", reason: "Too Many Requests", retryAfterSeconds: 5, bankUnavailable: true))
        #expect(retryAfter.resolution.nextActionAt.map { $0 >= Self.now.addingTimeInterval(5) } == true)

        let last = Self.decide(.notProcessed(code: "5001700", reason: "General Error", retryAfterSeconds: nil, bankUnavailable: true), round: 3)
        #expect(last.resolution.next == .failed)
        #expect(last.resolution.message == "gave up after 3 attempts: General Error")
        #expect(last.log?.level == .error)
    }

    @Test("never left (fenced, client shut down): waits for its turn, counting towards neither max_attempts nor the breaker")
    func neverLeft() {
        let decision = Self.decide(.notProcessed(code: nil, reason: "shut down", retryAfterSeconds: nil, bankUnavailable: true, neverLeft: true),
                                   round: 3)
        #expect(decision.resolution.next == .retryWait)
        #expect(decision.resolution.neverLeft)
        #expect(decision.resolution.nextActionAt == Self.now)
        #expect(decision.bankUnavailable == nil)
    }

    @Test("cut-off: waits the longest backoff, not counted as an attempt; refused: failed; no funds: the batch is held")
    func cutOffRefusedNoFunds() {
        let cutOff = Self.decide(.afterCutOff(code: "4031706", reason: "Feature Not Allowed At This Time"), round: 3)
        #expect(cutOff.resolution.next == .retryWait)
        #expect(cutOff.resolution.neverLeft)
        #expect(cutOff.resolution.nextActionAt == Self.now.addingTimeInterval(8))
        #expect(cutOff.bankUnavailable == true)

        let refused = Self.decide(.rejected(code: "4031718", reason: "Inactive Account"))
        #expect(refused.resolution.next == .failed)
        #expect(refused.resolution.message == "Inactive Account")

        let poor = Self.decide(.insufficientFunds(code: "4031714", reason: "Insufficient Funds"))
        #expect(poor.resolution.next == .held)
        #expect(poor.resolution.holdBatch == "Insufficient Funds")
    }

    static func target(notFoundSoFar: Int, askReason: AskReason? = nil, startedAgo seconds: Double) -> InquiryTarget {
        InquiryTarget(transferID: 7, externalID: "20261102000000000007", partnerReferenceNo: "SLRTEST0000000007", kind: .intrabank,
                      amount: Rupiah(300_000), roundAttempts: 1, inquiriesSoFar: 1, attemptStartedAt: now.addingTimeInterval(-seconds),
                      notFoundAnswers: notFoundSoFar, askReason: askReason)
    }

    static func ask(_ outcome: InquiryOutcome, _ target: InquiryTarget, knownFor: TimeInterval = 3_600) -> OutcomePolicy.Decision {
        var random = RandomSource(seed: 1).generator
        return policy.afterInquiry(outcome, of: target, knownFor: knownFor, at: now, random: &random)
    }

    @Test("inquiry: not found is believed only twice after the settle point; failed means failed, unless it was a re-payment asked first")
    func inquiries() {
        let young = Self.ask(.notFound, Self.target(notFoundSoFar: 1, startedAgo: 10))
        #expect(young.resolution.next == .inDoubt)
        #expect(young.resolution.notFoundAnswer == false)
        let firstSettled = Self.ask(.notFound, Self.target(notFoundSoFar: 0, startedAgo: 40))
        #expect(firstSettled.resolution.next == .inDoubt && firstSettled.resolution.notFoundAnswer)
        #expect(Self.ask(.notFound, Self.target(notFoundSoFar: 1, startedAgo: 40)).resolution.next == .retryWait)
        // The wall clock says 40 s, but this engine has known the attempt for 5 s only: not yet.
        #expect(Self.ask(.notFound, Self.target(notFoundSoFar: 1, startedAgo: 40), knownFor: 5).resolution.next == .inDoubt)

        #expect(Self.ask(.failed(status: "06", reason: "Failed"), Self.target(notFoundSoFar: 0, startedAgo: 1)).resolution.next == .failed)
        #expect(Self.ask(.failed(status: "06", reason: "Failed"), Self.target(notFoundSoFar: 0, askReason: .retry, startedAgo: 1)).resolution.next
                == .retryWait)
        #expect(Self.ask(.settled(bankReference: "R"), Self.target(notFoundSoFar: 0, startedAgo: 1)).resolution.next == .settled)
        #expect(Self.ask(.pending(status: "03"), Self.target(notFoundSoFar: 0, startedAgo: 1)).resolution.next == .inDoubt)
        let unreadable = Self.ask(.unknown(reason: "another account", bankUnavailable: false), Self.target(notFoundSoFar: 0, startedAgo: 1))
        #expect(unreadable.resolution.next == .inDoubt)
        #expect(unreadable.log?.message == "inquiry answer not believed; transfer stays in doubt")
        #expect(Self.ask(.unknown(reason: "503", bankUnavailable: true), Self.target(notFoundSoFar: 0, startedAgo: 1)).bankUnavailable == true)
    }
}
