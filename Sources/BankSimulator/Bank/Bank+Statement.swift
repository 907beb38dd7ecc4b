import NIOCore
import SalurCore
import SalurStatements

extension Bank {
    /// The source account's statement (rekening koran) from the ledger: settled transfers as
    /// booked debits, pending ones as pending entries (camt.053 `PDNG`; MT940 leaves them out).
    ///
    /// With `day` (WIB), the entries booked that day, opening with the balance left by every
    /// settled transfer before it; without, every entry, opening with the configured balance.
    /// Opening − booked debits = closing, so the statement passes a balance check.
    func statement(on day: CalendarDate?) -> Statement {
        let (entries, _) = ledgerSnapshot()
        let mine = entries.filter { $0.sourceAccountNo == config.sourceAccountNo && $0.status != .failed }
        let dayOf = { (entry: LedgerEntry) in CalendarDate(String(entry.bookedAt.prefix(10))) }
        var opening = config.sourceBalance
        var lines: [StatementEntry] = []
        for entry in mine {
            guard let booked = dayOf(entry) else { continue }
            if let day, booked < day {
                if entry.status == .settled { opening = (try? opening.subtracting(entry.amount)) ?? opening }
                continue
            }
            if let day, booked > day { continue }
            lines.append(StatementEntry(
                valueDate: booked, bookingDate: booked, direction: .debit, amount: entry.amount,
                status: entry.status == .settled ? .booked : .pending, bankReference: entry.referenceNo,
                customerReference: entry.partnerReferenceNo, counterpartyAccount: entry.beneficiaryAccountNo,
                description: "TRF SNAP\(entry.service.code) \(entry.partnerReferenceNo) KE \(entry.beneficiaryAccountNo)"))
        }
        var closing = opening
        for line in lines where line.status == .booked { closing = (try? closing.subtracting(line.amount)) ?? closing }
        let today = CalendarDate(SNAPTimestamp.now().day) ?? CalendarDate(year: 2000, month: 1, day: 1)!
        let first = day ?? lines.first?.valueDate ?? today
        let last = day ?? lines.last?.valueDate ?? today
        let digits = last.description.filter(\.isNumber)
        return Statement(
            accountNo: config.sourceAccountNo, statementId: day == nil ? "STMALL\(digits)" : "STM\(digits)", sequence: "1",
            openingBalance: opening, closingBalance: closing, closingAvailableBalance: closing, openingDate: first,
            closingDate: last, entries: lines, format: .mt940)
    }

    /// `GET /admin/statement?format=mt940|camt053[&date=YYYY-MM-DD]`.
    func handleStatement(_ request: SimulatorRequest) -> SimulatorAnswer {
        guard request.method == .GET else {
            return .respond(.json(status: 405, ["error": "/admin/statement takes GET"], headers: [("Allow", "GET")]))
        }
        for name in request.query.keys where name != "format" && name != "date" {
            return .respond(.json(status: 400, ["error": .string("unknown parameter \(name); use format and date")]))
        }
        var day: CalendarDate?
        if let text = request.query["date"] {
            guard let parsed = CalendarDate(text) else {
                return .respond(.json(status: 400, ["error": .string("date must be YYYY-MM-DD, found \(text)")]))
            }
            day = parsed
        }
        let statement = statement(on: day)
        switch request.query["format"] ?? "mt940" {
        case "mt940":
            return .respond(SimulatorResponse(status: 200, contentType: "text/plain; charset=utf-8",
                                              body: ByteBuffer(string: MT940Writer.write([statement]))))
        case "camt053":
            var camt = statement
            camt.format = .camt053
            return .respond(SimulatorResponse(status: 200, contentType: "application/xml",
                                              body: ByteBuffer(string: Camt053Writer.write([camt]))))
        case let other:
            return .respond(.json(status: 400, ["error": .string("format must be mt940 or camt053, found \(other)")]))
        }
    }
}
