package import SalurCore

/// The booked entries matching reads, in entry id order: the stored ones as read, then the booked
/// lines of the statements about to be stored, made into entries when read — so that a statement of
/// a million lines is not held a second time as entries.
package struct ReconciliationEntries: RandomAccessCollection, Sendable {
    private var stored: [ReconciliationEntry]
    private var fresh: [(record: StatementRecord, rowID: Int64, firstID: Int64)] = []
    /// Per new booked entry: its statement (index into `fresh`) and line (index into its lines).
    private var freshLines: [(record: Int32, line: Int32)] = []

    package init(_ stored: [ReconciliationEntry] = []) {
        self.stored = stored
    }

    package var startIndex: Int { 0 }
    package var endIndex: Int { stored.count + freshLines.count }

    package subscript(index: Int) -> ReconciliationEntry {
        if index < stored.count { return stored[index] }
        let (recordIndex, lineIndex) = freshLines[index - stored.count]
        let (record, rowID, firstID) = fresh[Int(recordIndex)]
        let line = record.lines[Int(lineIndex)]
        return ReconciliationEntry(
            id: firstID + Int64(lineIndex), statement: rowID, valueDate: line.valueDate, bookingDate: line.bookingDate,
            isDebit: line.isDebit, isReversal: line.isReversal, amountSen: line.amountSen, transactionCode: line.transactionCode,
            bankReference: line.bankReference, customerReference: line.customerReference,
            counterpartyAccount: line.counterpartyAccount, description: line.description, line: line.line)
    }

    /// The bank references of these entries, kept once each, for `ReconciliationTransfer`s read
    /// after them to share (see `SharedText`).
    package func bankReferences() -> SharedText {
        var text = SharedText(capacity: count)
        for entry in stored { text.keep(entry.bankReference) }
        for (record, _, _) in fresh {
            for line in record.lines where line.isBooked { text.keep(line.bankReference) }
        }
        return text
    }

    /// Adds the booked entries of the statements about to be stored (row ids chosen), and the
    /// statements to `references`. Every line of a statement, booked or not, gets the next entry id
    /// from `firstID` on, in file order; returns each statement's first entry id.
    package mutating func addNew(_ statements: [(record: StatementRecord, rowID: Int64)], firstID: Int64,
                                 references: inout [Int64: StatementReference]) -> [Int64] {
        var next = firstID
        var firstIDs: [Int64] = []
        freshLines.reserveCapacity(statements.reduce(0) { $0 + $1.record.lines.count })
        for (record, rowID) in statements {
            references[rowID] = StatementReference(statementId: record.statementId, sequence: record.sequence, sourceFile: record.sourceFile)
            firstIDs.append(next)
            let recordIndex = Int32(fresh.count)
            fresh.append((record, rowID, next))
            for (position, line) in record.lines.enumerated() where line.isBooked {
                freshLines.append((recordIndex, Int32(position)))
            }
            next += Int64(record.lines.count)
        }
        return firstIDs
    }
}

/// Text read from a store made to share the storage of equal text already held: a transfer's bank
/// reference is the one its statement debit carries, so a million transfers read after a million
/// entries add no second million strings. Text of 15 bytes or fewer is held inline and never kept.
package struct SharedText {
    private var kept: Set<String> = []

    /// `capacity`: about how many texts will be kept (the set is sized once, not grown by doubling).
    package init(capacity: Int = 0) {
        kept.reserveCapacity(capacity)
    }

    /// Keeps `text` (when it is held out of line) for `shared` to hand out.
    package mutating func keep(_ text: String) {
        if text.utf8.count > 15 { kept.insert(text) }
    }

    /// The kept text equal to `text`, or `text` itself.
    package func shared(_ text: String) -> String {
        guard text.utf8.count > 15, let index = kept.firstIndex(of: text) else { return text }
        return kept[index]
    }
}
