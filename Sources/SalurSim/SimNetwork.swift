import BankSimulator
import Foundation
import SalurBank
import SalurCore
import Synchronization

/// How the simulated network between the engines and the bank behaves in one run.
struct NetworkProfile: Sendable, CustomStringConvertible {
    /// Each way, uniformly between these, in milliseconds.
    var minDelayMs: Int
    var maxDelayMs: Int
    /// Per cent of requests that take `slowDelayMs` one way instead (past a request timeout, often).
    var slowPercent: Int
    var slowDelayMs: Int
    /// Per cent of connections refused before anything is sent.
    var refusePercent: Int

    var description: String {
        "delay \(minDelayMs)–\(maxDelayMs) ms, \(slowPercent)% at \(slowDelayMs) ms, \(refusePercent)% refused"
    }
}

/// The wire between the simulated engines and the in-process bank. A request travels to the bank
/// in its own task on the network's executor, so that it arrives whatever its sender does meanwhile
/// (times out, crashes, freezes); the answer travels back the same way. Delays are drawn from the
/// seed, so requests sent together can arrive in any order, and answers too.
final class SimNetwork: Sendable {
    let bank: InProcessBank
    let clock: SimClock
    let random: RandomSource
    let profile: NetworkProfile
    let executor: SimExecutor
    let trace: SimTrace

    init(bank: InProcessBank, clock: SimClock, random: RandomSource, profile: NetworkProfile, executor: SimExecutor, trace: SimTrace) {
        self.bank = bank
        self.clock = clock
        self.random = random
        self.profile = profile
        self.executor = executor
        self.trace = trace
    }

    func percent(_ p: Int) -> Bool { p > 0 && Int(random.next() % 100) < p }

    func oneWayDelay() -> Duration {
        if percent(profile.slowPercent) { return .milliseconds(profile.slowDelayMs) }
        let span = UInt64(max(0, profile.maxDelayMs - profile.minDelayMs) + 1)
        return .milliseconds(profile.minDelayMs + Int(random.next() % span))
    }
}

/// One simulated process's HTTP client: `HTTPTransport` over `SimNetwork`, with CurlClient's
/// contract — at most `maxInFlight` requests at once (others wait, oldest first), the request's
/// `sendBy` fence checked when it gets a connection, a whole-request timeout, a response size
/// limit — and its failure split: `.notSent` only when nothing left.
final class SimTransport: HTTPTransport, @unchecked Sendable {
    // @unchecked: state behind Mutexes; `process` is immutable.
    private struct Slots {
        var free: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    let network: SimNetwork
    let process: SimProcessHandle
    let requestTimeout: Duration
    let maxResponseBytes: Int
    private let slots: Mutex<Slots>

    init(network: SimNetwork, process: SimProcessHandle, maxInFlight: Int, requestTimeoutMs: Int, maxResponseBytes: Int = 1 << 20) {
        self.network = network
        self.process = process
        requestTimeout = .milliseconds(requestTimeoutMs)
        self.maxResponseBytes = maxResponseBytes
        slots = Mutex(Slots(free: maxInFlight))
    }

    func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        await acquire()
        defer { release() }
        guard process.isAlive else { throw .notSent(reason: "the process is gone") }
        if let sendBy = request.sendBy, network.clock.now >= sendBy {
            throw HTTPClientError.sendDeadlinePassed("while it waited for a connection")
        }
        let leaving = request.departing()
        if network.percent(network.profile.refusePercent) {
            throw .notSent(reason: "connection refused (simulated)")
        }
        let exchange = Exchange()
        let uplink = network.oneWayDelay(), downlink = network.oneWayDelay()
        let started = network.clock.now
        let network = self.network
        let who = process.name
        // The request on the wire, then the bank, then the answer on the wire.
        Task(executorPreference: network.executor) {
            try? await network.clock.sleep(until: started + uplink, cancellable: false)
            let answer = network.bank.handle(method: leaving.method, uri: Self.pathAndQuery(leaving.url), headers: leaving.headers, body: leaving.body)
            network.trace.log(who, "bank answered \(Self.summary(answer)) to \(Self.pathAndQuery(leaving.url))")
            try? await network.clock.sleep(until: started + uplink + downlink, cancellable: false)
            exchange.finish(.answer(answer))
        }
        // The client's own timeout.
        let timeout = requestTimeout
        Task(executorPreference: network.executor) {
            try? await network.clock.sleep(until: started + timeout, cancellable: false)
            exchange.finish(.timedOut)
        }
        switch await exchange.wait() {
        case .timedOut:
            throw .outcomeUnknown(reason: "timed out after \(timeout) (simulated)")
        case .answer(.dropped):
            throw .outcomeUnknown(reason: "connection closed without an answer (simulated)")
        case .answer(.response(let status, let headers, let body)):
            if body.count > maxResponseBytes { throw .responseTooLarge(limit: maxResponseBytes) }
            var byName: [String: String] = [:]
            for header in headers { byName[header.name.lowercased()] = header.value }
            return HTTPResponse(status: status, headers: byName, body: body)
        }
    }

    private func acquire() async {
        let granted = slots.withLock { slots -> Bool in
            guard slots.free > 0 else { return false }
            slots.free -= 1
            return true
        }
        if granted { return }
        await withCheckedContinuation { continuation in
            let now = slots.withLock { slots -> Bool in
                if slots.free > 0 {
                    slots.free -= 1
                    return true
                }
                slots.waiting.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func release() {
        let next = slots.withLock { slots -> CheckedContinuation<Void, Never>? in
            if slots.waiting.isEmpty {
                slots.free += 1
                return nil
            }
            return slots.waiting.removeFirst()
        }
        next?.resume()
    }

    static func pathAndQuery(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return "/" }
        return String(rest[slash...])
    }

    static func summary(_ answer: InProcessBank.Answer) -> String {
        switch answer {
        case .dropped: "nothing (connection dropped)"
        case .response(let status, _, let body):
            "\(status) \(Self.responseCode(body) ?? "-")"
        }
    }

    static func responseCode(_ body: [UInt8]) -> String? {
        guard body.count < 4_096, let text = String(bytes: body, encoding: .utf8),
              let range = text.range(of: #""responseCode":""#) else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }
}

/// One request's outcome, whichever comes first: the answer or the client's timeout.
private final class Exchange: Sendable {
    enum Outcome: Sendable {
        case answer(InProcessBank.Answer)
        case timedOut
    }

    private struct State {
        var outcome: Outcome?
        var waiter: CheckedContinuation<Outcome, Never>?
    }

    private let state = Mutex(State())

    func finish(_ outcome: Outcome) {
        let waiter = state.withLock { state -> CheckedContinuation<Outcome, Never>? in
            guard state.outcome == nil else { return nil }
            state.outcome = outcome
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: outcome)
    }

    func wait() async -> Outcome {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Outcome? in
                if let outcome = state.outcome { return outcome }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
