package import SalurCore

/// A transfer with what the statements say about it: the reconciliation export's row.
package struct ReconciledTransfer: Sendable, Equatable {
    package let transfer: TransferRecord
    /// The entry that pays it (reference or weak match), when one does.
    package let entry: MatchedEntry?
    /// How it was matched: `reference`, `weak`, or empty.
    package let matchKind: String
    /// Further debits of the same transfer (duplicate payments).
    package let duplicates: Int
    /// Kinds of its open exceptions, sorted.
    package let openExceptions: [String]
    /// Its recipient is flagged for the operator (the money came back).
    package let recipientFlagged: Bool
}

/// A statement entry as the exports cite it.
package struct MatchedEntry: Sendable, Equatable, Codable {
    package let entryID: Int64
    package let statementId: String
    package let sequence: String
    package let line: Int
    package let sourceFile: String
    package let valueDate: String
    package let bankReference: String
    package let amount: Int64
    /// The sen beyond `amount` (whole rupiah), when the entry has them.
    package var amountSenPart: Int64 = 0

    /// The entry's amount exactly.
    package var amountSen: Sen { Sen(whole: amount, senPart: amountSenPart) ?? Sen(amount) }
}

/// One stored statement and how it reconciles: a row of `export statement-check`.
package struct StatementCheck: Sendable, Equatable, Codable {
    package let rowID: Int64
    package let accountNo: String
    package let statementId: String
    package let sequence: String
    package let format: String
    package let openingDate: String
    package let closingDate: String
    package let openingBalance: Int64
    package let creditCount: Int
    package let creditTotal: Int64
    package let debitCount: Int
    package let debitTotal: Int64
    package let closingBalance: Int64
    /// Opening + credits − debits = closing (always true when stored: unbalanced files are refused).
    package var balanced: Bool
    /// Opening balance minus the previous statement's closing balance on the same account; 0 when
    /// they chain, nil for the first statement.
    package let gapFromPrevious: Int64?
    package let matchedDebits: Int
    package let matchedAmount: Int64
    package let weakDebits: Int
    package let duplicateDebits: Int
    package let unmatchedDebits: Int
    package let unmatchedAmount: Int64
    package let returns: Int
    package let openExceptions: Int
    package let sourceFile: String
    package let fileSHA256: String
    package let importedBy: String
    package let importedAt: String
    /// The amounts above exactly, in sen (the columns above keep whole rupiah, sen dropped): what
    /// the export writes, with the sen where the statement has them.
    package var exact = ExactAmounts()
    /// Where the opening balance came from when the file gave none (camt.053 without `OPBD`).
    package var openingDerivedFrom: String?
    /// The bank's own items on the statement (interest, tax, fees), by kind.
    package var bankItems: [String: BankItemTotal] = [:]

    /// A statement's amounts in sen.
    package struct ExactAmounts: Sendable, Equatable, Codable {
        package var openingBalance = Sen.zero
        package var creditTotal = Sen.zero
        package var debitTotal = Sen.zero
        package var closingBalance = Sen.zero
        package var gapFromPrevious: Sen?
        package var matchedAmount = Sen.zero
        package var unmatchedAmount = Sen.zero

        package init() {}
    }
}
