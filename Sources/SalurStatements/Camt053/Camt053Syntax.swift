/// What `Camt053Parser` and `Camt053Writer` agree on.
enum Camt053Syntax {
    /// `Ustrd` is Max140Text; a full one runs on into the next.
    static let ustrdWidth = 140

    /// `ElctrncSeqNb` and `LglSeqNb` are numbers of at most 18 digits; anything else is ignored.
    static func isSequenceNumber(_ text: String) -> Bool {
        (1...18).contains(text.utf8.count) && text.utf8.allSatisfy(AmountText.isDigit)
    }
}
