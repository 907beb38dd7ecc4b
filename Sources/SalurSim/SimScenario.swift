import BankSimulator
import Foundation
import SalurCore
import SalurEngine
import SalurStore

/// Everything one seed decides before the run starts: the treasury, the bank, the network, the
/// engine's settings, and when processes crash, freeze, are restored from a backup.
struct SimScenario: CustomStringConvertible {
    enum Event: CustomStringConvertible {
        /// `kill -9` of the running engine, and a new one `after` later.
        case crash(restartAfter: Duration)
        /// SIGSTOP of the running engine for `for`, then SIGCONT.
        case freeze(for: Duration)
        /// A copy of the database as committed now.
        case backup
        /// The engine killed, the last backup put back in place of the database (`nextDay`: the
        /// clock first moves on a day), and a new engine started `after` later.
        case restore(nextDay: Bool, restartAfter: Duration)
        /// An operator holds the `batch`-th batch (counting from 0, modulo how many there are), or releases it.
        case hold(batch: Int)
        case release(batch: Int)
        /// An operator cancels the `batch`-th batch (refused while any of its transfers is in flight or in doubt).
        case cancel(batch: Int)
        /// An operator queues the failed transfers again (`transfers retry --failed`).
        case retryFailed
        /// The bank blocks the `recipient`-th recipient's account, or reopens it.
        case blockAccount(recipient: Int)
        case reopenAccount(recipient: Int)
        /// The bank closes its window for transfers (cut-off), or opens it again.
        case cutOff(closed: Bool)

        var description: String {
            switch self {
            case .hold(let b): "operator holds batch #\(b)"
            case .release(let b): "operator releases batch #\(b)"
            case .cancel(let b): "operator cancels batch #\(b)"
            case .retryFailed: "operator retries the failed transfers"
            case .blockAccount(let r): "bank blocks recipient #\(r)'s account"
            case .reopenAccount(let r): "bank reopens recipient #\(r)'s account"
            case .cutOff(let closed): closed ? "bank cut-off" : "bank window reopens"
            case .crash(let after): "crash (restart after \(after))"
            case .freeze(let d): "freeze for \(d)"
            case .backup: "backup"
            case .restore(let nextDay, let after): "restore\(nextDay ? " next day" : "") (restart after \(after))"
            }
        }
    }

    var transfers: Int
    var amount: Rupiah
    var batchMaxItems: Int
    var faults: FaultRates
    var dedupeReference: Bool
    var settleAfterMs: Int
    var retryAfterSeconds: Int
    var network: NetworkProfile
    var settings: EngineSettings
    var requestTimeoutMs: Int
    var events: [(at: Duration, event: Event)]

    var description: String {
        let faultText = SimulatedFault.allCases.filter { faults[$0] > 0 }.map { "\($0.rawValue) \(faults[$0])%" }.joined(separator: ", ")
        return """
            \(transfers) transfers of \(amount) in batches of \(batchMaxItems); bank: \(faultText.isEmpty ? "no faults" : faultText), \
            \(dedupeReference ? "refuses" : "books") a repeated reference, pending settles after \(settleAfterMs) ms; \
            network: \(network); engine: \(settings.maxInFlight) in flight, chunk \(settings.chunkSize), \
            max \(settings.retry.maxAttempts) attempts, request timeout \(requestTimeoutMs) ms, settle \(settings.retry.notFoundSettleMs) ms; \
            events: \(events.isEmpty ? "none" : events.map { "\($0.event) at \($0.at)" }.joined(separator: "; "))
            """
    }

    /// The scenario of `seed`: drawn from its own generator, so that the same seed gives the same scenario.
    init(seed: UInt64, mutation: Mutation? = nil) {
        let random = RandomSource(seed: seed ^ 0x5A17_5EED)
        func pick(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(random.next() % UInt64(range.count)) }
        func chance(_ percent: Int) -> Bool { pick(0...99) < percent }

        transfers = pick(3...40)
        amount = Rupiah(Int64(pick(1...20)) * 50_000)
        batchMaxItems = pick(2...15)
        var faults = FaultRates.none
        if chance(85) {
            for fault in SimulatedFault.allCases where chance(50) {
                faults[fault] = fault == .hugeBody ? pick(0...2) : pick(1...12)
            }
        }
        self.faults = faults
        dedupeReference = chance(50)
        settleAfterMs = pick(0...3_000)
        retryAfterSeconds = pick(0...2)
        requestTimeoutMs = pick(1_000...5_000)
        let settle = requestTimeoutMs + pick(500...20_000)
        // Slow requests reach the bank after the client has given up on them, but within the settle time:
        // `not_found_settle_ms` is the bound the operator promises on how late a bank may book a request.
        network = NetworkProfile(minDelayMs: pick(0...20), maxDelayMs: pick(20...400), slowPercent: chance(40) ? pick(1...10) : 0,
                                 slowDelayMs: pick(1_000...min(8_000, settle - 100)), refusePercent: chance(30) ? pick(1...10) : 0)
        if mutation == .bankLaterThanSettle {
            network.slowPercent = pick(5...20)
            network.slowDelayMs = settle + pick(1_000...10_000)
        }
        let maxInFlight = pick(1...8)
        settings = EngineSettings(
            batching: BatchingRules(maxItems: batchMaxItems, maxAmount: Rupiah(1_000_000_000), approvalRequired: true),
            retry: RetryPolicy(baseDelayMs: pick(10...500), maxDelayMs: pick(1_000...10_000), maxAttempts: pick(2...8),
                               inquiryDelayMs: pick(100...3_000), notFoundSettleMs: settle),
            breakerThreshold: pick(3...50), breakerCooldownMs: pick(100...5_000), chunkSize: pick(1...16), maxInFlight: maxInFlight,
            pollIntervalMs: pick(100...2_000), requestTimeoutMs: requestTimeoutMs)

        var events: [(at: Duration, event: Event)] = []
        for _ in 0..<pick(0...3) where chance(70) {
            events.append((.milliseconds(pick(0...40_000)), .crash(restartAfter: .milliseconds(pick(0...10_000)))))
        }
        for _ in 0..<pick(0...2) where chance(50) {
            // Often past the departure window, so that what the frozen engine had claimed must not leave on waking.
            events.append((.milliseconds(pick(0...40_000)), .freeze(for: .milliseconds(pick(100...2 * settle)))))
        }
        if chance(30) {
            let backupAt = pick(0...20_000)
            events.append((.milliseconds(backupAt), .backup))
            events.append((.milliseconds(backupAt + pick(1...30_000)),
                           .restore(nextDay: chance(40), restartAfter: .milliseconds(pick(0...5_000)))))
        }
        self.events = events.sorted { $0.at < $1.at }
    }
}
