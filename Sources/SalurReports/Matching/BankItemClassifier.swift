package import SalurCore
package import SalurStore

/// Recognises the bank's own items on a statement: interest (jasa giro), tax on it, account and
/// transfer fees. They pay no transfer and open no exception.
///
/// A `[reconciliation.bank_items]` description rule decides first (the operator's word; the
/// longest matching text wins, compared ignoring case), then the statement's own code:
/// - MT940 `:61:` transaction type: `NINT` interest, `NTAX` tax, `NCHG` account fee, `NCOM`
///   transfer fee (any first letter: `N`, `S`, `F`);
/// - camt.053 `BkTxCd`: sub-family `INTR` interest, `TAXE` tax, `CHRG`/`FEES` a fee (a transfer fee
///   in the `PMNT` domain, else an account fee), `COMM` transfer fee; a proprietary code read as the
///   MT940 type.
/// Interest is a credit; tax and fees are debits: an entry the other way (a fee refunded, interest
/// charged on an overdraft) is not taken for the item and is matched like any other.
package struct BankItemClassifier: Sendable {
    let rules: [(text: String, kind: BankItemKind)]

    /// `rules` from the configuration; none classifies by codes alone.
    package init(rules: [BankItemRule] = []) {
        self.rules = rules.map { (String($0.text.uppercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")), $0.kind) }
            .filter { !$0.0.isEmpty }
            .sorted { $0.0.count > $1.0.count }
    }

    /// The kind of bank item `entry` is, or nil.
    package func kind(of entry: ReconciliationEntry) -> BankItemKind? {
        guard !entry.isReversal else { return nil }
        guard let kind = ruleKind(entry.description) ?? Self.codeKind(entry.transactionCode),
              kind.isCredit == !entry.isDebit else { return nil }
        return kind
    }

    private func ruleKind(_ description: String) -> BankItemKind? {
        guard !rules.isEmpty, !description.isEmpty else { return nil }
        let text = description.uppercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return rules.first { text.contains($0.text) }?.kind
    }

    /// The kind a statement's transaction code names, or nil.
    package static func codeKind(_ code: String) -> BankItemKind? {
        // Most codes are one MT940 type (`NTRF`): read as it is, without splitting it into strings.
        if !code.utf8.contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "/") }) { return typeKind(code[...]) }
        for part in code.split(separator: " ") {
            if part.contains("/") {
                let path = part.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
                let domain = path.first ?? "", subFamily = path.count > 2 ? path[2] : ""
                switch subFamily {
                case "INTR": return .interest
                case "TAXE": return .interestTax
                case "CHRG", "FEES": return domain == "PMNT" ? .transferFee : .accountFee
                case "COMM": return .transferFee
                default: continue
                }
            }
            if let kind = typeKind(part) { return kind }
        }
        return nil
    }

    /// The kind an MT940 type of four letters names (any first letter: `NINT`, `SINT`), or nil.
    private static func typeKind(_ part: Substring) -> BankItemKind? {
        guard part.count == 4 else { return nil }
        switch part.dropFirst() {
        case "INT": return .interest
        case "TAX": return .interestTax
        case "CHG": return .accountFee
        case "COM": return .transferFee
        default: return nil
        }
    }
}
