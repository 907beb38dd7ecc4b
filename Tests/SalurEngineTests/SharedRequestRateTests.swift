import Foundation
import SalurBank
import SalurCore
import SalurPostgres
import SalurStore
import SalurTestSupport
import Synchronization
import Testing

/// `[bank] max_requests_per_second` shared by the engines on one PostgreSQL database: each reserves
/// blocks of slots from the row `request_rate`, so that together they never pass the limit, and
/// the bank's Retry-After, written to the same row, holds every engine back. On a manual clock
/// (the database's timeline driven by it too): nothing here waits for real.
@Suite("Request rate shared on PostgreSQL", .enabled(if: PostgresScratch.isEnabled))
struct SharedRequestRateTests {
    /// A monotonic clock that moves only when told, or to a sleeper's deadline.
    final class ManualTime: MonotonicTime {
        let base = ContinuousClock.now
        let offset = Mutex(Duration.zero)
        var now: ContinuousClock.Instant { base + offset.withLock { $0 } }
        func advance(_ d: Duration) { offset.withLock { $0 += d } }
        func sleep(until deadline: ContinuousClock.Instant) async throws {
            offset.withLock { if base + $0 < deadline { $0 = deadline - base } }
        }
        /// The manual time as microseconds on the database's timeline (an arbitrary epoch).
        var micros: Int64 {
            let d = now - base
            return 1_000_000_000_000 + d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000
        }
    }

    /// One engine's view of the shared slots: its own ledger (own pool), the manual clock as "now".
    struct ManualSlots: SharedRequestSlots {
        let ledger: PostgresLedger
        let time: ManualTime
        func reserveSlots(count: Int, spacing: Duration) async throws -> Duration {
            let micros = spacing.components.seconds * 1_000_000 + spacing.components.attoseconds / 1_000_000_000_000
            return .microseconds(try await ledger.reserveRequestSlots(count: count, spacingMicroseconds: micros, now: time.micros))
        }
        func pause(for wait: Duration) async throws {
            try await ledger.pauseRequests(microseconds: wait.components.seconds * 1_000_000, now: time.micros)
        }
    }

    /// Answers the token request; to anything else 200, or 429 with Retry-After: 3 when told. Counts
    /// the requests it gets by the (manual) second they arrive in.
    final class CountingBank: HTTPTransport {
        let time: ManualTime
        let arrivals = Mutex<[Duration]>([])
        let throttle = Mutex(false)
        init(time: ManualTime) { self.time = time }
        func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
            if request.url.hasSuffix("/access-token/b2b") {
                let body = #"{"responseCode":"2007300","responseMessage":"Successful","accessToken":"t","tokenType":"Bearer","expiresIn":"900"}"#
                return HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: Array(body.utf8))
            }
            arrivals.withLock { $0.append(time.now - time.base) }
            if throttle.withLock({ $0 }) {
                return HTTPResponse(status: 429, headers: ["content-type": "application/json", "retry-after": "3"],
                                    body: Array(#"{"responseCode":"4291500","responseMessage":"Too Many Requests"}"#.utf8))
            }
            return HTTPResponse(status: 200, headers: ["content-type": "application/json"],
                                body: Array(#"{"responseCode":"2001500","responseMessage":"Successful","accountInfos":[]}"#.utf8))
        }
    }

    static func ledgers(_ count: Int) async throws -> [PostgresLedger] {
        let target = try await PostgresScratch.freshTarget(prefix: "rate")
        var all: [PostgresLedger] = []
        for _ in 0..<count { all.append(try await PostgresLedger(target: target, maximumConnections: 2)) }
        return all
    }

    /// The most requests in any window of one second (`times` sorted).
    static func busiestSecond(_ times: [Duration]) -> Int {
        var most = 0, start = 0
        for (end, t) in times.enumerated() {
            while t - times[start] >= .seconds(1) { start += 1 }
            most = max(most, end - start + 1)
        }
        return most
    }

    @Test("two engines asking at once get slots that never overlap: together at most the limit in any second")
    func slotsTogether() async throws {
        let ledgers = try await Self.ledgers(2)
        defer { ledgers.forEach { $0.shutdown() } }
        let time = ManualTime()
        let rates = ledgers.map { RequestRate(perSecond: 20, time: time, shared: ManualSlots(ledger: $0, time: time)) }
        func slots(_ perEngine: Int) async throws -> [Duration] {
            try await withThrowingTaskGroup(of: [Duration].self) { group in
                for rate in rates {
                    group.addTask {
                        var mine: [Duration] = []
                        for _ in 0..<perEngine { mine.append(try await rate.reserveSlot() - time.base) }
                        return mine
                    }
                }
                var all: [Duration] = []
                for try await mine in group { all += mine }
                return all.sorted()
            }
        }
        // Blocks of two slots (a tenth of a second at 20 a second): 41 each leaves one slot of a block unused.
        let first = try await slots(41)
        #expect(first.count == 82)
        #expect(Self.busiestSecond(first) <= 20, "\(first)")
        for (a, b) in zip(first, first.dropFirst()) { #expect(b - a >= .milliseconds(50), "slots \(a) and \(b) closer than 1/20 s") }
        #expect(first.last! <= .milliseconds(83 * 50), "no slot is skipped while both ask")

        // A quiet spell is not saved up: what is left of a block is dropped, the next slots start now.
        time.advance(.seconds(60))
        let second = try await slots(10)
        #expect(second.first! >= .seconds(60), "\(second)")
        #expect(Self.busiestSecond(second) <= 20)
    }

    @Test("two engines' SNAP clients together send at most the limit in any second; one 429's Retry-After holds back both")
    func clientsTogether() async throws {
        let ledgers = try await Self.ledgers(2)
        defer { ledgers.forEach { $0.shutdown() } }
        let time = ManualTime()
        let bank = CountingBank(time: time)
        let keys = try SNAPKeys.generate()
        let rates = ledgers.map { RequestRate(perSecond: 10, time: time, shared: ManualSlots(ledger: $0, time: time)) }
        let clients = try rates.map { rate in
            SNAPClient(endpoint: .init(baseURL: "http://127.0.0.1:1", sourceAccount: "0011999999"),
                       credentials: try SNAPCredentials(partnerID: "P", clientKey: "k", channelID: "95221",
                                                        clientSecret: Array("s".utf8), privateKeyPEM: keys.privatePEM),
                       transport: bank, rate: rate)
        }
        // The engines take turns, one request at a time, so that the manual clock is at each request's slot when it leaves.
        for n in 0..<60 { _ = await clients[n % 2].inquireAccount("00110000\(n % 10)") }
        let sent = bank.arrivals.withLock { $0 }.sorted()
        #expect(sent.count == 60)
        #expect(Self.busiestSecond(sent) <= 10, "\(sent)")

        // The bank says 429, Retry-After: 3, to engine 0: engine 1's next request waits too.
        bank.throttle.withLock { $0 = true }
        _ = await clients[0].inquireAccount("0011000001")
        let throttledAt = time.now - time.base
        await rates[0].pause(seconds: 3)?.value
        bank.throttle.withLock { $0 = false }
        _ = await clients[1].inquireAccount("0011000002")
        let after = try #require(bank.arrivals.withLock { $0.last })
        #expect(after >= throttledAt + .seconds(3), "engine 1 sent at \(after), before the Retry-After from \(throttledAt) ran out")
    }
}
