public import SalurCore
public import SalurStatements
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A SNAP-BI bank on a local port, for the demo and the integration tests.
///
/// ```swift
/// let sim = try await BankSimulator.start(config)   // sim.port is the bound port
/// … post to http://127.0.0.1:\(sim.port) …
/// let entries = await sim.ledger()
/// try await sim.shutdown()
/// ```
public final class BankSimulator: Sendable {
    /// The address it listens on.
    public let host: String
    /// The bound port (the one the system picked when the config asked for 0).
    public let port: Int
    /// The configuration it runs with.
    public let config: BankSimulatorConfig

    private let bank: Bank
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let isShutDown = Mutex(false)

    private init(config: BankSimulatorConfig, port: Int, bank: Bank, group: MultiThreadedEventLoopGroup, channel: any Channel) {
        self.host = config.host
        self.port = port
        self.config = config
        self.bank = bank
        self.group = group
        self.channel = channel
    }

    /// Validates `config`, binds and starts serving. Throws `BankSimulatorError`.
    public static func start(_ config: BankSimulatorConfig) async throws -> BankSimulator {
        let bank = try Bank(config: config)
        let latency = TimeAmount.milliseconds(Int64(config.latencyMilliseconds))
        let bodyLimit = config.bodyLimitBytes
        let group = MultiThreadedEventLoopGroup(numberOfThreads: config.eventLoopThreads)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        SimulatorHTTPHandler(bank: bank, latency: latency, bodyLimit: bodyLimit))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: config.host, port: config.port).get()
        } catch {
            try? await group.shutdownGracefully()
            throw BankSimulatorError.cannotListen(host: config.host, port: config.port, reason: "\(error)")
        }
        guard let port = channel.localAddress?.port else {
            try? await channel.close()
            try? await group.shutdownGracefully()
            throw BankSimulatorError.cannotListen(host: config.host, port: config.port, reason: "no local address")
        }
        return BankSimulator(config: config, port: port, bank: bank, group: group, channel: channel)
    }

    /// `http://host:port`, for building request URLs.
    public var baseURL: String {
        host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
    }

    /// Every transfer received, in order; pending ones whose time has come are settled.
    public func ledger() async -> [LedgerEntry] { bank.ledgerEntries() }

    /// The source account's statement from the ledger: one day's (WIB) or, with nil, everything.
    /// `GET /admin/statement?format=mt940|camt053&date=YYYY-MM-DD` serves the same as a file.
    public func statement(on day: CalendarDate? = nil) async -> Statement { bank.statement(on: day) }

    /// The source account's balance after every settled and pending debit.
    public func balance() async -> Rupiah { bank.availableBalance() }

    /// Requests, injected faults and answers counted since start or the last reset.
    public func stats() async -> BankStats { bank.currentStats() }

    /// How many requests the bank held at once and for how long, since start or the last reset:
    /// `requestSeconds / (max_in_flight × elapsed)` is the share of a client's allowed concurrency used.
    public func concurrency() async -> BankConcurrency { bank.concurrency.figures }

    /// The `X-EXTERNAL-ID` of every authenticated transactional request (transfers, inquiries), in
    /// the order received, those refused as already used today included; cleared by `reset`.
    public func receivedExternalIDs() async -> [ReceivedExternalID] { bank.receivedExternalIDs() }

    /// Clears the ledger, the stats and the used external IDs, restoring the opening balance;
    /// fault choices restart from the seed. Issued tokens stay valid.
    public func reset() async { bank.reset() }

    /// Expires every issued access token, as the bank's clock running out would.
    public func expireTokens() async { bank.expireTokens() }

    /// Adds or changes one account while running (the bank blocks, reopens or closes it); its
    /// account inquiry then answers `statusText` as `beneficiaryAccountStatus`, or the configured
    /// wording for its status when nil. Transfers to it are refused when it is not active.
    public func setAccount(_ account: BankAccount, statusText: String? = nil) async {
        bank.changedAccounts.withLock { $0[account.accountNo] = (account, statusText) }
    }

    /// With `strict`: the body fields received so far that the standard's table for the service does
    /// not define (accepted, as banks do, but no part of the standard), per service.
    public func fieldsOutsideTheStandard() async -> [SNAPService: Set<String>] {
        bank.fieldsOutsideTheStandard.withLock { $0 }
    }

    /// Answers every account inquiry about `accountNo` with `refusal` (403xx18, 403xx09, 404xx02,
    /// 404xx16) from now on; nil answers it as before.
    public func refuseAccountInquiry(_ accountNo: String, with refusal: AccountRefusal?) async {
        bank.accountAnswers.withLock { $0.refusals[accountNo] = refusal }
    }

    /// The source account's `status` in the balance inquiry from now on (four digits: 0001 active,
    /// 0002 closed, 0006 restricted, 0007 frozen, 0009 dormant).
    public func setSourceAccountStatus(_ status: String) async {
        bank.accountAnswers.withLock { $0.sourceStatus = status }
    }

    /// Expires every issued access token, and answers a request that still carries one with `refusal`
    /// (401xx01 invalid token, 401xx03 token not found, or 401xx00 naming the token).
    public func expireTokens(answering refusal: TokenRefusal) async {
        switch refusal {
        case .invalidToken: bank.expireTokens(answering: .invalidToken)
        case .tokenNotFound: bank.expireTokens(answering: .tokenNotFound)
        case .unauthorizedToken: bank.expireTokens(answering: .unauthorized("Access Token Expired"))
        }
    }

    /// The `transactionDate` of each transfer request received for `partnerReferenceNo` (booked or
    /// not), in the order received.
    public func transactionDates(of partnerReferenceNo: String) async -> [String] { bank.transactionDates(of: partnerReferenceNo) }

    /// Books a settled transfer under `partnerReferenceNo` for another amount or account, as another
    /// installation reusing the reference would have: from then on a status inquiry about the
    /// reference answers with this booking (the latest), as a real bank does.
    @discardableResult
    public func bookElsewhere(partnerReferenceNo: String, service: SNAPService = .transferIntrabank, amount: Rupiah,
                              beneficiaryAccountNo: String) async -> LedgerEntry {
        bank.bookElsewhere(partnerReferenceNo: partnerReferenceNo, service: service, amount: amount,
                           beneficiaryAccountNo: beneficiaryAccountNo)
    }

    /// Reverses the latest settled or pending booking of `partnerReferenceNo` (`"04"` refunded,
    /// `"05"` cancelled): its debit is undone and a status inquiry reports that status. False when
    /// nothing booked carries the reference.
    @discardableResult
    public func reverse(partnerReferenceNo: String, status: String) async -> Bool {
        bank.reverse(partnerReferenceNo: partnerReferenceNo, status: status)
    }

    /// Replaces the fault rates for the requests that follow.
    public func setFaults(_ faults: FaultRates) async throws { try bank.setFaults(faults) }

    /// Closes (true) or reopens the bank's window for transfers: while closed, each is answered
    /// 403xx06 (cut-off) and nothing is booked.
    public func setCutOff(_ closed: Bool) async { bank.setCutOff(closed) }

    /// Stops listening, closes every connection and stops the event loops. Safe to call twice.
    public func shutdown() async throws {
        let first = isShutDown.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        try? await channel.close()
        try await group.shutdownGracefully()
    }
}
