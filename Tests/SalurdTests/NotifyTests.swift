import Foundation
import GRDB
import Testing

/// sd_notify as systemd sees it: a real datagram socket as `$NOTIFY_SOCKET`, the built salurd.
@Suite("salurd speaks sd_notify", .serialized)
struct NotifyTests {
    /// CLOCK_MONOTONIC in µs, the clock `MONOTONIC_USEC=` is on (the same for every process).
    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }

    /// Whether the database at `path` is open-able, migrated, and registered to `pid`.
    static func migratedAndRegistered(_ path: String, pid: Int32) throws -> Bool {
        guard FileManager.default.fileExists(atPath: path) else { return false }
        return try DatabaseQueue(path: path).read { db in
            let migrations = try Int.fetchOne(db, sql: "SELECT count(*) FROM grdb_migrations") ?? 0
            let lease = try Int.fetchOne(db, sql: "SELECT pid FROM engine_lease WHERE id = 1")
            return migrations > 0 && lease == Int(pid)
        }
    }

    @Test("path socket: READY once the database is migrated; STATUS moves with the work; WATCHDOG keeps coming; RELOADING and READY around SIGHUP; STOPPING on SIGTERM")
    func lifecycle() async throws {
        // 4 requests at a time, 20 ms each: about 3 s of posting, long enough for STATUS= to move.
        var settings = Treasury.Settings()
        settings.maxInFlight = 4
        let treasury = try await Treasury.make(count: 600, latencyMs: 20, settings: settings)
        let socket = try NotifySocket(treasury.socketPath)
        let daemon = try DaemonProcess(["--config", treasury.config],
                                       environment: ["NOTIFY_SOCKET": socket.address, "WATCHDOG_USEC": "400000"],
                                       stderr: treasury.directory + "/salurd.log")
        defer { daemon.stop(); socket.close() }

        let ready = try #require(await socket.waitFor("READY", value: "1", within: .seconds(60)), "no READY=1; log:\n\(daemon.log)")
        #expect(try Self.migratedAndRegistered(treasury.database, pid: daemon.pid), "READY=1 came before the database was migrated and registered")
        #expect(socket.messages[..<ready.index].allSatisfy { $0.fields["WATCHDOG"] == nil }, "no watchdog pings before READY")

        let done = try #require(await socket.waitFor("STATUS", within: .seconds(120)) { $0.hasPrefix("0 pending, 0 in doubt, 600 settled, 0 failed") },
                                "STATUS never said all 600 settled: \(socket.messages.suffix(5)); log:\n\(daemon.log.suffix(2000))")
        let statuses = socket.messages[ready.index...done.index].compactMap { $0.fields["STATUS"] }
        #expect(Set(statuses).count >= 3, "STATUS changed as work went on: \(Set(statuses))")
        #expect(statuses.first?.hasPrefix("600 pending") == true, "first STATUS: \(statuses.first ?? "none")")

        // Idle now: the loop keeps pinging at WATCHDOG_USEC/2 (200 ms); a second of socket reading must see several.
        let idleFrom = socket.messages.count
        _ = await socket.waitFor("NEVER", from: idleFrom, within: .seconds(1))
        let pings = socket.messages[idleFrom...].filter { $0.fields["WATCHDOG"] == "1" }
        #expect(pings.count >= 3, "WATCHDOG=1 while idle: \(pings.count) in 1 s")

        let beforeHangup = socket.messages.count
        let sentAt = Self.monotonicMicroseconds()
        daemon.signal(SIGHUP)
        let reloading = try #require(await socket.waitFor("RELOADING", value: "1", from: beforeHangup, within: .seconds(20)))
        let stamp = try #require(reloading.message.fields["MONOTONIC_USEC"].flatMap(UInt64.init), "RELOADING=1 without MONOTONIC_USEC: \(reloading.message)")
        #expect(stamp >= sentAt && stamp <= Self.monotonicMicroseconds(), "MONOTONIC_USEC=\(stamp) is CLOCK_MONOTONIC at the reload")
        #expect(await socket.waitFor("READY", value: "1", from: reloading.index + 1, within: .seconds(20)) != nil, "READY=1 after the reload")
        #expect(await daemon.waitForLog("config reloaded; nothing changed", within: .seconds(10)))

        let beforeTerm = socket.messages.count
        daemon.signal(SIGTERM)
        #expect(await socket.waitFor("STOPPING", value: "1", from: beforeTerm, within: .seconds(20)) != nil, "STOPPING=1 on SIGTERM")
        #expect(await daemon.waitForExit(within: .seconds(30)) == 0, "exit 0 after SIGTERM; log:\n\(daemon.log.suffix(2000))")
        await treasury.close()
    }

    @Test("abstract socket: a fresh database is created and migrated before READY; no WATCHDOG unless asked; STOPPING on SIGTERM")
    func abstractSocket() async throws {
        let treasury = try await Treasury.make(count: 0)
        #expect(!FileManager.default.fileExists(atPath: treasury.database))
        let socket = try NotifySocket("@salurd-test-\(UUID().uuidString.prefix(8))")
        let daemon = try DaemonProcess(["--config", treasury.config], environment: ["NOTIFY_SOCKET": socket.address],
                                       stderr: treasury.directory + "/salurd.log")
        defer { daemon.stop(); socket.close() }

        let ready = try #require(await socket.waitFor("READY", value: "1", within: .seconds(60)), "no READY=1; log:\n\(daemon.log)")
        #expect(try Self.migratedAndRegistered(treasury.database, pid: daemon.pid))
        #expect(ready.message.fields["STATUS"] == "0 pending, 0 in doubt, 0 settled, 0 failed")
        #expect(await daemon.waitForLog("salurd ready", within: .seconds(5)))
        daemon.signal(SIGTERM)
        #expect(await socket.waitFor("STOPPING", value: "1", within: .seconds(20)) != nil)
        #expect(await daemon.waitForExit(within: .seconds(30)) == 0)
        #expect(socket.messages.allSatisfy { $0.fields["WATCHDOG"] == nil }, "WATCHDOG=1 without WATCHDOG_USEC")
        await treasury.close()
    }

    @Test("a bank unreachable at start: READY all the same, once that is recorded; the engine keeps trying")
    func readyWithTheBankDown() async throws {
        var settings = Treasury.Settings()
        settings.baseURL = "http://127.0.0.1:1"
        let treasury = try await Treasury.make(count: 0, settings: settings)
        let socket = try NotifySocket(treasury.socketPath)
        let daemon = try DaemonProcess(["--config", treasury.config], environment: ["NOTIFY_SOCKET": socket.address],
                                       stderr: treasury.directory + "/salurd.log")
        defer { daemon.stop(); socket.close() }
        #expect(await socket.waitFor("READY", value: "1", within: .seconds(60)) != nil, "log:\n\(daemon.log)")
        // Recorded before READY=1 was sent: already in the log when READY arrives.
        #expect(daemon.lines("bank unreachable at start; the engine keeps trying").count == 1, "log:\n\(daemon.log)")
        #expect(daemon.isRunning)
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit(within: .seconds(30)) == 0)
        await treasury.close()
    }

    @Test("the watchdog pings come from the loop: when the loop stalls (test hook), they stop, though the process lives")
    func watchdogStopsWhenTheLoopStalls() async throws {
        var settings = Treasury.Settings()
        settings.pollIntervalMs = 20
        let treasury = try await Treasury.make(count: 0, settings: settings)
        let socket = try NotifySocket(treasury.socketPath)
        let daemon = try DaemonProcess(["--config", treasury.config],
                                       environment: ["NOTIFY_SOCKET": socket.address, "WATCHDOG_USEC": "200000",
                                                     "SALURD_TEST_STALL_AFTER_PASSES": "60"],
                                       stderr: treasury.directory + "/salurd.log")
        defer { daemon.stop(); socket.close() }

        #expect(await socket.waitFor("READY", value: "1", within: .seconds(60)) != nil, "no READY=1; log:\n\(daemon.log)")
        #expect(await daemon.waitForLog("test hook SALURD_TEST_STALL_AFTER_PASSES", within: .seconds(60)), "the loop never stalled; log:\n\(daemon.log)")
        let stalledAt = ContinuousClock.now
        let pingsBefore = socket.messages.filter { $0.fields["WATCHDOG"] == "1" }
        #expect(pingsBefore.count >= 5, "WATCHDOG=1 while the loop ran: \(pingsBefore.count)")

        // Read the socket for 2.5 s (25 watchdog intervals): no ping may come after the stall (a grace of
        // 700 ms covers a ping sent just before it and read late on a busy machine).
        _ = await socket.waitFor("NEVER", within: .milliseconds(2_500))
        let late = socket.messages.filter { $0.fields["WATCHDOG"] == "1" && $0.at > stalledAt + .milliseconds(700) }
        #expect(late.isEmpty, "WATCHDOG=1 kept coming from a stalled loop: \(late.count)")
        #expect(daemon.isRunning, "the stalled process is still alive (systemd's watchdog is what would restart it)")

        daemon.signal(SIGTERM)
        #expect(await socket.waitFor("STOPPING", value: "1", within: .seconds(20)) != nil)
        #expect(await daemon.waitForExit(within: .seconds(30)) == 0)
        await treasury.close()
    }
}
