import Logging
import Testing
@testable import salurd

/// The log line format, and the mask that keeps account numbers out of free text.
@Suite("logfmt lines")
struct LogfmtTests {
    @Test("values with spaces, quotes or = are quoted; keys sorted")
    func format() {
        let line = LogfmtHandler.line(level: .warning, message: "batch held",
                                      metadata: ["reason": "source balance Rp 2.000 does not cover \"B-1\"", "batch": "B-2026-11-0001"])
        #expect(line == "level=warning msg=\"batch held\" batch=B-2026-11-0001 reason=\"source balance Rp 2.000 does not cover \\\"B-1\\\"\"\n")
    }

    @Test("runs of 10 or more digits in free text are masked to the last 4; identifiers and amounts are not", arguments: [
        ("rekening 0011223344 tidak aktif", "rekening ******3344 tidak aktif"),
        ("NIK 5371014101900001 ditolak", "NIK ************0001 ditolak"),
        ("HTTP 504 at 127.0.0.1:18443", "HTTP 504 at 127.0.0.1:18443"),
        ("123456789", "123456789"),
    ])
    func masking(text: String, masked: String) {
        #expect(LogfmtHandler.maskDigitRuns(text) == masked)
        let line = LogfmtHandler.line(level: .error, message: "transfer failed", metadata: ["reason": "\(text)"])
        #expect(line.contains(LogfmtHandler.quote(masked)))
    }

    @Test func identifiersAreKept() {
        let line = LogfmtHandler.line(level: .info, message: "batch posting",
                                      metadata: ["ref": "SLR000000002557", "amount": "150000000000", "external_id": "20261123000000000042"])
        #expect(line.contains("ref=SLR000000002557") && line.contains("amount=150000000000") && line.contains("external_id=20261123000000000042"))
    }

    @Test("the level follows the shared switch a reload sets")
    func levelSwitch() {
        let levels = LogLevelSwitch(.info)
        var handler = LogfmtHandler(label: "t", levels: levels, write: { _ in })
        #expect(handler.logLevel == .info)
        levels.current = .debug
        #expect(handler.logLevel == .debug)
        handler.logLevel = .error
        levels.current = .trace
        #expect(handler.logLevel == .error, "a logger's own level wins")
    }
}

/// How often the loop pings: half of WatchdogSec=, the configured interval if shorter, never for another PID.
@Suite("watchdog interval")
struct WatchdogIntervalTests {
    @Test func fromSystemd() {
        #expect(SystemdNotifier.watchdogInterval(configuredMs: 0, environment: ["WATCHDOG_USEC": "120000000"], pid: 7) == .seconds(60))
        #expect(SystemdNotifier.watchdogInterval(configuredMs: 0, environment: ["WATCHDOG_USEC": "120000000", "WATCHDOG_PID": "7"], pid: 7) == .seconds(60))
        #expect(SystemdNotifier.watchdogInterval(configuredMs: 0, environment: ["WATCHDOG_USEC": "120000000", "WATCHDOG_PID": "8"], pid: 7) == nil)
        #expect(SystemdNotifier.watchdogInterval(configuredMs: 0, environment: [:], pid: 7) == nil)
    }

    @Test func configuredIsACeiling() {
        #expect(SystemdNotifier.watchdogInterval(configuredMs: 5_000, environment: ["WATCHDOG_USEC": "120000000"], pid: 7) == .seconds(5))
        #expect(SystemdNotifier.watchdogInterval(configuredMs: 90_000, environment: ["WATCHDOG_USEC": "120000000"], pid: 7) == .seconds(60))
        #expect(SystemdNotifier.watchdogInterval(configuredMs: 5_000, environment: [:], pid: 7) == .seconds(5))
    }
}
