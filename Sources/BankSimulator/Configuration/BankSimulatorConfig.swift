public import SalurCore

/// Everything the simulated bank needs: where to listen, the one client it serves, its accounts
/// and the faults to inject. Each field matches a `salur-banksim` flag.
public struct BankSimulatorConfig: Sendable {
    /// `--host`: address to listen on; loopback only unless `allowNonLoopback`.
    public var host: String = "127.0.0.1"
    /// `--port`: 0 picks a free port; `BankSimulator.port` tells which.
    public var port: Int = 0
    /// `--allow-non-loopback`.
    public var allowNonLoopback: Bool = false
    /// `--path-prefix`: put before every SNAP path (not the admin paths), e.g. `/snap`.
    public var pathPrefix: String = ""
    /// `--client-key`: the `X-CLIENT-KEY` of the one client this bank knows.
    public var clientKey: String
    /// The client's RSA public key, PEM (`--public-key` names the file).
    public var clientPublicKeyPEM: String
    /// The HMAC key of transactional signatures (`--client-secret-file` names the file).
    public var clientSecret: String
    /// `--partner-id`: the `X-PARTNER-ID` required; `nil` accepts any non-empty one.
    public var partnerID: String? = nil
    /// `--token-ttl-seconds`: lifetime of an access token, answered as `expiresIn`.
    public var tokenTTLSeconds: Int = 900
    /// `--source-account`: the client's account that transfers are debited from.
    public var sourceAccountNo: String = "1234567890"
    /// `--balance`: the source account's opening balance.
    public var sourceBalance: Rupiah = Rupiah(1_000_000_000_000)
    /// `--max-amount`: the per-transfer limit (403xx02 above it); `nil` for none.
    public var maxAmount: Rupiah? = nil
    /// `--daily-limit`: what the source account may send in one bank day (403xx23 "Account Limit
    /// Exceed" past it, until the next day); `nil` for none.
    public var dailyLimit: Rupiah? = nil
    /// `--interbank-max-amount`: the cap on service 18 (BI-FAST's Rp 250 juta, or lower); `nil` for none.
    public var interbankMaxAmount: Rupiah? = nil
    /// `--rtgs-min-amount`: the smallest RTGS transfer (22); below it the transfer is refused (403xx02).
    public var rtgsMinAmount: Rupiah = Rupiah(100_000_001)
    /// `--skn-max-amount`: SKNBI's cap per transfer (23).
    public var sknMaxAmount: Rupiah = Rupiah(1_000_000_000)
    /// `--accounts`: the bank's accounts; `nil` makes every well-formed number (6 to 20 digits)
    /// an active account named `NASABAH <last 4 digits>`.
    public var accounts: [BankAccount]? = nil
    /// `--latency-ms`: delay added to every answer (and to every dropped connection).
    public var latencyMilliseconds: Int = 0
    /// `--seed`: fixes the fault choices; `nil` picks a random seed.
    public var seed: UInt64? = nil
    /// The `--*-rate` flags.
    public var faults: FaultRates = .none
    /// `--retry-after-seconds`: the `Retry-After` of a throttled answer.
    public var retryAfterSeconds: Int = 1
    /// `--settle-after-ms`: how long a pending transfer stays pending.
    public var settleAfterMilliseconds: Int = 200
    /// `--dedupe-ref`: refuse a repeated `partnerReferenceNo` with 409xx01. Off by default, so a
    /// repeat is booked again, as some banks do.
    public var dedupePartnerReference: Bool = false
    /// `--inconsistent-ref`: answer 404xx18 "Inconsistent Request" to a repeated `partnerReferenceNo`
    /// whose service, amount or beneficiary account differ from its booking (a repeat with the same
    /// content is treated as before). Off by default.
    public var refuseInconsistentReference: Bool = false
    /// `--strict`: every request is checked against the standard's field tables before anything
    /// else (`StrictSchema`) and refused with 400xx02 / 400xx01 when it departs from them.
    public var strict: Bool = false
    /// Largest request body accepted; a larger one is answered 413 and the connection closed.
    public var bodyLimitBytes: Int = 64 * 1024
    /// Event-loop threads serving connections.
    public var eventLoopThreads: Int = 1
    /// `--active-status-text`: the account inquiry's `beneficiaryAccountStatus` for an active
    /// account. SNAP leaves it free text: the standard's sample says "Rekening aktif"; nil leaves
    /// the field out, as the standard allows.
    public var activeStatusText: String? = "active"
    /// `--inactive-status-text`: the same for an inactive account ("Rekening tidak aktif", "Dormant"…).
    public var inactiveStatusText: String? = "inactive"

    /// A configuration for one client, every other setting at its default.
    public init(clientKey: String, clientPublicKeyPEM: String, clientSecret: String) {
        self.clientKey = clientKey
        self.clientPublicKeyPEM = clientPublicKeyPEM
        self.clientSecret = clientSecret
    }

    /// `pathPrefix` with one leading `/` and no trailing one; empty for none.
    public var normalizedPathPrefix: String {
        let trimmed = pathPrefix.trimmingEdges(of: "/")
        return trimmed.isEmpty ? "" : "/" + trimmed
    }

    /// The full path of `service`, prefix included: what the client signs.
    public func path(of service: SNAPService) -> String { normalizedPathPrefix + service.standardPath }

    /// Throws the first setting that cannot work, with what to do about it.
    public func validate() throws(BankSimulatorError) {
        if !allowNonLoopback && !Self.isLoopback(host) { throw .nonLoopbackHost(host) }
        guard (0...65_535).contains(port) else {
            throw .invalidSetting(name: "--port", reason: "\(port) is not a TCP port (0 to 65535)")
        }
        guard !clientKey.isEmpty else { throw .invalidSetting(name: "--client-key", reason: "empty") }
        guard !clientSecret.isEmpty else { throw .invalidSetting(name: "--client-secret-file", reason: "the secret is empty") }
        if let partnerID, partnerID.isEmpty { throw .invalidSetting(name: "--partner-id", reason: "empty") }
        guard tokenTTLSeconds > 0 else {
            throw .invalidSetting(name: "--token-ttl-seconds", reason: "must be at least 1, not \(tokenTTLSeconds)")
        }
        guard BankAccount.isWellFormed(sourceAccountNo) else {
            throw .invalidSetting(name: "--source-account", reason: "\"\(sourceAccountNo)\" is not 6 to 20 digits")
        }
        guard sourceBalance >= .zero else {
            throw .invalidSetting(name: "--balance", reason: "must not be negative")
        }
        if let maxAmount, maxAmount <= .zero {
            throw .invalidSetting(name: "--max-amount", reason: "must be at least 1 rupiah")
        }
        guard latencyMilliseconds >= 0 else {
            throw .invalidSetting(name: "--latency-ms", reason: "must not be negative")
        }
        guard retryAfterSeconds >= 0 else {
            throw .invalidSetting(name: "--retry-after-seconds", reason: "must not be negative")
        }
        guard settleAfterMilliseconds >= 0 else {
            throw .invalidSetting(name: "--settle-after-ms", reason: "must not be negative")
        }
        guard bodyLimitBytes > 0 else {
            throw .invalidSetting(name: "bodyLimitBytes", reason: "must be positive")
        }
        guard eventLoopThreads > 0 else {
            throw .invalidSetting(name: "eventLoopThreads", reason: "must be positive")
        }
        try faults.validate()
    }

    /// Whether `host` names this machine only: `localhost`, `::1` or an address in 127.0.0.0/8.
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { octet in
            !octet.isEmpty && octet.count <= 3 && octet.allSatisfy(\.isASCII) && UInt8(octet) != nil
        }
    }
}
