import SalurEngine
import SalurSQLite
import SalurStore
import Synchronization

/// One simulated salurd process: its executor, its engine and its own connection to the database.
/// Killed, it has no more effect on the world — its database connection is closed and its network
/// refuses to send — while the jobs it left are run out (and fail) so that nothing lingers.
final class SimProcess: Sendable {
    let name: String
    let executor: SimExecutor
    let ledger: SQLiteLedger
    let engine: Engine
    private let state = Mutex((alive: true, ended: false))

    init(name: String, executor: SimExecutor, ledger: SQLiteLedger, engine: Engine) {
        self.name = name
        self.executor = executor
        self.ledger = ledger
        self.engine = engine
    }

    var isAlive: Bool { state.withLock { $0.alive } }
    /// Whether its main task has returned.
    var hasEnded: Bool { state.withLock { $0.ended } }

    func markEnded() { state.withLock { $0.ended = true } }

    /// `kill -9`: from now on it changes nothing.
    func kill() {
        state.withLock { $0.alive = false }
        try? ledger.close()
        engine.beginStopping()
    }
}

/// A process's identity for the transport, before the engine exists.
final class SimProcessHandle: Sendable {
    let name: String
    private let process = Mutex<SimProcess?>(nil)

    init(name: String) { self.name = name }

    func attach(_ p: SimProcess) { process.withLock { $0 = p } }

    var isAlive: Bool { process.withLock { $0?.isAlive ?? true } }
}
