internal import SalurCore

/// Reads ISO 20022 camt.053 bank-to-customer statements, versions `camt.053.001.02` to `.08`.
///
/// Every `BkToCstmrStmt/Stmt` becomes a `Statement`. Amounts have at most two decimals (sen); more
/// is refused with the line. A statement without an opening balance (`OPBD` or `PRCD`), as some
/// banks send, is read with `hasOpeningBalance` false: `StatementFile` derives it from the previous
/// statement's closing balance or refuses it. Each entry keeps its `BkTxCd` (`Domn/Cd`, `Fmly/Cd`,
/// `SubFmlyCd` as `ACMT/MDOP/INTR`, then the proprietary `Prtry/Cd`, space-separated). Errors name the element path
/// (`Document/BkToCstmrStmt/Stmt[2]/Ntry[5]/Amt`) and the line of its start tag; for a missing
/// element, the path it should have and its parent's line. Malformed XML names the elements open
/// where the XML parser stopped.
public enum Camt053Parser {
    /// The namespaces accepted, one per supported version.
    public static let namespaces: [String] = (2...8).map { "urn:iso:std:iso:20022:tech:xsd:camt.053.001.0\($0)" }

    /// Parses every statement in the document; throws the first problem.
    public static func parse(bytes: [UInt8], file: String) throws(StatementParseError) -> [Statement] {
        let tree: XMLTree
        do throws(XMLTree.Failure) {
            tree = try XMLTree(bytes: bytes)
        } catch {
            let path = error.openElements.isEmpty ? "Document" : error.openElements.joined(separator: "/")
            throw StatementParseError(file: file, line: error.line, field: path, reason: error.reason)
        }
        var walker = Walker(tree: tree, file: file)
        return try walker.statements()
    }

    /// Parses text already in memory.
    public static func parse(_ text: String, file: String) throws(StatementParseError) -> [Statement] {
        try parse(bytes: Array(text.utf8), file: file)
    }
}

/// Walks the tree, keeping the path of each element for messages.
private struct Walker {
    let tree: XMLTree
    let file: String
    /// The namespace of `Document`; only elements in it are read.
    private var namespace: String?

    /// An element and the path that names it.
    struct Element {
        let index: Int
        let path: String
    }

    /// Elements that may repeat, and so are named with their 1-based position.
    private static let repeating: Set<String> = ["Stmt", "Bal", "Ntry", "NtryDtls", "TxDtls", "Ustrd"]

    init(tree: XMLTree, file: String) {
        self.tree = tree
        self.file = file
    }

    mutating func statements() throws(StatementParseError) -> [Statement] {
        guard let root = tree.root else { throw StatementParseError(file: file, line: 1, field: "Document", reason: "no XML element found") }
        let document = Element(index: 0, path: root.name)
        guard root.name == "Document" else {
            throw fail(document, "the root element is \(root.name), expected Document (a camt.053 statement)")
        }
        guard let namespace = root.namespace, Camt053Parser.namespaces.contains(namespace) else {
            throw fail(document, "namespace \"\(root.namespace ?? "")\" is not camt.053 (expected urn:iso:std:iso:20022:tech:xsd:camt.053.001.02 to .08)")
        }
        self.namespace = namespace
        let message = try require(document, "BkToCstmrStmt")
        let statements = children(message, "Stmt")
        guard !statements.isEmpty else { throw missing(message, "Stmt") }
        var result: [Statement] = []
        for element in statements { result.append(try statement(element)) }
        return result
    }

    // MARK: Statement

    private func statement(_ stmt: Element) throws(StatementParseError) -> Statement {
        let id = try require(stmt, "Id")
        let statementId = text(id)
        guard !statementId.isEmpty else { throw fail(id, "the statement id is empty") }
        let sequence = [child(stmt, "ElctrncSeqNb"), child(stmt, "LglSeqNb")].compactMap { $0.map(text) }
            .first(where: Camt053Syntax.isSequenceNumber)
        let account = try require(stmt, "Acct")
        let accountId = try require(account, "Id")
        let accountNo: String
        if let iban = child(accountId, "IBAN") {
            accountNo = text(iban)
        } else if let other = child(accountId, "Othr") {
            accountNo = text(try require(other, "Id"))
        } else {
            throw missing(accountId, "Othr/Id", "the account has neither Othr/Id nor IBAN")
        }
        guard !accountNo.isEmpty else { throw fail(accountId, "the account number is empty") }
        if let currency = child(account, "Ccy") { try requireIDR(text(currency), at: currency) }

        var balances: [String: (amount: Sen, date: CalendarDate, element: Element)] = [:]
        for bal in children(stmt, "Bal") {
            let codeOrProprietary = try require(try require(bal, "Tp"), "CdOrPrtry")
            guard let codeElement = child(codeOrProprietary, "Cd") else { continue } // proprietary types are not ours
            let code = text(codeElement)
            guard ["OPBD", "PRCD", "CLBD", "CLAV"].contains(code) else { continue }
            if let first = balances[code] {
                throw fail(bal, "a second \(code) balance (the first is \(first.element.path))")
            }
            let amount = try signedAmount(bal)
            balances[code] = (amount, try date(try require(bal, "Dt")), bal)
        }
        guard let closing = balances["CLBD"] else {
            throw missing(stmt, "Bal", "no closing balance: expected a Bal with Tp/CdOrPrtry/Cd CLBD")
        }

        var entries: [StatementEntry] = []
        for ntry in children(stmt, "Ntry") { entries.append(try entry(ntry)) }
        let opening = balances["OPBD"] ?? balances["PRCD"]
        var openingDate = closing.date
        if let opening {
            openingDate = opening.date
        } else if let start = try periodStart(stmt, entries: entries) {
            openingDate = start
        }
        var statement = Statement(
            accountNo: accountNo, statementId: statementId, sequence: sequence, currency: "IDR",
            openingBalanceSen: opening?.amount ?? .zero, closingBalanceSen: closing.amount,
            closingAvailableBalanceSen: balances["CLAV"]?.amount,
            openingDate: openingDate,
            closingDate: closing.date, entries: entries, format: .camt053, sourceFile: file, sourceLine: tree.node(stmt.index).line)
        statement.hasOpeningBalance = opening != nil
        return statement
    }

    /// Where a statement without an opening balance starts: `FrToDt/FrDtTm`, else its first entry's day.
    private func periodStart(_ stmt: Element, entries: [StatementEntry]) throws(StatementParseError) -> CalendarDate? {
        if let from = child(stmt, "FrToDt").flatMap({ child($0, "FrDtTm") }) {
            let value = text(from)
            guard let date = CalendarDate(String(value.prefix(10))) else {
                throw fail(from, "\"\(value)\" is not a date-time (YYYY-MM-DDThh:mm:ss)")
            }
            return date
        }
        return entries.map { $0.bookingDate ?? $0.valueDate }.min()
    }

    // MARK: Entry

    private func entry(_ ntry: Element) throws(StatementParseError) -> StatementEntry {
        let amount = try self.amount(try requireOne(ntry, "Amt"))
        let direction = try self.direction(try requireOne(ntry, "CdtDbtInd"))
        var isReversal = false
        if let reversal = child(ntry, "RvslInd") {
            switch text(reversal) {
            case "true", "1": isReversal = true
            case "false", "0": isReversal = false
            case let other: throw fail(reversal, "RvslInd must be true or false, found \"\(other)\"")
            }
        }
        let statusElement = try require(ntry, "Sts")
        let statusCode = child(statusElement, "Cd").map(text) ?? text(statusElement)
        let status: StatementEntry.Status
        switch statusCode {
        case "BOOK": status = .booked
        case "PDNG", "INFO": status = .pending
        default: throw fail(statusElement, "entry status must be BOOK or PDNG, found \"\(statusCode)\"")
        }
        let bookingDate = try child(ntry, "BookgDt").map { (element) throws(StatementParseError) in try date(element) }
        let valueDate = try child(ntry, "ValDt").map { (element) throws(StatementParseError) in try date(element) }
        guard let value = valueDate ?? bookingDate else {
            throw missing(ntry, "ValDt", "the entry has neither ValDt nor BookgDt")
        }

        let details = children(ntry, "NtryDtls").lazy.compactMap { self.children($0, "TxDtls").first }.first
        let refs = details.flatMap { child($0, "Refs") }
        var customerReference = refs.flatMap { child($0, "EndToEndId") }.map(text) ?? ""
        if customerReference == "NOTPROVIDED" { customerReference = "" }
        let bankReference = nonEmpty(child(ntry, "AcctSvcrRef").map(text))
            ?? nonEmpty(refs.flatMap { child($0, "AcctSvcrRef") }.map(text)) ?? ""

        let parties = details.flatMap { child($0, "RltdPties") }
        let (partyName, accountName) = direction == .debit ? ("Cdtr", "CdtrAcct") : ("Dbtr", "DbtrAcct")
        let party = parties.flatMap { child($0, partyName) }
        let counterpartyName = nonEmpty(party.flatMap { child($0, "Nm") ?? child($0, "Pty").flatMap { child($0, "Nm") } }.map(oneLine))
        let accountId = parties.flatMap { child($0, accountName) }.flatMap { child($0, "Id") }
        let counterpartyAccount = nonEmpty(accountId.flatMap { child($0, "IBAN") ?? child($0, "Othr").flatMap { child($0, "Id") } }.map(text))

        var lines: [String] = []
        if let remittance = details.flatMap({ child($0, "RmtInf") }) {
            lines = children(remittance, "Ustrd").map(oneLine).filter { !$0.isEmpty }
        }
        var description = TextWrap.join(lines, full: lines.map { $0.unicodeScalars.count == Camt053Syntax.ustrdWidth })
        if description.isEmpty {
            description = nonEmpty(child(ntry, "AddtlNtryInf").map(oneLine))
                ?? nonEmpty(details.flatMap { child($0, "AddtlTxInf") }.map(oneLine)) ?? ""
        }
        return StatementEntry(valueDate: value, bookingDate: bookingDate, direction: direction, amountSen: amount,
                              isReversal: isReversal, status: status, bankReference: bankReference,
                              customerReference: customerReference, counterpartyAccount: counterpartyAccount,
                              counterpartyName: counterpartyName, description: description,
                              transactionCode: transactionCode(ntry), line: tree.node(ntry.index).line)
    }

    /// `BkTxCd` as one text: `DOMN/FMLY/SUBF` from `Domn`, then `Prtry/Cd`, space-separated; empty when none.
    private func transactionCode(_ ntry: Element) -> String {
        guard let code = child(ntry, "BkTxCd") else { return "" }
        var parts: [String] = []
        if let domain = child(code, "Domn") {
            var path = [child(domain, "Cd").map(text) ?? ""]
            if let family = child(domain, "Fmly") {
                path += [child(family, "Cd").map(text) ?? "", child(family, "SubFmlyCd").map(text) ?? ""]
            }
            parts.append(path.joined(separator: "/"))
        }
        if let proprietary = child(code, "Prtry").flatMap({ child($0, "Cd") }).map(text), !proprietary.isEmpty {
            parts.append(proprietary)
        }
        return parts.joined(separator: " ")
    }

    // MARK: Values

    /// `Amt` and `CdtDbtInd` of a balance, signed.
    private func signedAmount(_ bal: Element) throws(StatementParseError) -> Sen {
        let amount = try self.amount(try requireOne(bal, "Amt"))
        switch try direction(try requireOne(bal, "CdtDbtInd")) {
        case .credit: return amount
        case .debit: return Sen(0 - amount.value)
        }
    }

    private func amount(_ amt: Element) throws(StatementParseError) -> Sen {
        if let currency = tree.node(amt.index).attributes["Ccy"] { try requireIDR(currency, at: amt) }
        switch AmountText.sen(Substring(text(amt)), decimalSeparator: ".") {
        case .success(let amount): return amount
        case .failure(let problem): throw fail(amt, problem.reason)
        }
    }

    private func direction(_ indicator: Element) throws(StatementParseError) -> StatementEntry.Direction {
        switch text(indicator) {
        case "CRDT": .credit
        case "DBIT": .debit
        case let other: throw fail(indicator, "CdtDbtInd must be CRDT or DBIT, found \"\(other)\"")
        }
    }

    private func requireIDR(_ currency: String, at element: Element) throws(StatementParseError) {
        guard currency == "IDR" else {
            throw fail(element, "currency \"\(currency)\" is not supported: Salur reads rupiah (IDR) statements only")
        }
    }

    /// `Dt` (a date) or `DtTm` (its first ten characters) inside `container`.
    private func date(_ container: Element) throws(StatementParseError) -> CalendarDate {
        if let day = child(container, "Dt") {
            guard let date = CalendarDate(text(day)) else { throw fail(day, "\"\(text(day))\" is not a date (YYYY-MM-DD)") }
            return date
        }
        if let stamp = child(container, "DtTm") {
            let value = text(stamp)
            guard value.utf8.count >= 10, value.utf8.count == 10 || value.utf8.dropFirst(10).first == UInt8(ascii: "T"),
                  let date = CalendarDate(String(value.prefix(10))) else {
                throw fail(stamp, "\"\(value)\" is not a date-time (YYYY-MM-DDThh:mm:ss)")
            }
            return date
        }
        throw missing(container, "Dt", "expected Dt or DtTm")
    }

    // MARK: Tree access

    private func children(_ parent: Element, _ name: String) -> [Element] {
        var result: [Element] = []
        for index in tree.node(parent.index).children {
            let node = tree.node(index)
            guard node.name == name, node.namespace == namespace else { continue }
            let position = result.count + 1
            result.append(Element(index: index, path: parent.path + "/" + name + (Self.repeating.contains(name) ? "[\(position)]" : "")))
        }
        return result
    }

    private func child(_ parent: Element, _ name: String) -> Element? {
        children(parent, name).first
    }

    private func require(_ parent: Element, _ name: String) throws(StatementParseError) -> Element {
        guard let element = child(parent, name) else { throw missing(parent, name) }
        return element
    }

    /// A mandatory element that must not repeat: two `Amt`s in one entry is not a reading choice.
    private func requireOne(_ parent: Element, _ name: String) throws(StatementParseError) -> Element {
        let found = children(parent, name)
        guard let first = found.first else { throw missing(parent, name) }
        if found.count > 1 { throw fail(found[1], "\(name) appears more than once in \(parent.path)") }
        return first
    }

    private func text(_ element: Element) -> String { tree.node(element.index).text }

    /// Free text as one line: tabs and line breaks become spaces.
    private func oneLine(_ element: Element) -> String {
        MT940Syntax.spacingControls(text(element))
    }

    private func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    private func fail(_ element: Element, _ reason: String) -> StatementParseError {
        StatementParseError(file: file, line: tree.node(element.index).line, field: element.path, reason: reason)
    }

    private func missing(_ parent: Element, _ name: String, _ reason: String? = nil) -> StatementParseError {
        StatementParseError(file: file, line: tree.node(parent.index).line, field: parent.path + "/" + name,
                            reason: reason ?? "missing mandatory element \(name)")
    }
}
