import BankSimulator
import Foundation
import Testing

/// What an operator reads in `journalctl -u salurd`: one logfmt line per event, a line for every
/// batch and for every transfer that fails or goes in doubt, and never a secret or a full account.
@Suite("salurd's log", .serialized)
struct LogTests {
    @Test("a run with inactive accounts and timeouts: every batch, every account held and every doubt logged; no secret, no full account number")
    func logOfARun() async throws {
        var faults = FaultRates.none
        faults[.timeoutAfter] = 10
        // Every account is checked in the first pass, before anything is sent: the inactive ones are
        // then held for the operator (never sent), the rest paid.
        var settings = Treasury.Settings()
        settings.chunkSize = 1_000
        let treasury = try await Treasury.make(count: 600, latencyMs: 2, faults: faults, inactiveEvery: 10, settings: settings)
        let daemon = try DaemonProcess(["--config", treasury.config, "--exit-when-idle"], stderr: treasury.directory + "/salurd.log")
        defer { daemon.stop() }
        #expect(await daemon.waitForExit(within: .seconds(180)) == 0, "log:\n\(daemon.log.suffix(2000))")
        let log = daemon.log
        let lines = log.split(separator: "\n").map(String.init)

        #expect(lines.allSatisfy { $0.hasPrefix("level=") && $0.contains(" msg=") }, "logfmt: \(lines.filter { !$0.hasPrefix("level=") }.prefix(3))")
        #expect(!log.contains(treasury.secret), "the client secret was logged")
        #expect(!log.contains("PRIVATE KEY"))
        let exposed = treasury.accounts.filter { log.contains($0) }
        #expect(exposed.isEmpty, "full account numbers in the log: \(exposed.prefix(3))")
        #expect(log.contains("account=********"), "accounts appear masked to the last 4 digits")

        let states = try treasury.transferStates()
        #expect(states["held"] == 60, "every 10th account is inactive: held, never sent: \(states)")
        #expect(states["settled"] == 540, "\(states)")
        #expect(states["failed"] == nil, "\(states)")
        let notPayable = daemon.lines("account not payable; transfers to it are held for an operator")
        #expect(notPayable.count == 60, "one line per inactive account")
        #expect(notPayable.allSatisfy { $0.contains("account=********") && $0.contains("check=inactive") }, "\(notPayable.prefix(2))")
        #expect(daemon.lines("transfer failed").isEmpty)
        let timeouts = await treasury.simulator.stats().faults[.timeoutAfter] ?? 0
        #expect(timeouts > 0)
        #expect(daemon.lines("transfer in doubt").count == timeouts, "one line per transfer answer that left it in doubt")
        let posting = daemon.lines("batch posting")
        #expect(posting.count == 2 && posting.contains { $0.contains("batch=B-2026-11-0001") } && posting.contains { $0.contains("batch=B-2026-11-0002") },
                "batch ids take the month of the ledger's clock: \(posting)")
        // The held transfers keep their batches open (posting) until an operator rechecks or cancels.
        #expect(daemon.lines("batch done").isEmpty)
        await treasury.close()
    }

    @Test("the log level comes from the config: at warning, no info lines")
    func levelFromConfig() async throws {
        var settings = Treasury.Settings()
        settings.logLevel = "warning"
        let treasury = try await Treasury.make(count: 20, settings: settings)
        let daemon = try DaemonProcess(["--config", treasury.config, "--exit-when-idle"], stderr: treasury.directory + "/salurd.log")
        defer { daemon.stop() }
        #expect(await daemon.waitForExit(within: .seconds(60)) == 0, "log:\n\(daemon.log)")
        #expect(!daemon.log.contains("level=info"), "\(daemon.log)")
        #expect(try treasury.transferStates()["settled"] == 20)
        await treasury.close()
    }
}
