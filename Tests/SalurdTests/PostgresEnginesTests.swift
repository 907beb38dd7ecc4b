import BankSimulator
import Foundation
import SalurPostgres
import SalurTestSupport
import Testing

/// salurd on PostgreSQL: several engines on one database, each registered with its lease; a reload
/// still refuses another database; a clean stop ends the lease.
@Suite("salurd on PostgreSQL", .serialized, .enabled(if: PostgresScratch.isEnabled))
struct PostgresEnginesTests {
    @Test("two salurd on one database both run (no lock file); a reload naming another database is refused; SIGTERM ends each lease")
    func twoEngines() async throws {
        let (url, passwordFile) = try await PostgresScratch.freshDatabase(prefix: "salurd")
        var settings = Treasury.Settings()
        settings.databaseURL = url
        settings.passwordFile = passwordFile
        settings.leaseMs = 3_000
        settings.notFoundSettleMs = 13_000  // lease + request timeout (10 s)
        let treasury = try await Treasury.make(count: 0, settings: settings)
        let first = try DaemonProcess(["--config", treasury.config], stderr: treasury.directory + "/salurd-1.log")
        let second = try DaemonProcess(["--config", treasury.config], stderr: treasury.directory + "/salurd-2.log")
        defer { first.stop(); second.stop() }
        #expect(await first.waitForLog("salurd ready", within: .seconds(60)), "log:\n\(first.log)")
        #expect(await second.waitForLog("salurd ready", within: .seconds(60)), "log:\n\(second.log)")
        #expect(!FileManager.default.fileExists(atPath: treasury.database + ".lock"), "no lock file on PostgreSQL")

        let ledger = try await PostgresLedger(target: try PostgresTarget(url: url, passwordFile: passwordFile), maximumConnections: 1)
        defer { ledger.shutdown() }
        let live = try await ledger.engines()
        #expect(live.count == 2 && live.allSatisfy { $0.live == true && $0.holding == 0 }, "\(live)")

        // Another database: refused, the engine keeps its own.
        var moved = settings
        moved.databaseURL = url + "_elsewhere"
        try treasury.writeConfig(moved)
        first.signal(SIGHUP)
        #expect(await first.waitForLog("config reload refused: database.url changed", within: .seconds(20)), "log:\n\(first.log)")
        #expect(first.isRunning)

        first.signal(SIGTERM)
        second.signal(SIGTERM)
        #expect(await first.waitForExit(within: .seconds(30)) == 0)
        #expect(await second.waitForExit(within: .seconds(30)) == 0)
        let stopped = try await ledger.engines()
        #expect(stopped.count == 2 && stopped.allSatisfy { $0.live == false && $0.status == "stopped" }, "\(stopped)")
        await treasury.close()
    }

    // Timed against a lease of two seconds: it runs on a quiet machine (make test runs it alone, after
    // the suite; SALUR_SKIP_SOLO=1 leaves it out of the parallel run).
    @Test("a salurd frozen (SIGSTOP) with attempts queued for a slow bank sends none of them on waking, after another engine took them over and paid them: nobody is paid twice",
          .enabled(if: ProcessInfo.processInfo.environment["SALUR_SKIP_SOLO"] != "1"))
    func frozenEngineSendsNothingOnWaking() async throws {
        let (url, passwordFile) = try await PostgresScratch.freshDatabase(prefix: "frozen")
        var settings = Treasury.Settings()
        settings.databaseURL = url
        settings.passwordFile = passwordFile
        settings.leaseMs = 2_000
        settings.requestTimeoutMs = 5_000
        settings.notFoundSettleMs = 7_000   // lease + request timeout: the floor the config allows
        settings.maxInFlight = 2            // 3 × 2 attempts committed ahead, so some wait for a connection
        settings.chunkSize = 4
        let treasury = try await Treasury.make(count: 0, latencyMs: 1_500, settings: settings)
        let ledger = try await PostgresLedger(target: try PostgresTarget(url: url, passwordFile: passwordFile), maximumConnections: 2)
        defer { ledger.shutdown() }
        let count = 12
        try await PostgresSeed.transfers(ledger, count: count, perBatch: count, batchState: "posting")

        let frozen = try DaemonProcess(["--config", treasury.config], stderr: treasury.directory + "/salurd-frozen.log")
        defer { frozen.stop() }
        // Freeze it once it holds more attempts than it has connections, two of them already at the bank.
        let clock = ContinuousClock()
        var deadline = clock.now + .seconds(60)
        while true {
            let held = try await PostgresSeed.int(ledger, "SELECT count(*) FROM transfer WHERE state = 'sending'")
            let atBank = await treasury.simulator.stats().requests[.transferIntrabank, default: 0]
            if held >= 3, atBank >= 2 { break }
            guard clock.now < deadline, frozen.isRunning else {
                Issue.record("the engine never held queued attempts (sending \(held), at the bank \(atBank)); log:\n\(frozen.log.suffix(3000))")
                return
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        frozen.signal(SIGSTOP)
        let queued = try await PostgresSeed.texts(ledger, "SELECT partner_reference_no FROM transfer WHERE state = 'sending' ORDER BY id")
        let frozenID = try #require(try await ledger.engines().first { $0.pid == Int(frozen.pid) }?.id)

        // Another engine takes them over once the frozen one's lease has run out, asks the bank, and
        // pays what the bank never saw — and everything else.
        let survivor = try DaemonProcess(["--config", treasury.config], stderr: treasury.directory + "/salurd-survivor.log")
        defer { survivor.stop() }
        deadline = clock.now + .seconds(90)
        while try await PostgresSeed.int(ledger, "SELECT count(*) FROM transfer WHERE state = 'settled'") < count {
            guard clock.now < deadline, survivor.isRunning else {
                Issue.record("not all settled by the surviving engine; log:\n\(survivor.log.suffix(3000))")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await PostgresSeed.int(ledger, """
            SELECT count(*) FROM audit_log WHERE action = 'engine.recover' AND details LIKE '%from \(frozenID)%'
            """) >= 1, "the frozen engine's \(queued.count) were taken over")

        // The frozen engine wakes with its requests still queued (all but the two at the bank): each
        // is withheld, not sent. (Were one sent, the bank's ledger below would show it booked twice.)
        frozen.signal(SIGCONT)
        let withheld = "attempt not sent: this engine's lease ran out before it left"
        deadline = clock.now + .seconds(20)
        while frozen.log.components(separatedBy: withheld).count - 1 < queued.count - 2 {
            guard clock.now < deadline else {
                Issue.record("the woken engine never reported its queued attempts withheld; log:\n\(frozen.log.suffix(3000))")
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Once it has recorded what woke with it, it holds nothing and its new lease is live.
        deadline = clock.now + .seconds(30)
        while !(try await ledger.engines().contains { $0.pid == Int(frozen.pid) && $0.live == true && $0.holding == 0 }) {
            guard clock.now < deadline else {
                Issue.record("the woken engine did not register again; log:\n\(frozen.log.suffix(3000))")
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }

        // The woken engine goes on by itself: with the survivor stopped, it pays a new batch. (Woken in the
        // middle of a transaction the server has since ended, its next statement fails as a lost
        // connection does; it must not wait on it for ever.)
        survivor.signal(SIGTERM)
        #expect(await survivor.waitForExit(within: .seconds(30)) == 0, "log:\n\(survivor.log.suffix(2000))")
        let more = 4
        try await PostgresSeed.transfers(ledger, count: more, perBatch: more, batchState: "posting", after: count)
        deadline = clock.now + .seconds(60)
        while try await PostgresSeed.int(ledger, "SELECT count(*) FROM transfer WHERE state = 'settled'") < count + more {
            guard clock.now < deadline, frozen.isRunning else {
                Issue.record("the woken engine did not pay a new batch by itself; log:\n\(frozen.log.suffix(3000))")
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }

        // The bank's own ledger: every transfer booked exactly once.
        let booked = await treasury.simulator.ledger()
        var times: [String: Int] = [:]
        for entry in booked { times[entry.partnerReferenceNo, default: 0] += 1 }
        #expect(times.filter { $0.value > 1 }.isEmpty, "paid twice: \(times.filter { $0.value > 1 })")
        #expect(times.count == count + more && booked.count == count + more, "\(booked.count) bookings for \(times.count) transfers")
        #expect(booked.allSatisfy { $0.status == .settled })

        frozen.signal(SIGTERM)
        #expect(await frozen.waitForExit(within: .seconds(30)) == 0, "log:\n\(frozen.log.suffix(2000))")
        await treasury.close()
    }
}
