import Foundation
import Logging
import SalurStore
import Synchronization

/// Bounds a graceful shutdown. Requests in flight normally finish (or time out in libcurl) well
/// within `[engine] shutdown_timeout_ms`; if they have not by then, salurd exits 0 anyway, leaving
/// their transfers `sending` — safe, because the next start marks them in doubt and asks the bank
/// (DESIGN §4.4). The bound is kept below the unit's `TimeoutStopSec=` so systemd never has to kill.
final class ShutdownDeadline: Sendable {
    private let armed = Mutex<Task<Void, Never>?>(nil)

    /// Starts the clock (once); `exit` runs if `disarm()` is not called in time.
    func arm(after bound: Duration, ledger: any EngineLedger, logger: Logger, exit: @escaping @Sendable () -> Void = { _exit(0) }) {
        armed.withLock { task in
            guard task == nil else { return }
            task = Task.detached {
                try? await Task.sleep(for: bound)
                guard !Task.isCancelled else { return }
                let sending = (try? await ledger.queueStatus(now: Date()).transfers["sending"]?.count) ?? 0
                logger.warning("shutdown bound reached; exiting with requests still in flight — their transfers stay sending and are resolved as in doubt on the next start",
                               metadata: ["bound_ms": "\(bound.components.seconds * 1000 + bound.components.attoseconds / 1_000_000_000_000_000)",
                                          "sending": "\(sending)"])
                exit()
            }
        }
    }

    /// The shutdown finished in time.
    func disarm() {
        armed.withLock { $0?.cancel() }
    }
}
