import BankSimulator
import Foundation
import SalurBank
import SalurCore
import Testing

/// The database's request counter, in memory: hands out consecutive blocks and counts reservations.
actor BlockCounter {
    private(set) var counter: Int64 = 0
    private(set) var reservations = 0
    /// Throw on the next reservation (the database out of reach).
    var failNext = false

    func reserve(_ count: Int) throws -> ClosedRange<Int64> {
        if failNext {
            failNext = false
            throw CounterDown()
        }
        reservations += 1
        counter += Int64(count)
        return (counter - Int64(count) + 1)...counter
    }

    func failOnce() { failNext = true }

    struct CounterDown: Error, CustomStringConvertible { var description: String { "connection refused" } }
}

@Suite("Inquiries' X-EXTERNAL-IDs from the database's blocks")
struct ExternalIDSourceTests {
    /// Monday 2026-11-23, 10:00 WIB.
    static let day = WallClock.fixed(Date(timeIntervalSince1970: 1_795_402_800))

    @Test("ids come from reserved blocks, handed out from memory: one reservation per block, the day first, 24 digits")
    func blocks() async throws {
        let counter = BlockCounter()
        let source = ReservedExternalIDs(blockSize: 1_000, clock: Self.day) { try await counter.reserve($0) }
        var ids: [String] = []
        for _ in 0..<2_500 { ids.append(try await source.next()) }
        #expect(await counter.reservations == 3)
        #expect(ids.first == "202611231000000000000001" && ids.last == "202611231000000000002500")
        #expect(Set(ids).count == 2_500 && ids.allSatisfy { $0.count == 24 && $0.hasPrefix("202611231") })
    }

    @Test("callers that find the block used up at once share one reservation; none is lost")
    func concurrentCallers() async throws {
        let counter = BlockCounter()
        let source = ReservedExternalIDs(blockSize: 10, clock: Self.day) { try await counter.reserve($0) }
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<200 { group.addTask { try await source.next() } }
            var ids: [String] = []
            for try await id in group { ids.append(id) }
            return ids
        }
        #expect(Set(ids).count == 200)
        #expect(await counter.reservations == 20)
    }

    @Test("a reservation that fails fails that id only; the next call reserves again")
    func failedReservation() async throws {
        let counter = BlockCounter()
        await counter.failOnce()
        let source = ReservedExternalIDs(blockSize: 5, clock: Self.day) { try await counter.reserve($0) }
        await #expect(throws: ExternalIDUnavailable.self) { _ = try await source.next() }
        #expect(try await source.next() == "202611231000000000000001")
    }

    @Test("the default source: 32 digits starting with 9, never an attempt's or a reserved id's length, not repeating")
    func randomDefault() async throws {
        var ids: Set<String> = []
        for _ in 0..<1_000 {
            let id = try await RandomExternalIDs().next()
            #expect(id.count == 32 && id.hasPrefix("9") && id.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
            ids.insert(id)
        }
        #expect(ids.count == 1_000)
    }

    @Test("two clients (two engines) on one counter: every inquiry, balance and account check the bank receives carries its own 24-digit id, none an attempt's")
    func twoClientsAgainstTheSimulator() async throws {
        let counter = BlockCounter()
        // Small blocks, so the two clients interleave their reservations many times.
        let sim = try await SimulatedBank.start(externalIDs: ReservedExternalIDs(blockSize: 7, clock: Self.day) { try await counter.reserve($0) })
        try await Self.closing(sim) {
            let other = sim.anotherClient(externalIDs: ReservedExternalIDs(blockSize: 7, clock: Self.day) { try await counter.reserve($0) })
            let now = Self.day.now
            // A transfer attempt's id as the store makes it; its attempt number and the request counter meet in value.
            let attemptID = ExternalID.attempt(3, on: now)
            let paid = await sim.bank.transfer(SimulatedBank.instruction("SLR-XID-1", externalID: attemptID))
            guard case .settled = paid else { Issue.record("\(paid)"); return }

            try await withThrowingTaskGroup(of: Void.self) { group in
                for client in [sim.bank, other] {
                    for n in 0..<10 {
                        group.addTask {
                            _ = await client.inquire(StatusQuery(partnerReferenceNo: "SLR-XID-1", externalID: attemptID, interbank: false,
                                                                 amount: Rupiah(300_000), beneficiaryAccount: "0011223344551234"))
                            _ = await client.availableBalance()
                            _ = await client.inquireAccount("00112233445\(n)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let received = await sim.simulator.receivedExternalIDs()
            let inquiries = received.filter { $0.service != .transferIntrabank }
            #expect(inquiries.count == 60)
            #expect(Dictionary(grouping: inquiries, by: \.service).mapValues(\.count)
                    == [.transferStatus: 20, .balanceInquiry: 20, .accountInquiryInternal: 20])
            #expect(Set(received.map(\.externalID)).count == received.count, "an X-EXTERNAL-ID was sent twice")
            #expect(inquiries.allSatisfy { $0.externalID.count == 24 && $0.externalID.hasPrefix(ExternalID.jakartaDay(now) + "1") })
            #expect(received.filter { $0.service == .transferIntrabank }.map(\.externalID) == [attemptID])
            #expect(!inquiries.contains { $0.externalID == attemptID })
            // Every id is one the counter reserved: 60 used, the rest of the two clients' last blocks unused.
            let numbers = inquiries.compactMap { Int64($0.externalID.dropFirst(9)) }
            #expect(Set(numbers).count == 60 && numbers.allSatisfy { (1...(70)).contains($0) })
            #expect(await counter.counter <= 70)
        }
    }

    @Test("no id to be had: the inquiry is not sent, and says so without blaming the bank")
    func noID() async throws {
        let counter = BlockCounter()
        let sim = try await SimulatedBank.start(externalIDs: ReservedExternalIDs(blockSize: 7, clock: Self.day) { try await counter.reserve($0) })
        try await Self.closing(sim) {
            await counter.failOnce()
            let inquiry = await sim.bank.inquire(StatusQuery(partnerReferenceNo: "SLR-NOID", externalID: "1", interbank: false,
                                                             amount: Rupiah(300_000), beneficiaryAccount: "0011223344551234"))
            guard case .unknown(let reason, let bankUnavailable) = inquiry else { Issue.record("\(inquiry)"); return }
            #expect(!bankUnavailable && reason.contains("no X-EXTERNAL-ID") && reason.contains("nothing was sent"))
            await counter.failOnce()
            let balance = await sim.bank.availableBalance()
            #expect(balance == .unavailable(reason: "no X-EXTERNAL-ID: cannot reserve request ids in the database: connection refused; nothing was sent"))
            await counter.failOnce()
            guard case .unavailable = await sim.bank.inquireAccount("0011223344551234") else { Issue.record("an account check was answered"); return }
            #expect(await sim.simulator.receivedExternalIDs().isEmpty)
        }
    }

    /// Runs `body`, then shuts the simulator and the client down, whether `body` threw or not.
    static func closing(_ sim: SimulatedBank, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            try? await sim.close()
            throw error
        }
        try await sim.close()
    }
}
