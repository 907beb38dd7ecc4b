package import SalurBank
import Synchronization

/// The engine's bank, replaceable while the engine runs (config reload). Each call uses the
/// connection current when it starts and finishes on it; a replaced connection is shut down once
/// its last call has returned, so no request in flight is aborted by a reload.
package final class SwitchableBank: BankAdapter {
    private struct Generation {
        let connection: BankConnection
        var users = 0
        var retired = false
    }

    private struct State {
        var current: Int
        var generations: [Int: Generation]
        var nextID: Int
    }

    private let state: Mutex<State>

    package init(_ connection: BankConnection) {
        state = Mutex(State(current: 0, generations: [0: Generation(connection: connection)], nextID: 1))
    }

    /// The connection new calls use.
    package var current: BankConnection {
        state.withLock { $0.generations[$0.current]!.connection }
    }

    /// Makes `connection` the one new calls use; the previous one is shut down when idle.
    package func replace(with connection: BankConnection) {
        let idle = state.withLock { s -> BankConnection? in
            let old = s.current
            s.current = s.nextID
            s.generations[s.nextID] = Generation(connection: connection)
            s.nextID += 1
            s.generations[old]!.retired = true
            guard s.generations[old]!.users == 0 else { return nil }
            return s.generations.removeValue(forKey: old)?.connection
        }
        idle?.transport.shutdown()
    }

    /// Shuts every connection down (the process is ending); later calls fail as not sent.
    package func shutdown() {
        let all = state.withLock { $0.generations.values.map(\.connection) }
        for connection in all { connection.transport.shutdown() }
    }

    /// Fetches an access token now.
    package func warmUp() async throws {
        try await using { try await $0.warmUp() }
    }

    private func using<T>(_ body: (SNAPClient) async throws -> T) async rethrows -> T {
        let (id, connection) = state.withLock { s -> (Int, BankConnection) in
            s.generations[s.current]!.users += 1
            return (s.current, s.generations[s.current]!.connection)
        }
        defer {
            let idle = state.withLock { s -> BankConnection? in
                guard var generation = s.generations[id] else { return nil }
                generation.users -= 1
                s.generations[id] = generation
                guard generation.retired, generation.users == 0 else { return nil }
                return s.generations.removeValue(forKey: id)?.connection
            }
            idle?.transport.shutdown()
        }
        return try await body(connection.client)
    }

    // MARK: BankAdapter

    package func transfer(_ instruction: TransferInstruction) async -> TransferOutcome {
        await using { await $0.transfer(instruction) }
    }

    package func inquire(_ query: StatusQuery) async -> InquiryOutcome {
        await using { await $0.inquire(query) }
    }

    package func availableBalance() async -> BalanceOutcome {
        await using { await $0.availableBalance() }
    }

    package func inquireAccount(_ accountNo: String) async -> AccountOutcome {
        await using { await $0.inquireAccount(accountNo) }
    }

    package func inquireExternalAccount(bankCode: String, accountNo: String) async -> AccountOutcome {
        await using { await $0.inquireExternalAccount(bankCode: bankCode, accountNo: accountNo) }
    }
}
