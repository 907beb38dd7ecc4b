import SalurBank
import Testing

@Suite("CurlClient: requests, keep-alive, concurrency, cancellation, shutdown", .timeLimit(.minutes(5)))
struct CurlClientTests {
    @Test("a GET and a POST reach the loopback server with their headers and exact body bytes")
    func getAndPost() async throws {
        let server = try CurlTestServer()
        defer { server.stop() }
        let client = try CurlClient()
        defer { client.shutdown() }

        let get = try await client.send(HTTPRequest(method: "GET", url: server.url("/echo?q=1"), headers: [(name: "X-Partner-ID", value: "12345")]))
        #expect(get.status == 200)
        #expect(get.headers["x-test-server"] == "curl")
        #expect(get.headers["content-length"] == "\(get.body.count)")
        #expect(get.body.starts(with: Array("GET /echo?q=1\n".utf8)))

        var body = Array(#"{"partnerReferenceNo":"2026110000001","amount":{"value":"300000.00","currency":"IDR"}}"#.utf8)
        body += [0x00, 0xFF, 0x0D, 0x0A, 0x80]
        body += (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }   // several read-callback rounds
        let headers: [(name: String, value: String)] = [
            (name: "Content-Type", value: "application/json"),
            (name: "X-SIGNATURE", value: "c2lnbmF0dXJl=="),
            (name: "X-Empty", value: ""),
        ]
        let post = try await client.send(HTTPRequest(method: "POST", url: server.url("/echo"), headers: headers, body: body))
        #expect(post.status == 200)
        #expect(post.body.starts(with: Array("POST /echo\n".utf8)))
        #expect(Array(post.body.suffix(body.count)) == body)

        let seen = server.requests
        try #require(seen.count == 2)
        #expect(seen[0].method == "GET")
        #expect(seen[0].path == "/echo?q=1")
        #expect(seen[0].header("x-partner-id") == "12345")
        #expect(seen[0].header("user-agent") == "salur")
        #expect(seen[0].body.isEmpty)
        #expect(seen[1].method == "POST")
        #expect(seen[1].body == body)
        #expect(seen[1].header("content-length") == "\(body.count)")
        #expect(seen[1].header("content-type") == "application/json")
        #expect(seen[1].header("x-signature") == "c2lnbmF0dXJl==")
        #expect(seen[1].header("x-empty") == "")
        #expect(seen[1].header("expect") == nil)
        #expect(seen[1].header("transfer-encoding") == nil)
    }

    @Test("other methods go out as themselves, and curl adds no form content type")
    func otherMethods() async throws {
        let server = try CurlTestServer()
        defer { server.stop() }
        let client = try CurlClient()
        defer { client.shutdown() }

        let put = try await client.send(HTTPRequest(method: "PUT", url: server.url("/echo"), body: Array("abc".utf8)))
        let post = try await client.send(HTTPRequest(method: "POST", url: server.url("/echo")))
        #expect(put.status == 200 && post.status == 200)
        let seen = server.requests
        try #require(seen.count == 2)
        #expect(seen[0].method == "PUT")
        #expect(seen[0].body == Array("abc".utf8))
        #expect(seen[0].header("content-type") == nil)
        #expect(seen[1].method == "POST")
        #expect(seen[1].header("content-length") == "0")
    }

    @Test("invalid requests fail as notSent and never reach the server", arguments: [
        HTTPRequest(method: "POST", url: "", body: [1]),
        HTTPRequest(method: "POST", url: "file:///etc/passwd"),
        HTTPRequest(method: "POST", url: "ftp://127.0.0.1:21/x"),
        HTTPRequest(method: "PO ST", url: "http://127.0.0.1:1/x"),
        HTTPRequest(method: "POST", url: "http://127.0.0.1:1/x", headers: [(name: "X-A", value: "1\r\nX-Injected: yes")]),
        HTTPRequest(method: "POST", url: "http://127.0.0.1:1/x", headers: [(name: "Content-Length", value: "1")]),
        HTTPRequest(method: "POST", url: "http://127.0.0.1:1/x", headers: [(name: "Bad Name", value: "1")]),
    ])
    func invalidRequests(request: HTTPRequest) async throws {
        let server = try CurlTestServer()
        defer { server.stop() }
        let client = try CurlClient()
        defer { client.shutdown() }
        var request = request
        request.url = request.url.replacingPort1(with: server.port)
        let outcome = await curlOutcome(client, request)
        #expect(outcome.curlError?.curlKind == "notSent", "\(outcome)")
        #expect(server.acceptedConnections == 0)
    }

    @Test("options out of range are refused")
    func invalidOptions() throws {
        var options = CurlClient.Options()
        options.maxInFlight = 0
        #expect(throws: CurlClient.InitError.invalidOption(name: "maxInFlight", reason: "must be at least 1, got 0")) {
            _ = try CurlClient(options: options)
        }
    }

    @Test("200 sequential requests reuse a kept-alive connection")
    func keepAlive() async throws {
        let server = try CurlTestServer()
        defer { server.stop() }
        let client = try CurlClient()
        defer { client.shutdown() }

        for index in 0..<200 {
            let body = Array("transfer \(index)".utf8)
            let response = try await client.send(HTTPRequest(method: "POST", url: server.url("/echo"), body: body))
            #expect(response.status == 200)
            #expect(Array(response.body.suffix(body.count)) == body)
        }
        #expect(server.requests.count == 200)
        #expect(server.acceptedConnections <= 2)
        let stats = client.stats
        #expect(stats.requestsCompleted == 200)
        #expect(stats.requestsFailed == 0)
        #expect(stats.connectionsOpened == server.acceptedConnections)
    }

    @Test("200 concurrent sends with maxInFlight 4 all complete, never more than 4 at the server")
    func boundedConcurrency() async throws {
        let server = try CurlTestServer()
        defer { server.stop() }
        var options = CurlClient.Options()
        options.maxInFlight = 4
        let client = try CurlClient(options: options)
        defer { client.shutdown() }

        let outcomes = await withTaskGroup(of: (Int, Result<HTTPResponse, HTTPClientError>).self) { group in
            for index in 0..<200 {
                group.addTask {
                    (index, await curlOutcome(client, HTTPRequest(method: "POST", url: server.url("/delay/5"), body: Array("n=\(index);".utf8))))
                }
            }
            var all: [(Int, Result<HTTPResponse, HTTPClientError>)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        #expect(outcomes.count == 200)
        for (index, outcome) in outcomes {
            let response = try outcome.get()
            let body = Array("n=\(index);".utf8)
            #expect(response.status == 200)
            #expect(Array(response.body.suffix(body.count)) == body, "response \(index) belongs to another request")
        }
        #expect(server.requests.count == 200)
        #expect(server.maxRequestsInFlight <= 4)
        #expect(server.maxRequestsInFlight >= 2)   // the bound was reached for real, not by running one at a time
        #expect(server.acceptedConnections <= 4)
        let stats = client.stats
        #expect(stats.requestsCompleted == 200)
        #expect(stats.inFlight == 0 && stats.queued == 0)
    }

    @Test("cancelling a waiting send fails it as notSent; a started send finishes")
    func cancellation() async throws {
        let server = try CurlTestServer()
        defer { server.stop() }
        var options = CurlClient.Options()
        options.maxInFlight = 1
        let client = try CurlClient(options: options)
        defer { client.shutdown() }

        let alreadyCancelled = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await curlOutcome(client, HTTPRequest(method: "POST", url: server.url("/echo"), body: [0]))
        }
        #expect(await alreadyCancelled.value.curlError?.curlKind == "notSent")

        let started = Task { await curlOutcome(client, HTTPRequest(method: "POST", url: server.url("/hold"), body: [1])) }
        #expect(await curlEventually { server.requests.count == 1 })
        let waiting = Task { await curlOutcome(client, HTTPRequest(method: "POST", url: server.url("/echo"), body: [2])) }
        #expect(await curlEventually { client.stats.queued == 1 })

        waiting.cancel()
        let waitingOutcome = await waiting.value
        #expect(waitingOutcome.curlError?.curlKind == "notSent")
        #expect(waitingOutcome.curlError?.curlReason.contains("cancelled") == true)

        started.cancel()
        server.release()
        let startedOutcome = await started.value
        #expect((try? startedOutcome.get())?.status == 200)
        #expect(server.requests.map(\.body) == [[1]])
    }

    @Test("shutdown fails queued sends as notSent and the one in flight as outcomeUnknown, without hanging")
    func shutdownWithQueuedRequests() async throws {
        let server = try CurlTestServer()
        defer { server.stop() }
        var options = CurlClient.Options()
        options.maxInFlight = 1
        let client = try CurlClient(options: options)

        let inFlight = Task { await curlOutcome(client, HTTPRequest(method: "POST", url: server.url("/hold"), body: [1])) }
        #expect(await curlEventually { server.requests.count == 1 })
        let queued = (0..<3).map { index in
            Task { await curlOutcome(client, HTTPRequest(method: "POST", url: server.url("/echo"), body: [UInt8(index)])) }
        }
        #expect(await curlEventually { client.stats.queued == 3 })

        let start = ContinuousClock.now
        client.shutdown()
        client.shutdown()
        #expect(ContinuousClock.now - start < .seconds(5))

        #expect(await inFlight.value.curlError?.curlKind == "outcomeUnknown")
        for task in queued {
            let outcome = await task.value
            #expect(outcome.curlError?.curlKind == "notSent")
            #expect(outcome.curlError?.curlReason.contains("shut down") == true)
        }
        let afterwards = await curlOutcome(client, HTTPRequest(method: "POST", url: server.url("/echo"), body: [9]))
        #expect(afterwards.curlError?.curlKind == "notSent")
        #expect(server.requests.count == 1)
        let stats = client.stats
        #expect(stats.requestsFailed == 5)
        #expect(stats.inFlight == 0 && stats.queued == 0)
    }
}

extension String {
    /// This URL with the placeholder port 1 replaced by `port`.
    fileprivate func replacingPort1(with port: Int) -> String {
        replacing("127.0.0.1:1/", with: "127.0.0.1:\(port)/")
    }
}
