import Foundation
package import Logging
package import SalurCore

/// Salur's SNAP-BI client: signs and sends requests over an `HTTPTransport` (libcurl in
/// production) and classifies every answer for the exactly-once protocol.
package final class SNAPClient: BankAdapter {
    /// Where the bank's services are.
    package struct Endpoint: Sendable {
        package var baseURL: String
        package var pathPrefix: String
        package var tokenPath = "/v1.0/access-token/b2b"
        package var transferIntrabankPath = "/v1.0/transfer-intrabank"
        package var transferInterbankPath = "/v1.0/transfer-interbank"
        package var transferRTGSPath = "/v1.0/transfer-rtgs"
        package var transferSKNPath = "/v1.0/transfer-skn"
        package var transferStatusPath = "/v1.0/transfer/status"
        package var accountInquiryPath = "/v1.0/account-inquiry-internal"
        package var externalAccountInquiryPath = "/v1.0/account-inquiry-external"
        package var balanceInquiryPath = "/v1.0/balance-inquiry"
        /// The treasury's source account.
        package var sourceAccount: String
        package var tokenRefreshMarginSeconds = 60
        /// How this bank words an account's status in the account inquiry (`[bank.account_status]`).
        package var accountStatusWordings = AccountStatusWordings.standard

        package init(baseURL: String, pathPrefix: String = "", sourceAccount: String) {
            self.baseURL = baseURL
            self.pathPrefix = pathPrefix
            self.sourceAccount = sourceAccount
        }
    }

    private let endpoint: Endpoint
    private let credentials: SNAPCredentials
    private let transport: any HTTPTransport
    private let tokens: TokenCache
    private let logger: Logger
    /// Where inquiries' `X-EXTERNAL-ID`s come from (transfers carry their attempt's own).
    private let externalIDs: any ExternalIDSource
    /// The path part of `baseURL`, which the signature's relative path starts with.
    private let basePath: String
    private let origin: String
    /// Where `baseURL` leads; every request URL must lead exactly there.
    private let baseParts: CurlURLParts?
    /// `[bank] max_requests_per_second`, when set.
    private let rate: RequestRate?

    /// - Parameter externalIDs: where inquiries' `X-EXTERNAL-ID`s come from. salurd passes ids the
    ///   database allocates (`ReservedExternalIDs`), unique across every engine on it; the default,
    ///   `RandomExternalIDs`, shares nothing between processes (see there) and suits a bare client.
    /// - Parameter clock: the calendar time the token's lifetime is judged by.
    package init(endpoint: Endpoint, credentials: SNAPCredentials, transport: any HTTPTransport,
                 logger: Logger = Logger(label: "salur.bank"), externalIDs: any ExternalIDSource = RandomExternalIDs(),
                 clock: WallClock = .system, rate: RequestRate? = nil) {
        self.rate = rate
        self.endpoint = endpoint
        self.credentials = credentials
        self.transport = transport
        self.logger = logger
        tokens = TokenCache(refreshMarginSeconds: endpoint.tokenRefreshMarginSeconds, clock: clock)
        self.externalIDs = externalIDs
        var base = endpoint.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        let components = URLComponents(string: base)
        basePath = components?.path ?? ""
        origin = String(base.dropLast(basePath.count))
        baseParts = CurlURLParts(url: base)
    }

    // MARK: BankAdapter

    package func transfer(_ instruction: TransferInstruction) async -> TransferOutcome {
        let amount = SNAPAmount(value: instruction.amount.snapValue, currency: "IDR")
        // The transfer's own date, not the attempt's: every attempt of one transfer is the same request.
        let date = SNAPTimestamp.string(instruction.transactionDate ?? Date())
        let remark = instruction.remark.isEmpty ? nil : instruction.remark
        let exchange: Exchange
        do {
            switch instruction.service {
            case .intrabank, .interbank:
                let bankCode = instruction.service.bankCode
                let body = TransferRequest(
                    partnerReferenceNo: instruction.partnerReferenceNo, amount: amount,
                    beneficiaryAccountNo: instruction.beneficiaryAccount,
                    beneficiaryAccountName: bankCode != nil ? instruction.beneficiaryName : nil,
                    // `remark` is a field of 17, not of 18: an interbank transfer goes without it.
                    beneficiaryBankCode: bankCode, sourceAccountNo: endpoint.sourceAccount, transactionDate: date,
                    remark: bankCode == nil ? remark : nil)
                let path = bankCode != nil ? endpoint.transferInterbankPath : endpoint.transferIntrabankPath
                exchange = try await post(path: path, body: body, externalID: instruction.externalID, sendBy: instruction.sendBy)
            case .rtgs(let bankCode), .skn(let bankCode):
                let body = ClearingTransferRequest(
                    partnerReferenceNo: instruction.partnerReferenceNo, amount: amount,
                    beneficiaryAccountName: instruction.beneficiaryName, beneficiaryAccountNo: instruction.beneficiaryAccount,
                    beneficiaryBankCode: bankCode, beneficiaryCustomerType: instruction.beneficiaryType.rawValue,
                    sourceAccountNo: endpoint.sourceAccount, transactionDate: date, remark: remark)
                let path = instruction.service.code == "22" ? endpoint.transferRTGSPath : endpoint.transferSKNPath
                exchange = try await post(path: path, body: body, externalID: instruction.externalID, sendBy: instruction.sendBy)
            }
        } catch {
            return .notProcessed(code: nil, reason: error.description, retryAfterSeconds: nil,
                                 bankUnavailable: !error.neverLeft, neverLeft: error.neverLeft)
        }
        return SNAPClassifier.transfer(exchange, sent: instruction)
    }

    package func inquire(_ query: StatusQuery) async -> InquiryOutcome {
        // By partnerReferenceNo alone: the answer must cover every attempt of the transfer (an
        // earlier attempt may be the one booked), not just the latest external id.
        let body = StatusRequest(originalPartnerReferenceNo: query.partnerReferenceNo, originalExternalId: nil,
                                 serviceCode: query.serviceCode,
                                 amount: query.amount.map { SNAPAmount(value: $0.snapValue, currency: "IDR") })
        let externalID: String
        do { externalID = try await nextExternalID() } catch {
            return .unknown(reason: error.description, bankUnavailable: false)
        }
        do {
            let exchange = try await post(path: endpoint.transferStatusPath, body: body, externalID: externalID)
            return SNAPClassifier.inquiry(exchange, query: query)
        } catch {
            return .unknown(reason: error.description, bankUnavailable: true)
        }
    }

    package func availableBalance() async -> BalanceOutcome {
        let externalID: String
        do { externalID = try await nextExternalID() } catch { return .unavailable(reason: error.description) }
        let body = BalanceRequest(partnerReferenceNo: "BAL" + externalID, accountNo: endpoint.sourceAccount)
        do {
            let exchange = try await post(path: endpoint.balanceInquiryPath, body: body, externalID: externalID)
            return SNAPClassifier.balance(exchange)
        } catch {
            return .unavailable(reason: error.description)
        }
    }

    package func inquireAccount(_ accountNo: String) async -> AccountOutcome {
        let externalID: String
        do { externalID = try await nextExternalID() } catch { return .unavailable(reason: error.description) }
        let body = AccountInquiryRequest(partnerReferenceNo: "ACC" + externalID, beneficiaryAccountNo: accountNo)
        do {
            let exchange = try await post(path: endpoint.accountInquiryPath, body: body, externalID: externalID)
            return SNAPClassifier.account(exchange, wordings: endpoint.accountStatusWordings)
        } catch {
            return .unavailable(reason: error.description)
        }
    }

    package func inquireExternalAccount(bankCode: String, accountNo: String) async -> AccountOutcome {
        let externalID: String
        do { externalID = try await nextExternalID() } catch { return .unavailable(reason: error.description) }
        let body = ExternalAccountInquiryRequest(beneficiaryBankCode: bankCode, beneficiaryAccountNo: accountNo,
                                                 partnerReferenceNo: "ACX" + externalID)
        do {
            let exchange = try await post(path: endpoint.externalAccountInquiryPath, body: body, externalID: externalID)
            return SNAPClassifier.account(exchange, wordings: endpoint.accountStatusWordings)
        } catch {
            return .unavailable(reason: error.description)
        }
    }

    /// Fetches a token now (start-up uses this to tell the bank is reachable).
    package func warmUp() async throws {
        _ = try await accessToken()
    }

    // MARK: Wire

    /// A request that left (or may have left), with what came back.
    struct Exchange {
        let result: Result<HTTPResponse, HTTPClientError>
        let token: String
        /// The request was never handed to the network (cancelled while it waited, client shut down):
        /// it says nothing about the bank.
        var neverLeft = false
    }

    /// Why nothing was sent: no token could be had, or the request could not be made.
    struct NotSent: Error, CustomStringConvertible {
        let description: String
        /// Nothing reached for the bank (the body could not be encoded, or the task was cancelled);
        /// false when fetching the token itself failed at the bank.
        var neverLeft = false
    }

    private func post<Body: Encodable>(path: String, body: Body, externalID: String,
                                       sendBy: ContinuousClock.Instant? = nil) async throws(NotSent) -> Exchange {
        let token: String
        do {
            token = try await accessToken()
        } catch {
            throw NotSent(description: "no access token: \(error)", neverLeft: Task.isCancelled)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes: [UInt8]
        do { bytes = Array(try encoder.encode(body)) } catch { throw NotSent(description: "cannot encode request: \(error)", neverLeft: true) }
        let relative = basePath + endpoint.pathPrefix + path
        // X-TIMESTAMP and the signature are made when the request leaves the transport's queue for a
        // connection (HTTPRequest.departureHeaders), not when it is handed over: a request that waited
        // for a connection carries the time it left.
        let url = try Self.requestURL(origin: origin, relative: relative, baseParts: baseParts)
        let secret = credentials.clientSecret
        let request = HTTPRequest(method: "POST", url: url, headers: [
            (name: "Content-Type", value: "application/json"),
            (name: "Authorization", value: "Bearer \(token)"),
            (name: "X-PARTNER-ID", value: credentials.partnerID),
            (name: "X-EXTERNAL-ID", value: externalID),
            (name: "CHANNEL-ID", value: credentials.channelID),
        ], body: bytes, sendBy: sendBy, departureHeaders: {
            let timestamp = SNAPTimestamp.string()
            let signature = SNAPSignature.symmetric(method: "POST", path: relative, accessToken: token, body: bytes,
                                                    timestamp: timestamp, clientSecret: secret)
            return [(name: "X-TIMESTAMP", value: timestamp), (name: "X-SIGNATURE", value: signature)]
        })
        if let rate {
            do {
                try await rate.acquire()
            } catch is CancellationError {
                throw NotSent(description: "cancelled while waiting for the request rate", neverLeft: true)
            } catch {
                throw NotSent(description: "no request slot could be reserved: \(error)", neverLeft: true)
            }
        }
        let result: Result<HTTPResponse, HTTPClientError>
        do throws(HTTPClientError) {
            result = .success(try await transport.send(request))
        } catch {
            result = .failure(error)
        }
        if let rate, case .success(let response) = result, SNAPClassifier.isThrottle(response) {
            // Too many requests, or the frequency limit: nothing more leaves until the bank's Retry-After.
            rate.pause(seconds: SNAPClassifier.retryAfter(response) ?? 1)
        }
        if case .success(let response) = result, response.status == 401, let code = SNAPClassifier.responseCode(response),
           SNAPClassifier.isTokenRefusal(code: code, message: SNAPClassifier.responseMessage(response) ?? "") {
            await tokens.invalidate(token)
        }
        var neverLeft = false
        if case .failure(.notSent(let reason)) = result {
            neverLeft = Task.isCancelled || SNAPClassifier.isNeverLeft(notSentReason: reason)
        }
        return Exchange(result: result, token: token, neverLeft: neverLeft)
    }

    private func accessToken() async throws -> String {
        try await tokens.get { [endpoint, credentials, transport, origin, basePath, baseParts] in
            let url = try Self.requestURL(origin: origin, relative: basePath + endpoint.pathPrefix + endpoint.tokenPath,
                                          baseParts: baseParts)
            let timestamp = SNAPTimestamp.string()
            let signature = try SNAPSignature.asymmetric(clientKey: credentials.clientKey, timestamp: timestamp,
                                                         privateKey: credentials.privateKey)
            let body = Array(#"{"grantType":"client_credentials"}"#.utf8)
            let request = HTTPRequest(method: "POST", url: url, headers: [
                (name: "Content-Type", value: "application/json"),
                (name: "X-TIMESTAMP", value: timestamp),
                (name: "X-CLIENT-KEY", value: credentials.clientKey),
                (name: "X-SIGNATURE", value: signature),
            ], body: body)
            let response = try await transport.send(request)
            let decoded = try? JSONDecoder().decode(TokenResponse.self, from: Data(response.body))
            guard response.status == 200, let decoded, let token = decoded.accessToken, !token.isEmpty else {
                throw SNAPError.tokenRefused(code: decoded?.responseCode,
                                             message: decoded?.responseMessage ?? "HTTP \(response.status)")
            }
            return (token, decoded.expiresIn?.value ?? 900)
        }
    }

    /// `origin + relative`, once libcurl's reading of it shows the scheme, host and port of `baseURL`
    /// alone, no user info, no query or fragment, and exactly `relative` as its path. The config refuses
    /// a path that could do otherwise; this is the last check before anything leaves.
    static func requestURL(origin: String, relative: String, baseParts: CurlURLParts?) throws(NotSent) -> String {
        let url = origin + relative
        guard let baseParts, !baseParts.hasUserInfo else {
            throw NotSent(description: "bank.base_url \"\(origin)\" is not a URL libcurl can use; nothing was sent")
        }
        guard let parts = CurlURLParts(url: url), parts.scheme == baseParts.scheme, parts.host == baseParts.host,
              parts.port == baseParts.port, !parts.hasUserInfo, !parts.hasQuery, !parts.hasFragment, parts.path == relative else {
            throw NotSent(description: "the service path \"\(relative)\" would not lead to \(baseParts.scheme)://\(baseParts.host):\(baseParts.port) "
                          + "as written (check bank.path_prefix and [bank.paths]); nothing was sent")
        }
        return url
    }

    /// A fresh numeric `X-EXTERNAL-ID` for an inquiry (transfers use the attempt's own), one per
    /// request; nothing is sent without one.
    private func nextExternalID() async throws(ExternalIDUnavailable) -> String {
        do {
            return try await externalIDs.next()
        } catch let error as ExternalIDUnavailable {
            throw error
        } catch {
            throw ExternalIDUnavailable(reason: "\(error)")
        }
    }
}
