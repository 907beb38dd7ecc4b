/// The SNAP-BI standard's bounds on fields Salur sends, checked where each value enters Salur (the
/// config, an import, the command line) so that no request the standard refuses is ever formed.
public enum SNAPBounds {
    /// `X-PARTNER-ID`: at most 36 characters.
    public static let partnerID = 36
    /// `CHANNEL-ID`: at most 5 characters.
    public static let channelID = 5
    /// `sourceAccountNo` of the credit transfers (17, 18, 22, 23): at most 19 characters.
    public static let sourceAccountNo = 19
    /// `accountNo` of the balance inquiry (11): at most 16 characters.
    public static let balanceAccountNo = 16
    /// `beneficiaryBankCode`: at most 11 characters (a bank code or a BIC).
    public static let bankCode = 11
}
