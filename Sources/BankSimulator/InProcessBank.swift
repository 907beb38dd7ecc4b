public import SalurCore
import NIOCore
import NIOHTTP1

/// The bank's monotonic clock: the process's own, or the simulated one `salur-sim` runs it on.
package struct BankClock: Sendable {
    private let read: @Sendable () -> ContinuousClock.Instant

    /// The process's monotonic clock.
    package init() { read = { .now } }
    /// A clock that reads `read`.
    package init(_ read: @escaping @Sendable () -> ContinuousClock.Instant) { self.read = read }

    package var now: ContinuousClock.Instant { read() }
}

/// The simulated bank without its HTTP server: a request in, the bank's answer out, at once. For
/// `salur-sim`, which carries requests over a simulated network with its own delays and losses
/// and runs the bank on its simulated clock. Same bank, same faults as `BankSimulator` serves.
package final class InProcessBank: Sendable {
    /// What the bank does with a request.
    package enum Answer: Sendable {
        /// A response, with the headers the HTTP server would add.
        case response(status: Int, headers: [(name: String, value: String)], body: [UInt8])
        /// The connection closed without an answer.
        case dropped
    }

    private let bank: Bank

    /// Validates `config`; throws `BankSimulatorError`.
    package init(config: BankSimulatorConfig, clock: BankClock) throws {
        bank = try Bank(config: config, clock: clock)
    }

    /// The bank's answer to one request (`uri`: path and query).
    package func handle(method: String, uri: String, headers: [(name: String, value: String)], body: [UInt8]) -> Answer {
        var httpHeaders = HTTPHeaders()
        for header in headers { httpHeaders.add(name: header.name, value: header.value) }
        let answer = bank.handle(SimulatorRequest(method: HTTPMethod(rawValue: method), uri: uri, headers: httpHeaders, body: body))
        switch answer {
        case .dropConnection:
            return .dropped
        case .respond(let response):
            var out: [(name: String, value: String)] = [
                ("Content-Type", response.contentType), ("Content-Length", String(response.body.readableBytes)),
                ("X-TIMESTAMP", SNAPTimestamp.now().text),
            ]
            out += response.headers
            return .response(status: response.status, headers: out, body: Array(response.body.readableBytesView))
        }
    }

    /// Every transfer the bank has recorded, in order.
    package func ledger() -> [LedgerEntry] { bank.ledgerEntries() }

    /// Counters since the start.
    package func stats() -> BankStats { bank.currentStats() }

    /// What the source account has left.
    package func balance() -> Rupiah { bank.availableBalance() }
}

extension InProcessBank {
    /// Adds or changes one account (the bank blocks, reopens or closes it), as `BankSimulator.setAccount`.
    package func setAccount(_ account: BankAccount, statusText: String? = nil) {
        bank.changedAccounts.withLock { $0[account.accountNo] = (account, statusText) }
    }

    /// Closes or opens the bank's window for transfers (answers 403xx.. cut-off while closed).
    package func setCutOff(_ closed: Bool) { bank.setCutOff(closed) }
}
