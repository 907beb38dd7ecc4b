import Foundation
import SalurTestSupport
import Testing

/// `GET /metrics` scraped from a running salurd over HTTP, as Prometheus does: after it has paid a
/// treasury's transfers through the bank simulator, the gauges and counters say so.
@Suite("salurd serves Prometheus metrics", .serialized)
struct MetricsTests {
    /// One HTTP/1.1 request over a fresh connection (TCP on 127.0.0.1, or a Unix socket); the status and body.
    static func get(_ path: String, port: Int? = nil, socketPath: String? = nil) throws -> (status: Int, body: String) {
        let fd = socket(socketPath == nil ? AF_INET : AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var connected: Int32
        if let socketPath {
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (index, byte) in socketPath.utf8.enumerated() { raw[index] = byte }
            }
            connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port ?? 0).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard connected == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)
        guard send(fd, request, request.count, 0) == request.count else { throw POSIXError(.EIO) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n"), let status = Int(text.split(separator: " ").dropFirst().first ?? "") else {
            throw POSIXError(.EBADMSG)
        }
        return (status, String(text[split.upperBound...]))
    }

    /// The value of the sample `name{labels}`, if present.
    static func sample(_ text: String, _ name: String, _ labels: String = "") -> Double? {
        let key = labels.isEmpty ? name + " " : name + "{" + labels + "} "
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return nil }
        return Double(line.dropFirst(key.count))
    }

    /// The port salurd logged for `metrics listening` (asked for port 0: the system chose it).
    static func listeningPort(_ daemon: DaemonProcess) -> Int? {
        guard let line = daemon.lines("metrics listening").first, let range = line.range(of: "address=127.0.0.1:") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    @Test("after 40 transfers are paid: 40 settled with their amount, 40 booked attempts, bank latency per service, breaker closed, heartbeat fresh; no account number or secret")
    func scrapeAfterPaying() async throws {
        var settings = Treasury.Settings()
        settings.extra = "\n[metrics]\nlisten = \"127.0.0.1:0\"\n"
        let treasury = try await Treasury.make(count: 40, settings: settings)
        let daemon = try DaemonProcess(["--config", treasury.config], stderr: treasury.directory + "/salurd.log")
        defer { daemon.stop() }
        #expect(await daemon.waitForLog("metrics listening", within: .seconds(60)), "log:\n\(daemon.log)")
        let port = try #require(Self.listeningPort(daemon), "log:\n\(daemon.log)")

        // Scraped until the store shows every transfer settled (each scrape reads it afresh).
        var text = ""
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let (status, body) = try Self.get("/metrics", port: port)
            #expect(status == 200)
            text = body
            if Self.sample(text, "salur_transfers", #"state="settled""#) == 40 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(Self.sample(text, "salur_transfers", #"state="settled""#) == 40, "\(text)\nlog:\n\(daemon.log.suffix(2000))")
        #expect(Self.sample(text, "salur_transfers_amount_rupiah", #"state="settled""#) == Double(40 * 300_000))
        #expect(Self.sample(text, "salur_transfers", #"state="in_doubt""#) == 0)
        #expect(Self.sample(text, "salur_batches", #"state="done""#) == 1)
        #expect(Self.sample(text, "salur_bank_attempts_total", #"service="transfer_intrabank",outcome="settled",code_family="200""#) == 40)
        #expect(Self.sample(text, "salur_bank_request_duration_seconds_count", #"service="transfer_intrabank""#) == 40)
        #expect(Self.sample(text, "salur_bank_balance_inquiries_total", #"outcome="available""#) == 1)
        #expect(Self.sample(text, "salur_circuit_breaker_open") == 0)
        #expect(Self.sample(text, "salur_oldest_in_doubt_age_seconds") == 0)
        #expect(Self.sample(text, "salur_store_up") == 1)
        let heartbeat = try #require(Self.sample(text, "salur_engine_heartbeat_age_seconds"))
        #expect(heartbeat >= 0 && heartbeat < 60)
        #expect(Self.sample(text, "salur_reconciliation_open_exceptions", #"kind="unknown_debit""#) == 0)
        #expect(Self.sample(text, "salur_reconciliation_last_run_timestamp_seconds") == 0)
        #expect(text.contains("# TYPE salur_bank_request_duration_seconds histogram"))
        for account in treasury.accounts { #expect(!text.contains(account), "account \(account) in the metrics") }
        #expect(!text.contains(treasury.secret))
        #expect(!text.contains("0011999999"), "the source account in the metrics")

        #expect(try Self.get("/", port: port).status == 404)
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(within: .seconds(30)) == 0, "log:\n\(daemon.log.suffix(2000))")
        await treasury.close()
    }

    @Test("--exit-when-idle with metrics served: salurd still ends by itself, exit 0, once the work is done")
    func exitWhenIdle() async throws {
        var settings = Treasury.Settings()
        settings.extra = "\n[metrics]\nlisten = \"127.0.0.1:0\"\n"
        let treasury = try await Treasury.make(count: 5, settings: settings)
        let daemon = try DaemonProcess(["--config", treasury.config, "--exit-when-idle"], stderr: treasury.directory + "/salurd.log")
        defer { daemon.stop() }
        #expect(await daemon.waitForExit(within: .seconds(60)) == 0, "log:\n\(daemon.log.suffix(2000))")
        #expect(try treasury.transferStates() == ["settled": 5])
        await treasury.close()
    }

    @Test("on a Unix socket path: served there, the stale socket of an earlier process replaced")
    func unixSocket() async throws {
        let treasury = try await Treasury.make(count: 0)
        let path = treasury.directory + "/metrics.sock"
        // What a killed salurd leaves: a socket file nobody listens on.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(stale)
        #expect(bound == 0 && FileManager.default.fileExists(atPath: path))
        var settings = Treasury.Settings()
        settings.extra = "\n[metrics]\nlisten = \"\(path)\"\n"
        try treasury.writeConfig(settings)
        let daemon = try DaemonProcess(["--config", treasury.config], stderr: treasury.directory + "/salurd.log")
        defer { daemon.stop() }
        #expect(await daemon.waitForLog("metrics listening", within: .seconds(60)), "log:\n\(daemon.log)")
        let (status, body) = try Self.get("/metrics", socketPath: path)
        #expect(status == 200)
        #expect(Self.sample(body, "salur_transfers", #"state="pending""#) == 0, "\(body)")
        #expect(Self.sample(body, "salur_store_up") == 1)
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(within: .seconds(30)) == 0, "log:\n\(daemon.log.suffix(2000))")
        await treasury.close()
    }

    // Heartbeat and lease ages are seconds of real time: `make test` runs this alone, after the
    // parallel run (SALUR_SKIP_SOLO=1 leaves it out there).
    @Test("two engines on one PostgreSQL database: each shows its own heartbeat and the lease it holds",
          .enabled(if: PostgresScratch.isEnabled && ProcessInfo.processInfo.environment["SALUR_SKIP_SOLO"] != "1"))
    func postgresLease() async throws {
        let (url, passwordFile) = try await PostgresScratch.freshDatabase(prefix: "metrics")
        var settings = Treasury.Settings()
        settings.databaseURL = url
        settings.passwordFile = passwordFile
        settings.leaseMs = 3_000
        settings.notFoundSettleMs = 13_000
        settings.extra = "\n[metrics]\nlisten = \"127.0.0.1:0\"\n"
        let treasury = try await Treasury.make(count: 0, settings: settings)
        let first = try DaemonProcess(["--config", treasury.config], stderr: treasury.directory + "/salurd-1.log")
        let second = try DaemonProcess(["--config", treasury.config], stderr: treasury.directory + "/salurd-2.log")
        defer { first.stop(); second.stop() }
        for daemon in [first, second] {
            #expect(await daemon.waitForLog("salurd ready", within: .seconds(60)), "log:\n\(daemon.log)")
            let port = try #require(Self.listeningPort(daemon), "log:\n\(daemon.log)")
            let (status, body) = try Self.get("/metrics", port: port)
            #expect(status == 200)
            #expect(Self.sample(body, "salur_store_up") == 1, "\(body)")
            let lease = try #require(Self.sample(body, "salur_engine_lease_remaining_seconds"), "\(body)")
            #expect(lease > 0 && lease <= 3.5, "lease remaining \(lease)")
            let heartbeat = try #require(Self.sample(body, "salur_engine_heartbeat_age_seconds"))
            #expect(heartbeat >= 0 && heartbeat < 3, "heartbeat age \(heartbeat)")
            #expect(Self.sample(body, "salur_transfers", #"state="settled""#) == 0)
        }
        first.signal(SIGTERM)
        second.signal(SIGTERM)
        #expect(await first.waitForExit(within: .seconds(30)) == 0)
        #expect(await second.waitForExit(within: .seconds(30)) == 0)
        await treasury.close()
    }
}
