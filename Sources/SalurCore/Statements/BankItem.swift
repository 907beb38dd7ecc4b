/// The bank's own bookings on the treasury's account: not payments Salur made, not exceptions.
///
/// A regional treasury's account (RKUD) earns interest (jasa giro) every month, the bank withholds
/// tax on it, and charges account and transfer fees. Reconciliation recognises them by the
/// statement's own codes and by `[reconciliation.bank_items]` description rules, and reports them
/// per kind with month totals (jasa giro is regional income the treasury books).
public enum BankItemKind: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Interest credited (jasa giro, bunga).
    case interest
    /// Tax withheld on the interest (pajak jasa giro).
    case interestTax = "interest_tax"
    /// Account fees (biaya administrasi rekening).
    case accountFee = "account_fee"
    /// Fees for transfers (biaya transfer).
    case transferFee = "transfer_fee"

    /// Interest comes in; tax and fees go out. An entry the other way is not this kind of item.
    public var isCredit: Bool { self == .interest }

    public static func < (lhs: BankItemKind, rhs: BankItemKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A description rule of `[reconciliation.bank_items]`: an entry whose description contains `text`
/// (ignoring case) is a bank item of `kind`. Of several rules that fit, the longest text wins, so
/// `PAJAK JASA GIRO` (tax) is not taken for `JASA GIRO` (interest).
public struct BankItemRule: Sendable, Hashable, Codable {
    public var text: String
    public var kind: BankItemKind

    public init(text: String, kind: BankItemKind) {
        self.text = text
        self.kind = kind
    }
}
