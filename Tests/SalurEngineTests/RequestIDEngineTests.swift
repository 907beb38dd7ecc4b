import BankSimulator
import Foundation
import Logging
import SalurBank
import SalurCore
import SalurEngine
import SalurPostgres
import SalurStore
import SalurTestSupport
import Testing

/// Two engines on one PostgreSQL database, each with its own SNAP client drawing inquiries'
/// `X-EXTERNAL-ID`s from the database's request counter (as salurd wires it), paying through one
/// bank that loses answers: the bank never sees an id twice.
@Suite("X-EXTERNAL-IDs of several engines on one PostgreSQL", .serialized, .enabled(if: PostgresScratch.isEnabled))
struct RequestIDEngineTests {
    @Test("two engines through a bank that times out and answers pending: every X-EXTERNAL-ID distinct, attempts' 20 digits, inquiries' 24",
          .timeLimit(.minutes(5)))
    func twoEngines() async throws {
        let count = 300
        let target = try await PostgresScratch.freshTarget(prefix: "extid")
        let observer = try await PostgresLedger(target: target, maximumConnections: 2)
        defer { observer.shutdown() }
        try await PostgresSeed.transfers(observer, count: count, perBatch: 100)
        let a = try await PostgresEngineLedgerTests.engine(target), b = try await PostgresEngineLedgerTests.engine(target)
        defer { [a, b].forEach { $0.shutdown() } }
        let (simulator, client, _, credentials) = try await EngineHarness.bankSide(faults: FaultRates(timeoutAfter: 15, pending: 15))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let engines = [a, b].map { ledger in
            // Small blocks, so the two engines' reservations interleave many times.
            let bank = SNAPClient(endpoint: SNAPClient.Endpoint(baseURL: "http://127.0.0.1:\(simulator.port)", sourceAccount: "0011999999"),
                                  credentials: credentials, transport: client,
                                  externalIDs: ReservedExternalIDs(blockSize: 3) { try await ledger.reserveRequestIDs($0) })
            return Engine(ledger: ledger, bank: bank, settings: EngineHarness.settings, logger: logger)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for engine in engines { group.addTask { try await engine.run(exitWhenIdle: true) } }
            try await group.waitForAll()
        }

        #expect(try await PostgresSeed.int(observer, "SELECT count(*) FROM transfer WHERE state = 'settled'") == Int64(count))
        let received = await simulator.receivedExternalIDs()
        #expect(Set(received.map(\.externalID)).count == received.count,
                "ids sent more than once: \(Dictionary(grouping: received, by: \.externalID).filter { $0.value.count > 1 }.keys.sorted())")
        let attempts = received.filter { $0.service == .transferIntrabank }
        let inquiries = received.filter { $0.service != .transferIntrabank }
        #expect(attempts.count >= count && attempts.allSatisfy { $0.externalID.count == 20 })
        #expect(inquiries.allSatisfy { $0.externalID.count == 24 && $0.externalID.dropFirst(8).hasPrefix("1") })
        // The faults made the engines ask: status inquiries, and a balance inquiry before each batch.
        #expect(inquiries.contains { $0.service == .transferStatus } && inquiries.contains { $0.service == .balanceInquiry })
        // Every inquiry's number came out of the database's counter.
        let counter = try await PostgresSeed.int(observer, "SELECT requests FROM send_mark")
        #expect(inquiries.allSatisfy { Int64($0.externalID.dropFirst(9)).map { (1...counter).contains($0) } ?? false })
        client.shutdown()
        try await simulator.shutdown()
    }
}
