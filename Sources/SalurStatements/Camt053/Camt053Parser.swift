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
        try parse(bytes: bytes, file: file, chunkSize: XMLSource.defaultChunkSize)
    }

    /// `parse(bytes:file:)` handing the XML parser `chunkSize` bytes at a time.
    static func parse(bytes: [UInt8], file: String, chunkSize: Int) throws(StatementParseError) -> [Statement] {
        var entries: [[StatementEntry]] = []
        var statements = try read(XMLSource(bytes: bytes, chunkSize: chunkSize), file: file) { index, entry in
            while entries.count <= index { entries.append([]) }
            entries[index].append(entry)
        }
        for index in statements.indices where index < entries.count { statements[index].entries = entries[index] }
        return statements
    }

    /// Parses text already in memory.
    public static func parse(_ text: String, file: String) throws(StatementParseError) -> [Statement] {
        try parse(bytes: Array(text.utf8), file: file)
    }

    /// Reads the document at `path` a chunk at a time, handing each entry to `entry` (with the
    /// index of its statement) as it is read: neither the file nor its entries are held. The
    /// statements come back without their entries. The same checks, the same entries and the same
    /// first problem thrown as `parse(bytes:file:)` of the file's bytes; the entries handed on
    /// before a problem is found are to be dropped. Throws `StatementParseError`, or
    /// `InputFile.Failure` when the file cannot be read.
    public static func read(path: String, file: String, chunkSize: Int = 1 << 20,
                            entry: (_ statement: Int, _ entry: StatementEntry) -> Void) throws -> [Statement] {
        let source = try XMLSource(path: path, chunkSize: chunkSize)
        let statements: [Statement]
        do throws(StatementParseError) {
            statements = try read(source, file: file, entry: entry)
        } catch {
            if let failure = source.readFailure { throw failure }
            throw error
        }
        if let failure = source.readFailure { throw failure }
        return statements
    }

    /// Reads `source` through a `Reader`: every rule is in `Walker`, which sees one statement's
    /// elements (its entries left out) and one entry's at a time.
    private static func read(_ source: XMLSource, file: String,
                             entry: (Int, StatementEntry) -> Void) throws(StatementParseError) -> [Statement] {
        try withoutActuallyEscaping(entry) { (entry) throws(StatementParseError) -> [Statement] in
            let reader = ReaderHandler(Reader(file: file, entry: entry))
            do throws(XMLTree.Failure) {
                try XMLReading.read(source, into: reader)
            } catch {
                let path = error.openElements.isEmpty ? "Document" : error.openElements.joined(separator: "/")
                throw StatementParseError(file: file, line: error.line, field: path, reason: error.reason)
            }
            return try reader.reader.finish()
        }
    }
}

/// Keeps, of a document being read, what the rules look at: the root and the message element
/// (`BkToCstmrStmt`), the elements of the statement being read except its entries, and the
/// elements of the entry being read. Each entry is read by `Walker` when it ends and its elements
/// dropped; each statement when it ends. Elements the rules never look at (`GrpHdr`, a second
/// `BkToCstmrStmt`, elements of another namespace at those levels) are not kept.
///
/// The first problem is the one `Walker` would find walking the whole document: the root's, then
/// a statement's own (its id, account, balances), then its first entry's, then its period's, in
/// statement order; it is thrown at the end, as a malformed document or a refusal anywhere in the
/// file comes before it. Once a problem is found, entries are no longer read.
private struct Reader {
    private let file: String
    private let entry: (Int, StatementEntry) -> Void

    /// Where an open element is kept.
    private enum Frame {
        case root
        case message
        case statement(Int)
        case entry(Int)
        case skipped
    }

    private var frames: [Frame] = []
    private var root: XMLTree.Node?
    private var namespace: String?
    private var message: XMLTree.Node?
    private var statementCount = 0

    /// The statement being read: its elements, entries left out.
    private var statement = XMLTree()
    /// The entry being read.
    private var current = XMLTree()
    private var entryCount = 0
    private var entryProblem: StatementParseError?
    private var earliest: CalendarDate?

    private(set) var statements: [Statement] = []
    private var problem: StatementParseError?

    init(file: String, entry: @escaping (Int, StatementEntry) -> Void) {
        self.file = file
        self.entry = entry
    }

    /// Where the statement being read (or its entry `entry`) stands, for its `Walker`'s messages.
    private func place(entry: Int? = nil) -> Walker.Place {
        Walker.Place(rootName: root?.name ?? "Document", statement: statementCount, entry: entry)
    }

    mutating func start(name: String, namespace: String?, attributes: [String: String], line: Int) {
        let node = XMLTree.Node(name: name, namespace: namespace, attributes: attributes, text: "", line: line)
        let frame: Frame
        switch frames.last {
        case nil:
            root = node
            if name == "Document", let namespace, Camt053Parser.namespaces.contains(namespace) {
                self.namespace = namespace
            }
            frame = .root
        case .root:
            if self.namespace != nil, message == nil, name == "BkToCstmrStmt", namespace == self.namespace {
                message = node
                frame = .message
            } else {
                frame = .skipped
            }
        case .message:
            guard name == "Stmt", namespace == self.namespace else { frame = .skipped; break }
            statementCount += 1
            if problem != nil { frame = .skipped; break }
            statement.reset()
            entryCount = 0
            entryProblem = nil
            earliest = nil
            frame = .statement(statement.add(node, under: nil))
        case .statement(let parent):
            if parent == 0, name == "Ntry", namespace == self.namespace {
                entryCount += 1
                if entryProblem != nil { frame = .skipped; break }
                current.reset()
                frame = .entry(current.add(node, under: nil))
            } else {
                frame = .statement(statement.add(node, under: parent))
            }
        case .entry(let parent):
            frame = .entry(current.add(node, under: parent))
        case .skipped:
            frame = .skipped
        }
        frames.append(frame)
    }

    mutating func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        switch frames.last {
        case .statement(let index) where index > 0: statement.appendText(bytes, to: index)
        case .entry(let index): current.appendText(bytes, to: index)
        // The root, the message and a statement have elements, not text: the rules never read theirs.
        default: break
        }
    }

    mutating func end() {
        guard let frame = frames.popLast() else { return }
        switch frame {
        case .statement(let index):
            statement.close(index)
            if index == 0 { endStatement() }
        case .entry(let index):
            current.close(index)
            if index == 0 { endEntry() }
        case .root, .message, .skipped:
            break
        }
    }

    private mutating func endEntry() {
        do throws(StatementParseError) {
            let read = try Walker(tree: current, place: place(entry: entryCount), file: file, namespace: namespace).entry(Walker.root)
            let day = read.bookingDate ?? read.valueDate
            if earliest.map({ day < $0 }) ?? true { earliest = day }
            entry(statementCount - 1, read)
        } catch {
            entryProblem = error
        }
        current.reset()
    }

    private mutating func endStatement() {
        do throws(StatementParseError) {
            statements.append(try Walker(tree: statement, place: place(), file: file, namespace: namespace)
                .statement(Walker.root, entryProblem: entryProblem, earliestEntry: earliest))
        } catch {
            problem = error
        }
        statement.reset()
    }

    /// The statements, or the first problem.
    func finish() throws(StatementParseError) -> [Statement] {
        guard let root else { throw StatementParseError(file: file, line: 1, field: "Document", reason: "no XML element found") }
        guard root.name == "Document" else {
            throw StatementParseError(file: file, line: root.line, field: root.name,
                                      reason: "the root element is \(root.name), expected Document (a camt.053 statement)")
        }
        guard namespace != nil else {
            throw StatementParseError(file: file, line: root.line, field: root.name, reason: "namespace \"\(root.namespace ?? "")\" is not camt.053 (expected urn:iso:std:iso:20022:tech:xsd:camt.053.001.02 to .08)")
        }
        guard let message else {
            throw StatementParseError(file: file, line: root.line, field: root.name + "/BkToCstmrStmt",
                                      reason: "missing mandatory element BkToCstmrStmt")
        }
        guard statementCount > 0 else {
            throw StatementParseError(file: file, line: message.line, field: root.name + "/BkToCstmrStmt/Stmt",
                                      reason: "missing mandatory element Stmt")
        }
        if let problem { throw problem }
        return statements
    }
}

/// The parser's callbacks handed to a `Reader`. The reader is a value behind a pointer this object
/// owns, so that each callback (tens of millions for a national statement) reaches it without the
/// run-time check every access to a class's stored property makes.
private final class ReaderHandler: XMLElementHandler {
    private let state: UnsafeMutablePointer<Reader>

    init(_ reader: Reader) {
        state = .allocate(capacity: 1)
        state.initialize(to: reader)
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    var reader: Reader { state.pointee }

    func start(name: String, namespace: String?, attributes: [String: String], line: Int) {
        state.pointee.start(name: name, namespace: namespace, attributes: attributes, line: line)
    }

    func characters(_ bytes: UnsafeBufferPointer<UInt8>) { state.pointee.characters(bytes) }
    func end() { state.pointee.end() }
}

/// The rules of a camt.053 statement and entry, over the elements of one statement (its entries
/// left out) or of one entry. An element's path, for messages, is made only when a message names it.
private struct Walker {
    let tree: XMLTree
    /// Where the tree's first element stands.
    let place: Place
    let file: String
    /// The namespace of `Document`; only elements in it are read.
    private let namespace: String?

    /// The statement (and entry) a tree is, by number: its path is made only for a message.
    struct Place {
        let rootName: String
        let statement: Int
        let entry: Int?

        /// `Document/BkToCstmrStmt/Stmt[2]`, or `…/Stmt[2]/Ntry[5]`.
        var path: String {
            let statementPath = "\(rootName)/BkToCstmrStmt/Stmt[\(statement)]"
            return entry.map { statementPath + "/Ntry[\($0)]" } ?? statementPath
        }
    }

    /// An element of the tree, by its index.
    struct Element {
        let index: Int
    }

    /// The tree's first element: the statement or the entry walked.
    static var root: Element { Element(index: 0) }

    /// Elements that may repeat, and so are named with their 1-based position.
    private static let repeating: Set<String> = ["Stmt", "Bal", "Ntry", "NtryDtls", "TxDtls", "Ustrd"]

    init(tree: XMLTree, place: Place, file: String, namespace: String?) {
        self.tree = tree
        self.place = place
        self.file = file
        self.namespace = namespace
    }

    // MARK: Statement

    /// The statement at `stmt`, without its entries: its own checks, then `entryProblem` (its
    /// first entry that could not be read), then its period. `earliestEntry` is the earliest day
    /// (booking, else value) of its entries.
    func statement(_ stmt: Element, entryProblem: StatementParseError?,
                   earliestEntry: CalendarDate?) throws(StatementParseError) -> Statement {
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
                throw fail(bal, "a second \(code) balance (the first is \(path(first.element)))")
            }
            let amount = try signedAmount(bal)
            balances[code] = (amount, try date(try require(bal, "Dt")), bal)
        }
        guard let closing = balances["CLBD"] else {
            throw missing(stmt, "Bal", "no closing balance: expected a Bal with Tp/CdOrPrtry/Cd CLBD")
        }

        if let entryProblem { throw entryProblem }
        let opening = balances["OPBD"] ?? balances["PRCD"]
        var openingDate = closing.date
        if let opening {
            openingDate = opening.date
        } else if let start = try periodStart(stmt, earliestEntry: earliestEntry) {
            openingDate = start
        }
        var statement = Statement(
            accountNo: accountNo, statementId: statementId, sequence: sequence, currency: "IDR",
            openingBalanceSen: opening?.amount ?? .zero, closingBalanceSen: closing.amount,
            closingAvailableBalanceSen: balances["CLAV"]?.amount,
            openingDate: openingDate,
            closingDate: closing.date, entries: [], format: .camt053, sourceFile: file, sourceLine: tree.line(stmt.index))
        statement.hasOpeningBalance = opening != nil
        return statement
    }

    /// Where a statement without an opening balance starts: `FrToDt/FrDtTm`, else its first entry's day.
    private func periodStart(_ stmt: Element, earliestEntry: CalendarDate?) throws(StatementParseError) -> CalendarDate? {
        if let from = child(stmt, "FrToDt").flatMap({ child($0, "FrDtTm") }) {
            let value = text(from)
            guard let date = CalendarDate(String(value.prefix(10))) else {
                throw fail(from, "\"\(value)\" is not a date-time (YYYY-MM-DDThh:mm:ss)")
            }
            return date
        }
        return earliestEntry
    }

    // MARK: Entry

    func entry(_ ntry: Element) throws(StatementParseError) -> StatementEntry {
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
                              transactionCode: transactionCode(ntry), line: tree.line(ntry.index))
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
        if let currency = tree.attribute("Ccy", of: amt.index) { try requireIDR(currency, at: amt) }
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

    /// The children of `parent` named `name` in the document's namespace, in document order.
    private func children(_ parent: Element, _ name: String) -> [Element] {
        tree.children(parent.index).compactMap { index in isRead(index, name) ? Element(index: index) : nil }
    }

    /// The first child of `parent` named `name` in the document's namespace.
    private func child(_ parent: Element, _ name: String) -> Element? {
        tree.children(parent.index).first { isRead($0, name) }.map(Element.init)
    }

    private func isRead(_ index: Int, _ name: String) -> Bool {
        tree.name(index) == name && tree.namespace(index) == namespace
    }

    /// `Document/BkToCstmrStmt/Stmt[2]/Ntry[5]/Amt`: the root's path, then each element below it by
    /// name, a repeating one with its position among its parent's children of that name.
    private func path(_ element: Element) -> String {
        var names: [String] = []
        var index = element.index
        while let parent = tree.parent(index) {
            let name = tree.name(index)
            if Self.repeating.contains(name) {
                let position = tree.children(parent).prefix { $0 != index }.count { isRead($0, name) } + 1
                names.append("\(name)[\(position)]")
            } else {
                names.append(name)
            }
            index = parent
        }
        return ([place.path] + names.reversed()).joined(separator: "/")
    }

    private func require(_ parent: Element, _ name: String) throws(StatementParseError) -> Element {
        guard let element = child(parent, name) else { throw missing(parent, name) }
        return element
    }

    /// A mandatory element that must not repeat: two `Amt`s in one entry is not a reading choice.
    private func requireOne(_ parent: Element, _ name: String) throws(StatementParseError) -> Element {
        let found = children(parent, name)
        guard let first = found.first else { throw missing(parent, name) }
        if found.count > 1 { throw fail(found[1], "\(name) appears more than once in \(path(parent))") }
        return first
    }

    private func text(_ element: Element) -> String { tree.text(element.index) }

    /// Free text as one line: tabs and line breaks become spaces.
    private func oneLine(_ element: Element) -> String {
        MT940Syntax.spacingControls(text(element))
    }

    private func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    private func fail(_ element: Element, _ reason: String) -> StatementParseError {
        StatementParseError(file: file, line: tree.line(element.index), field: path(element), reason: reason)
    }

    private func missing(_ parent: Element, _ name: String, _ reason: String? = nil) -> StatementParseError {
        StatementParseError(file: file, line: tree.line(parent.index), field: path(parent) + "/" + name,
                            reason: reason ?? "missing mandatory element \(name)")
    }
}
