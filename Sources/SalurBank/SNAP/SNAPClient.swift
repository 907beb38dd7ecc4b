import Foundation
package import Logging
import SalurCore
import Synchronization

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
        package var transferStatusPath = "/v1.0/transfer/status"
        package var accountInquiryPath = "/v1.0/account-inquiry-internal"
        package var balanceInquiryPath = "/v1.0/balance-inquiry"
        /// The treasury's source account.
        package var sourceAccount: String
        package var tokenRefreshMarginSeconds = 60

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
    private let sequence: Mutex<UInt64>
    /// The path part of `baseURL`, which the signature's relative path starts with.
    private let basePath: String
    private let origin: String

    package init(endpoint: Endpoint, credentials: SNAPCredentials, transport: any HTTPTransport,
                 logger: Logger = Logger(label: "salur.bank")) {
        self.endpoint = endpoint
        self.credentials = credentials
        self.transport = transport
        self.logger = logger
        tokens = TokenCache(refreshMarginSeconds: endpoint.tokenRefreshMarginSeconds)
        sequence = Mutex(UInt64(Date().timeIntervalSince1970 * 1000) % 1_000_000_000)
        var base = endpoint.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        let components = URLComponents(string: base)
        basePath = components?.path ?? ""
        origin = String(base.dropLast(basePath.count))
    }

    // MARK: BankAdapter

    package func transfer(_ instruction: TransferInstruction) async -> TransferOutcome {
        let interbank: Bool
        let bankCode: String?
        switch instruction.service {
        case .intrabank: interbank = false; bankCode = nil
        case .interbank(let code): interbank = true; bankCode = code
        }
        let body = TransferRequest(
            partnerReferenceNo: instruction.partnerReferenceNo,
            amount: SNAPAmount(value: instruction.amount.snapValue, currency: "IDR"),
            beneficiaryAccountNo: instruction.beneficiaryAccount,
            beneficiaryAccountName: interbank ? instruction.beneficiaryName : nil,
            beneficiaryBankCode: bankCode,
            sourceAccountNo: endpoint.sourceAccount,
            transactionDate: SNAPTimestamp.string(),
            remark: instruction.remark.isEmpty ? nil : instruction.remark)
        let path = interbank ? endpoint.transferInterbankPath : endpoint.transferIntrabankPath
        let exchange: Exchange
        do {
            exchange = try await post(path: path, body: body, externalID: instruction.externalID, sendBy: instruction.sendBy)
        } catch {
            return .notProcessed(code: nil, reason: error.description, retryAfterSeconds: nil, bankUnavailable: true)
        }
        return SNAPClassifier.transfer(exchange, expectedService: interbank ? "18" : "17",
                                       partnerReferenceNo: instruction.partnerReferenceNo)
    }

    package func inquire(_ query: StatusQuery) async -> InquiryOutcome {
        // By partnerReferenceNo alone: the answer must cover every attempt of the transfer (an
        // earlier attempt may be the one booked), not just the latest external id.
        let body = StatusRequest(originalPartnerReferenceNo: query.partnerReferenceNo, originalExternalId: nil,
                                 serviceCode: query.interbank ? "18" : "17")
        do {
            let exchange = try await post(path: endpoint.transferStatusPath, body: body, externalID: nextExternalID())
            return SNAPClassifier.inquiry(exchange, partnerReferenceNo: query.partnerReferenceNo)
        } catch {
            return .unknown(reason: error.description, bankUnavailable: true)
        }
    }

    package func availableBalance() async -> BalanceOutcome {
        let body = BalanceRequest(partnerReferenceNo: "BAL" + nextExternalID(), accountNo: endpoint.sourceAccount)
        do {
            let exchange = try await post(path: endpoint.balanceInquiryPath, body: body, externalID: nextExternalID())
            return SNAPClassifier.balance(exchange)
        } catch {
            return .unavailable(reason: error.description)
        }
    }

    package func inquireAccount(_ accountNo: String) async -> AccountOutcome {
        let body = AccountInquiryRequest(partnerReferenceNo: "ACC" + nextExternalID(), beneficiaryAccountNo: accountNo)
        do {
            let exchange = try await post(path: endpoint.accountInquiryPath, body: body, externalID: nextExternalID())
            return SNAPClassifier.account(exchange)
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
    }

    /// Why nothing was sent: no token could be had.
    struct NotSent: Error, CustomStringConvertible {
        let description: String
    }

    private func post<Body: Encodable>(path: String, body: Body, externalID: String,
                                       sendBy: ContinuousClock.Instant? = nil) async throws(NotSent) -> Exchange {
        let token: String
        do {
            token = try await accessToken()
        } catch {
            throw NotSent(description: "no access token: \(error)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes: [UInt8]
        do { bytes = Array(try encoder.encode(body)) } catch { throw NotSent(description: "cannot encode request: \(error)") }
        let relative = basePath + endpoint.pathPrefix + path
        let timestamp = SNAPTimestamp.string()
        let signature = SNAPSignature.symmetric(method: "POST", path: relative, accessToken: token, body: bytes,
                                                timestamp: timestamp, clientSecret: credentials.clientSecret)
        let request = HTTPRequest(method: "POST", url: origin + relative, headers: [
            (name: "Content-Type", value: "application/json"),
            (name: "Authorization", value: "Bearer \(token)"),
            (name: "X-TIMESTAMP", value: timestamp),
            (name: "X-SIGNATURE", value: signature),
            (name: "X-PARTNER-ID", value: credentials.partnerID),
            (name: "X-EXTERNAL-ID", value: externalID),
            (name: "CHANNEL-ID", value: credentials.channelID),
        ], body: bytes, sendBy: sendBy)
        let result: Result<HTTPResponse, HTTPClientError>
        do throws(HTTPClientError) {
            result = .success(try await transport.send(request))
        } catch {
            result = .failure(error)
        }
        if case .success(let response) = result, response.status == 401,
           let code = SNAPClassifier.responseCode(response), code.caseCode == "01" {
            await tokens.invalidate(token)
        }
        return Exchange(result: result, token: token)
    }

    private func accessToken() async throws -> String {
        try await tokens.get { [endpoint, credentials, transport, origin, basePath] in
            let timestamp = SNAPTimestamp.string()
            let signature = try SNAPSignature.asymmetric(clientKey: credentials.clientKey, timestamp: timestamp,
                                                         privateKey: credentials.privateKey)
            let body = Array(#"{"grantType":"client_credentials"}"#.utf8)
            let request = HTTPRequest(method: "POST", url: origin + basePath + endpoint.pathPrefix + endpoint.tokenPath, headers: [
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

    /// A fresh numeric `X-EXTERNAL-ID` for inquiries (transfers use the attempt's own).
    private func nextExternalID() -> String {
        let n = sequence.withLock { value -> UInt64 in value += 1; return value }
        return "9" + String(n)
    }
}
