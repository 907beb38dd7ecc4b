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
}
