import Foundation
import Logging
import SalurEngine
import SalurSetup
import SalurStore
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The engine as a lifecycle service: start-up (recovery, bank token, READY=1), the loop with its
/// watchdog and STATUS=, and a graceful shutdown that stops new attempts and lets those in flight
/// finish and be recorded, within `[engine] shutdown_timeout_ms`.
struct EngineService: Service {
    let engine: Engine
    let ledger: any EngineLedger
    let bank: SwitchableBank
    let reloader: ConfigReloader
    let exitWhenIdle: Bool
    let notifier: SystemdNotifier
    /// How often the loop pings systemd's watchdog; nil when no watchdog is asked for.
    let watchdogInterval: Duration?
    let deadline: ShutdownDeadline
    /// Test hook `SALURD_TEST_STALL_AFTER_PASSES=N`: after N passes the loop stops making progress
    /// (until salurd is stopped), so a test can see the watchdog pings stop. Never set in production.
    let stallAfterPasses: Int?
    let logger: Logger

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await startUp()
            try await loop()
        } onGracefulShutdown: {
            engine.beginStopping()
            notifier.send("STOPPING=1\nSTATUS=stopping: waiting for requests in flight")
            let boundMs = reloader.configuration.engine.shutdownTimeoutMs
            logger.notice("stopping: no new attempts; requests in flight finish and are recorded", metadata: ["bound_ms": "\(boundMs)"])
            deadline.arm(after: .milliseconds(boundMs), ledger: ledger, logger: logger)
        }
    }

    /// READY=1 only once the database is open and migrated (done before the service runs), earlier
    /// attempts are recovered, and the bank has given a token or been recorded unreachable.
    private func startUp() async throws {
        try await engine.recover()
        do {
            try await bank.warmUp()
            logger.info("bank reachable", metadata: ["base_url": "\(bank.current.settings.baseURL)"])
        } catch {
            logger.warning("bank unreachable at start; the engine keeps trying", metadata: ["error": "\(error)"])
            try? await ledger.heartbeat(status: "bank unreachable at start: \(error)")
        }
        guard !engine.isStopping else { return }
        let status = await engine.statusLine()
        notifier.send("READY=1\nSTATUS=\(status)")
        logger.info("salurd ready", metadata: ["status": "\(status)",
                                               "watchdog_ms": "\(watchdogInterval.map { "\(milliseconds($0))" } ?? "off")"])
    }

    private func loop() async throws {
        let notifier = self.notifier
        let engine = self.engine
        let watchdog = watchdogInterval != nil
        let marks = LoopMarks()
        // STATUS= is sent when it changes; inside a pass the beat looks at most once a second (it reads
        // the database), so the beat comes at least that often, and at the watchdog's pace if faster.
        let heartbeat = EngineHeartbeat(interval: min(watchdogInterval ?? .seconds(1), .seconds(1))) {
            guard notifier.isActive else { return }
            var lines = watchdog ? ["WATCHDOG=1"] : []
            if marks.statusDue(), let status = marks.changed(await engine.statusLine()) { lines.append("STATUS=\(status)") }
            if !lines.isEmpty { notifier.send(lines.joined(separator: "\n")) }
        }
        try await engine.run(exitWhenIdle: exitWhenIdle, heartbeat: heartbeat) { report in
            let status = await engine.statusLine()
            if notifier.isActive {
                var lines = watchdog ? ["WATCHDOG=1"] : []
                if let changed = marks.changed(status) { lines.append("STATUS=\(changed)") }
                if !lines.isEmpty { notifier.send(lines.joined(separator: "\n")) }
            }
            try? await ledger.heartbeat(status: status)
            if report.didWork {
                logger.debug("pass", metadata: ["sent": "\(report.sent)", "settled": "\(report.settled)", "in_doubt": "\(report.inDoubt)",
                                                "failed": "\(report.failed)", "inquired": "\(report.inquired)"])
            }
            let done = marks.passes.withLock { $0 += 1; return $0 }
            if let stallAfterPasses, done == stallAfterPasses {
                logger.warning("test hook SALURD_TEST_STALL_AFTER_PASSES: the engine loop stalls here until salurd is stopped",
                               metadata: ["passes": "\(done)"])
                while !engine.isStopping { try? await Task.sleep(for: .milliseconds(20)) }
            }
        }
    }

    private func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}

/// What the loop's closures share: the STATUS= last sent and when it was last looked at, and how many passes ran.
private final class LoopMarks: Sendable {
    private let status = Mutex<(line: String, lookedAt: ContinuousClock.Instant)>(("", .now))
    let passes = Mutex(0)

    /// Whether a second has passed since the status was last looked at (and marks it looked at).
    func statusDue() -> Bool {
        status.withLock { s in
            guard ContinuousClock.now - s.lookedAt >= .seconds(1) else { return false }
            s.lookedAt = .now
            return true
        }
    }

    /// `line` if it differs from the one last sent (and records it as sent), else nil.
    func changed(_ line: String) -> String? {
        status.withLock { s in
            s.lookedAt = .now
            guard line != s.line else { return nil }
            s.line = line
            return line
        }
    }
}

/// PostgreSQL: wakes the engine's idle wait as soon as work is announced on `salur_work` (a batch
/// approved or started, by any client), so an engine need not poll fast to react fast. A lost
/// connection is listened again a second later; meanwhile the engine still polls.
struct WorkListener: Service {
    let listen: @Sendable (@escaping @Sendable () -> Void) async throws -> Void
    let engine: Engine
    let logger: Logger

    func run() async throws {
        let engine = self.engine
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await listen { engine.wake() }
                } catch where Task.isCancelled {
                    return
                } catch {
                    logger.warning("not listening for work notifications; polling only until reconnected", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}

/// SIGHUP → `ConfigReloader.reload()`, one at a time, until the group shuts down. The signal
/// sequence is created before the group starts, so a SIGHUP right after READY=1 is never lost
/// (nor fatal: SIGHUP's default action would end the process).
struct ReloadService: Service {
    let hangups: UnixSignalsSequence
    let reloader: ConfigReloader

    func run() async throws {
        for await _ in hangups.cancelOnGracefulShutdown() {
            await reloader.reload()
        }
    }
}
