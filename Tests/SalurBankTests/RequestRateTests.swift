import Foundation
import SalurCore
import Synchronization
import Testing
@testable import SalurBank

/// `[bank] max_requests_per_second`: slots one `1 / rate` apart, in the order asked; the bank's
/// Retry-After stops every request until then. On a manual clock: nothing here waits for real.
@Suite("The bank's request rate")
struct RequestRateTests {
    /// A monotonic clock that moves only when told, or to a sleeper's deadline.
    final class ManualTime: MonotonicTime {
        let base = ContinuousClock.now
        let offset = Mutex(Duration.zero)
        var now: ContinuousClock.Instant { base + offset.withLock { $0 } }
        func advance(_ d: Duration) { offset.withLock { $0 += d } }
        func sleep(until deadline: ContinuousClock.Instant) async throws {
            offset.withLock { if base + $0 < deadline { $0 = deadline - base } }
        }
    }

    @Test("ten a second: requests asked together leave 100 ms apart; a quiet spell is not saved up")
    func spacing() {
        let time = ManualTime()
        let rate = RequestRate(perSecond: 10, time: time)
        let slots = (0..<5).map { _ in rate.reserve() - time.base }
        #expect(slots == [.zero, .milliseconds(100), .milliseconds(200), .milliseconds(300), .milliseconds(400)])
        time.advance(.seconds(10))
        #expect(rate.reserve() - time.base == .seconds(10), "after a quiet spell the next leaves at once")
        #expect(rate.reserve() - time.base == .seconds(10) + .milliseconds(100), "but no burst: the one after waits its turn")
    }

    @Test("Retry-After stops every request until then, and the spacing goes on after it")
    func pause() async throws {
        let time = ManualTime()
        let rate = RequestRate(perSecond: 4, time: time)
        try await rate.acquire()
        rate.pause(seconds: 3)
        rate.pause(seconds: 1)
        try await rate.acquire()
        #expect(time.now - time.base == .seconds(3), "the longer wait holds")
        try await rate.acquire()
        #expect(time.now - time.base == .seconds(3) + .milliseconds(250))
    }

    /// Answers the token request, then 429 with Retry-After: 5 to everything.
    final class ThrottlingBank: HTTPTransport {
        func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
            if request.url.hasSuffix("/access-token/b2b") {
                let body = #"{"responseCode":"2007300","responseMessage":"Successful","accessToken":"t","tokenType":"Bearer","expiresIn":"900"}"#
                return HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: Array(body.utf8))
            }
            return HTTPResponse(status: 429, headers: ["content-type": "application/json", "retry-after": "5"],
                                body: Array(#"{"responseCode":"4291700","responseMessage":"Too Many Requests"}"#.utf8))
        }
    }

    @Test("the client waits for its slot and a 429's Retry-After holds back the next request")
    func clientPausesOn429() async throws {
        let time = ManualTime()
        let rate = RequestRate(perSecond: 2, time: time)
        let keys = try SNAPKeys.generate()
        let client = SNAPClient(endpoint: .init(baseURL: "http://127.0.0.1:1", sourceAccount: "0011999999"),
                                credentials: try SNAPRequestURLTests.credentials(keys), transport: ThrottlingBank(), rate: rate)
        let outcome = await client.transfer(SNAPClassifierTests.sent)
        guard case .notProcessed(_, _, let retryAfter, _, _) = outcome else { Issue.record("\(outcome)"); return }
        #expect(retryAfter == 5)
        #expect(rate.reserve() - time.now >= .seconds(5), "no request leaves before the bank's Retry-After")
    }
}
