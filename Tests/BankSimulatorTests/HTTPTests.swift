import BankSimulator
import SalurCore
import Foundation
import Synchronization
import Testing

@Suite("HTTP behaviour and admin endpoints")
struct HTTPTests {
    @Test("one kept-alive connection carries many requests")
    func keepAlive() async throws {
        try await withBank { simulator, client in
            for index in 1...20 {
                let response = try #require(try client.transfer(reference: "KA-\(index)"))
                #expect(response.responseCode == "2001700")
                #expect(response.header("Connection") == "keep-alive")
            }
            #expect(!client.connection.isClosedByPeer)
            #expect(await simulator.ledger().count == 20)
        }
    }

    @Test("Expect: 100-continue is answered before the body is read")
    func expectContinue() async throws {
        try await withBank { _, client in
            let body = Array(SNAPTestClient.transferBody(reference: "EXPECT-1").utf8)
            let response = try #require(try client.connection.request(
                "POST", "/admin/reset", headers: [("Expect", "100-continue")], body: body))
            #expect(client.connection.interimStatuses == [100])
            #expect(response.status == 200)
        }
    }

    @Test("a body over the limit is answered 413 and the connection closed")
    func bodyLimit() async throws {
        try await withBank({ $0.bodyLimitBytes = 1024 }) { simulator, client in
            let big = #"{"partnerReferenceNo":"\#(String(repeating: "X", count: 2000))"}"#
            let response = try #require(try client.post("/v1.0/transfer-intrabank", body: big))
            #expect(response.status == 413)
            #expect(response.header("Connection") == "close")
            #expect(try client.connection.serverClosed())
            #expect(await simulator.ledger().isEmpty)
        }
    }

    @Test("the path prefix is part of every SNAP path and of the signed path")
    func pathPrefix() async throws {
        try await withBank({ $0.pathPrefix = "/snap-bi/" }) { simulator, client in
            #expect(client.pathPrefix == "/snap-bi")
            #expect(try client.transfer(reference: "PFX-1")?.responseCode == "2001700")
            let bare = try #require(try client.connection.request("POST", "/v1.0/transfer-intrabank"))
            #expect(bare.status == 404)
            #expect(await simulator.ledger().count == 1)
            #expect(try client.admin("GET", "/admin/ledger")["entries"]?.arrayValue?.count == 1)
        }
    }

    @Test("a query string is not part of the signed path")
    func queryIgnored() async throws {
        try await withBank { _, client in
            let response = try client.post(
                "/v1.0/transfer/status?x=1", body: #"{"originalPartnerReferenceNo":"Q","serviceCode":"17"}"#)
            #expect(response?.responseCode == "4013600")
        }
    }

    @Test("unknown paths are 404, a GET on a service 405")
    func routing() async throws {
        try await withBank { _, client in
            let getOnService = try client.connection.request("GET", "/v1.0/transfer-intrabank")
            #expect(getOnService?.status == 405)
            #expect(getOnService?.responseCode == "4051700")
            let unknownService = try client.connection.request("POST", "/v2.0/nothing")
            #expect(unknownService?.status == 404)
            let postOnLedger = try client.connection.request("POST", "/admin/ledger")
            #expect(postOnLedger?.status == 405)
            let unknownAdmin = try client.connection.request("GET", "/admin/nothing")
            #expect(unknownAdmin?.status == 404)
        }
    }

    @Test("latency delays every answer without blocking other connections")
    func latency() async throws {
        try await withBank(authenticate: false, { $0.latencyMilliseconds = 2_000 }) { simulator, _ in
            // One OS thread per connection: the test client blocks, and blocking Swift's small
            // cooperative pool would measure the pool, not the simulator.
            let clock = ContinuousClock()
            let started = clock.now
            let port = simulator.port
            // Each answer's arrival time: served one after another they would arrive 2 s apart
            // (6 s from first to last); overlapping, together — whenever each thread got to ask.
            let answers: [(status: Int?, at: ContinuousClock.Instant)] = await withCheckedContinuation { continuation in
                let results = Mutex<[(status: Int?, at: ContinuousClock.Instant)]>([])
                for _ in 0..<4 {
                    Thread {
                        let status = (try? TestHTTPConnection(port: port))
                            .flatMap { try? $0.request("GET", "/admin/stats")?.status }
                        let all = results.withLock { $0.append((status, clock.now)); return $0 }
                        if all.count == 4 { continuation.resume(returning: all) }
                    }.start()
                }
            }
            let elapsed = clock.now - started
            #expect(answers.map(\.status) == [200, 200, 200, 200])
            #expect(elapsed >= .milliseconds(2_000))
            let arrivals = answers.map(\.at)
            let spread = arrivals.max()! - arrivals.min()!
            #expect(spread < .milliseconds(4_000), "four answers delayed 2 s each should overlap; they arrived \(spread) apart")
        }
    }

    @Test("stats count requests, answers and faults; reset clears ledger and stats")
    func statsAndReset() async throws {
        try await withBank { simulator, client in
            #expect(try client.transfer(reference: "S-1")?.responseCode == "2001700")
            #expect(try client.transfer(reference: "S-2", externalID: "1")?.responseCode == "2001700")
            #expect(try client.transfer(reference: "S-3", externalID: "1")?.responseCode == "4091700")
            let stats = try client.admin("GET", "/admin/stats")
            #expect(stats["requests"]?["73"] == 1)
            #expect(stats["requests"]?["17"] == 3)
            #expect(stats["responses"]?["2001700"] == 2)
            #expect(stats["responses"]?["4091700"] == 1)
            #expect(stats["faults"]?["drop-after"] == 0)

            #expect(try client.admin("POST", "/admin/reset")["reset"] == true)
            #expect(await simulator.ledger().isEmpty)
            #expect(await simulator.stats() == BankStats())
            #expect(await simulator.balance() == Rupiah(1_000_000_000_000))
            #expect(try client.transfer(reference: "S-4", externalID: "1")?.responseCode == "2001700")
        }
    }

    @Test("a non-loopback host is refused unless allowed")
    func loopbackOnly() async throws {
        var config = BankSimulatorConfig(
            clientKey: "k", clientPublicKeyPEM: testClientKey.publicKey.pemRepresentation, clientSecret: "s")
        config.host = "0.0.0.0"
        await #expect(throws: BankSimulatorError.nonLoopbackHost("0.0.0.0")) { try await BankSimulator.start(config) }
        config.allowNonLoopback = true
        #expect(throws: Never.self) { try config.validate() }
        #expect(BankSimulatorConfig.isLoopback("127.0.0.1"))
        #expect(BankSimulatorConfig.isLoopback("127.1.2.3"))
        #expect(BankSimulatorConfig.isLoopback("::1"))
        #expect(BankSimulatorConfig.isLoopback("localhost"))
        #expect(!BankSimulatorConfig.isLoopback("10.0.0.1"))
        #expect(!BankSimulatorConfig.isLoopback("127.0.0.256"))
    }

    @Test("a public key that is not PEM is refused at start")
    func badPublicKey() async throws {
        let config = BankSimulatorConfig(clientKey: "k", clientPublicKeyPEM: "not a key", clientSecret: "s")
        await #expect(throws: BankSimulatorError.self) { try await BankSimulator.start(config) }
    }
}
