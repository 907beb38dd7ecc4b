import NIOHTTP1
import SalurCore

extension Bank {
    /// Every ledger entry, in booking order, pending ones settled if their time has come.
    func ledgerEntries() -> [LedgerEntry] { ledgerSnapshot().entries }

    /// The entries and the available balance, read together.
    func ledgerSnapshot() -> (entries: [LedgerEntry], balance: Rupiah) {
        let now = clock.now
        return state.withLock { state in
            state.settleDue(at: now)
            return (state.records.map(\.entry), state.availableBalance)
        }
    }

    /// The source account's available balance: opening balance less settled and pending debits.
    func availableBalance() -> Rupiah {
        let now = clock.now
        return state.withLock { state in
            state.settleDue(at: now)
            return state.availableBalance
        }
    }

    /// The counters.
    func currentStats() -> BankStats { state.withLock { $0.stats } }

    /// Clears the ledger, the stats and the used external IDs; replays faults from the seed.
    func reset() {
        state.withLock { $0.reset() }
        concurrency.reset()
    }

    /// Every authenticated request's `X-EXTERNAL-ID`, in the order received.
    func receivedExternalIDs() -> [ReceivedExternalID] { state.withLock { $0.receivedExternalIDs } }

    /// Expires every issued token, so the next request gets 401xx01.
    func expireTokens() { state.withLock { $0.tokens = [:] } }

    /// Expires every issued token; requests that carry one are answered `refusal` from now on.
    func expireTokens(answering refusal: SNAPStatus) {
        state.withLock {
            $0.tokens = [:]
            $0.staleTokenAnswer = refusal
        }
    }

    /// The `transactionDate` of each transfer request received for `partnerReferenceNo`, in order.
    func transactionDates(of partnerReferenceNo: String) -> [String] {
        state.withLock { $0.transactionDates[partnerReferenceNo, default: []] }
    }

    /// Books a settled transfer under `partnerReferenceNo` as if another client (another installation
    /// reusing the reference) had sent it: a status inquiry about the reference then answers with it.
    func bookElsewhere(partnerReferenceNo: String, service: SNAPService, amount: Rupiah, beneficiaryAccountNo: String) -> LedgerEntry {
        let received = SNAPTimestamp.now()
        return state.withLock { state in
            let entry = LedgerEntry(
                seq: state.records.count + 1, service: service, partnerReferenceNo: partnerReferenceNo,
                externalId: "0", referenceNo: state.nextReferenceNo(day: received.day),
                sourceAccountNo: config.sourceAccountNo, beneficiaryAccountNo: beneficiaryAccountNo,
                beneficiaryBankCode: nil, amount: amount, status: .settled, bookedAt: received.text)
            // A booking that cannot be debited (over the opening balance) is still listed.
            var record = LedgerRecord(entry: entry, answeredCode: SNAPStatus.successful.responseCode(for: service),
                                      transactionDate: received.text)
            if (try? state.append(record)) == nil {
                record.entry.status = .failed
                try? state.append(record)
            }
            return entry
        }
    }

    /// Reverses the latest booking of `partnerReferenceNo` as a bank's back office does (`04`
    /// refunded, `05` cancelled): the debit is undone, and a status inquiry reports `status`.
    /// Returns false when nothing settled or pending carries the reference.
    func reverse(partnerReferenceNo: String, status: String) -> Bool {
        let now = clock.now
        return state.withLock { state in
            state.settleDue(at: now)
            guard let index = state.indicesByPartnerReference[partnerReferenceNo, default: []].last(where: {
                state.records[$0].entry.status != .failed
            }) else { return false }
            let amount = state.records[index].entry.amount
            if state.records[index].entry.status == .pending {
                state.reserved = (try? state.reserved.subtracting(amount)) ?? .zero
                state.pendingIndices.removeAll { $0 == index }
                state.records[index].settlesAt = nil
            }
            state.booked = (try? state.booked.subtracting(amount)) ?? .zero
            state.records[index].entry.status = .failed
            state.records[index].reversedStatus = status
            return true
        }
    }

    /// Replaces the fault rates from the next request on.
    /// Opens or closes the bank's transfer window (403xx06 while closed).
    func setCutOff(_ closed: Bool) { state.withLock { $0.cutOff = closed } }

    func setFaults(_ faults: FaultRates) throws(BankSimulatorError) {
        try faults.validate()
        state.withLock { $0.faults = faults }
    }

    /// `GET /admin/ledger`, `GET /admin/stats`, `GET /admin/statement`, `POST /admin/reset`,
    /// `POST /admin/expire-tokens`. No authentication: the simulator listens on loopback only.
    func handleAdmin(_ request: SimulatorRequest) -> SimulatorAnswer {
        if request.path == "/admin/statement" { return handleStatement(request) }
        let routes: [String: (HTTPMethod, () -> JSONValue)] = [
            "/admin/ledger": (.GET, { [self] in
                let snapshot = ledgerSnapshot()
                return .object([
                    JSONMember("entries", .array(snapshot.entries.map(\.json))),
                    JSONMember("balance", .number(String(snapshot.balance.value))),
                ])
            }),
            "/admin/stats": (.GET, { [self] in currentStats().json }),
            "/admin/reset": (.POST, { [self] in
                reset()
                return ["reset": true]
            }),
            "/admin/expire-tokens": (.POST, { [self] in
                expireTokens()
                return ["expired": true]
            }),
        ]
        guard let (method, action) = routes[request.path] else {
            return .respond(.json(status: 404, ["error": .string("no admin endpoint at \(request.path)")]))
        }
        guard request.method == method else {
            return .respond(.json(status: 405, ["error": .string("\(request.path) takes \(method.rawValue)")],
                                  headers: [("Allow", method.rawValue)]))
        }
        return .respond(.json(status: 200, action()))
    }
}
