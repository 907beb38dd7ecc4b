package import SalurCore

/// Where `SNAPClient` gets the `X-EXTERNAL-ID` of every request that is not a transfer attempt
/// (status, balance and account inquiries; an attempt carries its own, from the database). SNAP
/// wants it numeric and unique per day per partner: a repeat is refused (409xx00) or, worse, taken
/// for the earlier request. The seam keeps SalurBank free of the store: salurd gives the client a
/// `ReservedExternalIDs` over the database's request counter.
package protocol ExternalIDSource: Sendable {
    /// A fresh id, numeric, at most 36 digits. Throws when none can be had (the database is out of
    /// reach); the request is then not sent.
    func next() async throws -> String
}

/// Ids from blocks of numbers the database reserves (`EngineLedger.reserveRequestIDs`), handed
/// out from memory: `ExternalID.request` — the Jakarta date, `1`, the number in 15 digits. Every
/// engine on a database draws from the same counter, and a restarted engine reserves a new block,
/// so no two requests from any of them share an id, and none equals an attempt's (20 digits).
package actor ReservedExternalIDs: ExternalIDSource {
    /// How many numbers one reservation takes by default: one database write per thousand inquiries.
    package static let defaultBlockSize = 1_000

    private let reserve: @Sendable (Int) async throws -> ClosedRange<Int64>
    private let blockSize: Int
    private let clock: WallClock
    /// The next number to hand out, and the last of the block it belongs to.
    private var nextNumber: Int64 = 1
    private var lastNumber: Int64 = 0
    /// Callers waiting for the reservation under way (made in the first caller's own task, so that it
    /// runs wherever that caller runs); nil when none is.
    private var waiting: [CheckedContinuation<Void, any Error>]?

    /// - Parameters:
    ///   - blockSize: numbers per reservation.
    ///   - clock: whose Jakarta date starts each id (the day the request is sent).
    ///   - reserve: reserves that many numbers in the database and returns them.
    package init(blockSize: Int = ReservedExternalIDs.defaultBlockSize, clock: WallClock = .system,
                 reserve: @escaping @Sendable (Int) async throws -> ClosedRange<Int64>) {
        self.blockSize = max(1, blockSize)
        self.clock = clock
        self.reserve = reserve
    }

    package func next() async throws -> String {
        while nextNumber > lastNumber {
            if waiting != nil {
                // Another caller is reserving: wait for it, then look again.
                try await withCheckedThrowingContinuation { continuation in waiting?.append(continuation) }
                continue
            }
            waiting = []
            let result: Result<Void, any Error>
            do {
                let block = try await reserve(blockSize)
                nextNumber = block.lowerBound
                lastNumber = block.upperBound
                result = .success(())
            } catch {
                result = .failure(ExternalIDUnavailable(reason: "cannot reserve request ids in the database: \(error)"))
            }
            let waiters = waiting ?? []
            waiting = nil
            for waiter in waiters { waiter.resume(with: result) }
            try result.get()
        }
        let number = nextNumber
        nextNumber += 1
        guard let id = ExternalID.request(number, on: clock.now) else {
            throw ExternalIDUnavailable(reason: "the request id counter reached \(number), more than \(ExternalID.requestDigits) digits")
        }
        return id
    }
}

/// The source a `SNAPClient` uses when it is given none (tests, tools that build a bare client):
/// 32 digits, `9` and 31 random ones from the system's secure generator. It keeps no state a
/// database shares, so it is NOT the coordinated allocation salurd uses; two processes could in
/// principle draw the same id, but with 10^31 values per day that chance is nil for any real
/// volume, and unlike a counter seeded from the time it does not repeat after a restart. Its
/// length (32) differs from an attempt's (20) and a reserved request id's (24), so it never equals either.
package struct RandomExternalIDs: ExternalIDSource {
    package init() {}

    package func next() async throws -> String {
        var generator = SystemRandomNumberGenerator()
        var id = "9"
        // 31 digits: a 16-digit and a 15-digit random number, each zero-padded.
        for width in [16, 15] {
            let limit: UInt64 = width == 16 ? 10_000_000_000_000_000 : 1_000_000_000_000_000
            let text = String(UInt64.random(in: 0..<limit, using: &generator))
            id += String(repeating: "0", count: width - text.count) + text
        }
        return id
    }
}

/// No `X-EXTERNAL-ID` could be had, so the request was not sent.
package struct ExternalIDUnavailable: Error, CustomStringConvertible {
    package let reason: String
    package var description: String { "no X-EXTERNAL-ID: \(reason); nothing was sent" }
}
