import Foundation
package import SalurPostgres
package import Logging
package import SalurBank
package import SalurConfig

/// The bank as `[bank]` describes it: a libcurl client and the SNAP client over it, with the
/// secrets read from their files. A reload that changes `[bank]` (or finds rotated secrets) builds a
/// new one; the old one serves its requests in flight and is then shut down.
package final class BankConnection: Sendable {
    package let settings: SalurConfiguration.Bank
    package let transport: CurlClient
    package let client: SNAPClient
    /// Where inquiries' `X-EXTERNAL-ID`s come from: the database's request counter, kept across
    /// reloads (a new connection carries on with the same source).
    package let externalIDs: any ExternalIDSource
    /// The request slots every engine on the database shares (PostgreSQL), kept across reloads;
    /// nil: `max_requests_per_second` is this process's alone (the SQLite file's one engine).
    package let sharedSlots: (any SharedRequestSlots)?
    /// What the secret files held, to tell whether a reload found them changed.
    package let secretDigest: [UInt8]

    package init(_ bank: SalurConfiguration.Bank, logger: Logger, externalIDs: any ExternalIDSource,
                 sharedSlots: (any SharedRequestSlots)? = nil) throws {
        // The loader start-up's check and `config check` use too (StartupCheck).
        let secrets = try BankSecrets.load(bank)
        var options = CurlClient.Options()
        options.maxInFlight = bank.maxInFlight
        options.connectTimeoutMs = bank.connectTimeoutMs
        options.requestTimeoutMs = bank.requestTimeoutMs
        options.caFile = bank.caFile
        options.clientCertFile = bank.clientCertFile
        options.clientKeyFile = bank.clientKeyFile
        options.allowTLS12 = bank.tlsAllow12
        options.proxy = bank.proxy
        var endpoint = SNAPClient.Endpoint(baseURL: bank.baseURL, pathPrefix: bank.pathPrefix, sourceAccount: bank.sourceAccount)
        endpoint.tokenPath = bank.paths.token
        endpoint.transferIntrabankPath = bank.paths.transferIntrabank
        endpoint.transferInterbankPath = bank.paths.transferInterbank
        endpoint.transferRTGSPath = bank.paths.transferRTGS
        endpoint.transferSKNPath = bank.paths.transferSKN
        endpoint.externalAccountInquiryPath = bank.paths.accountInquiryExternal
        endpoint.transferStatusPath = bank.paths.transferStatus
        endpoint.accountInquiryPath = bank.paths.accountInquiryInternal
        endpoint.balanceInquiryPath = bank.paths.balanceInquiry
        endpoint.tokenRefreshMarginSeconds = bank.tokenRefreshMarginSeconds
        endpoint.accountStatusWordings = AccountStatusWordings(active: bank.accountStatus.active, notPayable: bank.accountStatus.notPayable)
        transport = try CurlClient(options: options)
        client = SNAPClient(endpoint: endpoint, credentials: secrets.credentials, transport: transport, logger: logger,
                            externalIDs: externalIDs,
                            rate: bank.maxRequestsPerSecond > 0
                                ? RequestRate(perSecond: bank.maxRequestsPerSecond, shared: sharedSlots) : nil)
        self.externalIDs = externalIDs
        self.sharedSlots = sharedSlots
        settings = bank
        secretDigest = secrets.digest
    }

    /// Whether `other` would talk to the bank exactly as this one does.
    package func isEquivalent(to other: BankConnection) -> Bool {
        settings == other.settings && secretDigest == other.secretDigest
    }
}

/// The request slots of `RequestRate` kept in a PostgreSQL database (`request_rate`), by its clock:
/// every engine on it draws from them, so together they keep to `[bank] max_requests_per_second`.
package struct DatabaseRequestSlots: SharedRequestSlots {
    package let ledger: PostgresLedger

    package init(_ ledger: PostgresLedger) { self.ledger = ledger }

    package func reserveSlots(count: Int, spacing: Duration) async throws -> Duration {
        .microseconds(try await ledger.reserveRequestSlots(count: count, spacingMicroseconds: spacing.microseconds))
    }

    package func pause(for wait: Duration) async throws {
        try await ledger.pauseRequests(microseconds: wait.microseconds)
    }
}

extension Duration {
    /// Whole microseconds.
    var microseconds: Int64 { components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000 }
}
