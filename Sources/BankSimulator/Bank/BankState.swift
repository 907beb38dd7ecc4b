import SalurCore

/// Everything that changes while the bank runs. Always used under `Bank`'s mutex, so every
/// check-then-book is atomic.
struct BankState: Sendable {
    let openingBalance: Rupiah
    let seed: UInt64

    /// Access token → expiry.
    var tokens: [String: ContinuousClock.Instant] = [:]
    /// `partner|day|X-EXTERNAL-ID` keys seen.
    var externalIDs: Set<String> = []
    /// Every authenticated request's `X-EXTERNAL-ID`, in the order received (duplicates included).
    var receivedExternalIDs: [ReceivedExternalID] = []
    var records: [LedgerRecord] = []
    var indicesByPartnerReference: [String: [Int]] = [:]
    var indicesByExternalID: [String: [Int]] = [:]
    var indexByReferenceNo: [String: Int] = [:]
    var pendingIndices: [Int] = []
    /// Settled and pending debits.
    var booked: Rupiah = .zero
    /// Pending debits only.
    var reserved: Rupiah = .zero
    var stats = BankStats()
    /// What a request with an unknown or expired token is answered (401xx01 unless a test asks otherwise).
    var staleTokenAnswer: SNAPStatus = .invalidToken
    /// The `transactionDate` of every well-formed transfer request, per `partnerReferenceNo`, in order
    /// (booked or not): what a client sent on each attempt.
    var transactionDates: [String: [String]] = [:]
    var faults: FaultRates
    /// Past the cut-off: every transfer is answered 403xx06 and nothing is booked.
    var cutOff = false
    var generator: SeededGenerator
    /// Never reset, so bank references stay unique for the process's life.
    var referenceSerial: UInt64 = 0

    init(openingBalance: Rupiah, faults: FaultRates, seed: UInt64) {
        self.openingBalance = openingBalance
        self.faults = faults
        self.seed = seed
        self.generator = SeededGenerator(seed: seed)
    }

    /// Balance after every settled and pending debit: what a new transfer may spend.
    var availableBalance: Rupiah { (try? openingBalance.subtracting(booked)) ?? .zero }

    /// Balance after settled debits only.
    var ledgerBalance: Rupiah { (try? availableBalance.adding(reserved)) ?? .zero }

    /// Forgets the ledger, the stats and the external IDs, and replays faults from the seed.
    /// Tokens stay valid, so a connected client carries on.
    mutating func reset() {
        externalIDs = []
        receivedExternalIDs = []
        records = []
        indicesByPartnerReference = [:]
        indicesByExternalID = [:]
        indexByReferenceNo = [:]
        pendingIndices = []
        booked = .zero
        reserved = .zero
        bookedByDay = [:]
        stats = BankStats()
        transactionDates = [:]
        generator = SeededGenerator(seed: seed)
    }

    /// Settles every pending entry whose time has come.
    mutating func settleDue(at now: ContinuousClock.Instant) {
        guard !pendingIndices.isEmpty else { return }
        pendingIndices.removeAll { index in
            guard let settlesAt = records[index].settlesAt, settlesAt <= now else { return false }
            records[index].entry.status = .settled
            records[index].settlesAt = nil
            reserved = (try? reserved.subtracting(records[index].entry.amount)) ?? .zero
            return true
        }
    }

    /// Records `true` once per `key`; `false` when the key was seen before.
    mutating func claimExternalID(_ key: String) -> Bool {
        externalIDs.insert(key).inserted
    }

    /// Rolls every fault once (so the sequence depends only on the number of requests) and returns
    /// the first that fired, in `SimulatedFault.allCases` order. The caller counts it once applied.
    mutating func rollFault() -> SimulatedFault? {
        var chosen: SimulatedFault?
        for fault in SimulatedFault.allCases {
            let fired = generator.roll(percent: faults[fault])
            if fired && chosen == nil { chosen = fault }
        }
        return chosen
    }

    /// A fresh bank reference: `yyyyMMdd` + 10 digits.
    mutating func nextReferenceNo(day: String) -> String {
        referenceSerial += 1
        let serial = String(referenceSerial)
        return day.filter(\.isNumber) + String(repeating: "0", count: max(0, 10 - serial.count)) + serial
    }

    /// Appends an entry and debits the source account unless it failed.
    /// What was booked per bank day (`yyyy-MM-dd`, the day the request was received), for `dailyLimit`.
    var bookedByDay: [String: Rupiah] = [:]

    mutating func append(_ record: LedgerRecord) throws(MoneyError) {
        if record.entry.status != .failed {
            booked = try booked.adding(record.entry.amount)
            let day = String(record.entry.bookedAt.prefix(10))
            bookedByDay[day] = try (bookedByDay[day] ?? .zero).adding(record.entry.amount)
            if record.entry.status == .pending { reserved = try reserved.adding(record.entry.amount) }
        }
        let index = records.count
        records.append(record)
        indicesByPartnerReference[record.entry.partnerReferenceNo, default: []].append(index)
        indicesByExternalID[record.entry.externalId, default: []].append(index)
        indexByReferenceNo[record.entry.referenceNo] = index
        if record.entry.status == .pending { pendingIndices.append(index) }
    }

    /// Whether a pending or settled transfer carries `partnerReferenceNo` with another service,
    /// amount or beneficiary account than `order`.
    func hasInconsistentTransfer(_ order: TransferOrder) -> Bool {
        indicesByPartnerReference[order.partnerReferenceNo, default: []].contains {
            let entry = records[$0].entry
            return entry.status != .failed && (entry.service != order.service || entry.amount != order.amount
                || entry.beneficiaryAccountNo != order.beneficiaryAccountNo)
        }
    }

    /// Whether a pending or settled transfer already carries `partnerReferenceNo`.
    func hasLiveTransfer(partnerReferenceNo: String) -> Bool {
        indicesByPartnerReference[partnerReferenceNo, default: []].contains { records[$0].entry.status != .failed }
    }
}
