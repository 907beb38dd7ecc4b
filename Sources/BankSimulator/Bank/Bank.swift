import Crypto
import _CryptoExtras
import NIOCore
import NIOHTTP1
import SalurCore
import Synchronization

/// The simulated bank: turns each complete HTTP request into an answer, keeping its ledger,
/// tokens and counters behind one mutex.
///
/// Independent of the network so it can be driven directly; `SimulatorHTTPHandler` feeds it.
final class Bank: Sendable {
    let config: BankSimulatorConfig
    let publicKey: _RSA.Signing.PublicKey
    let directory: AccountDirectory
    let routes: [String: SNAPService]
    let state: Mutex<BankState>
    /// The monotonic clock settle delays and token lifetimes are measured on.
    let clock: BankClock
    /// Accounts changed while running (`BankSimulator.setAccount`), each with the status wording
    /// its inquiry answers, if not the configured one; they take precedence over `directory`.
    let changedAccounts = Mutex<[String: (account: BankAccount, statusText: String?)]>([:])
    /// Accounts whose inquiry is refused (`BankSimulator.refuseAccountInquiry`), and the source
    /// account's status in the balance inquiry (`BankSimulator.setSourceAccountStatus`).
    let accountAnswers = Mutex(AccountAnswers())
    /// `--strict`: body fields received that the service's table does not define, per service.
    let fieldsOutsideTheStandard = Mutex<[SNAPService: Set<String>]>([:])
    /// Requests in progress and the time they spent here (`BankSimulator.concurrency()`).
    let concurrency = ConcurrencyMeter()

    /// A bank for `config`; throws when the public key cannot be read or a setting is invalid.
    init(config: BankSimulatorConfig, clock: BankClock = BankClock()) throws(BankSimulatorError) {
        try config.validate()
        self.clock = clock
        do {
            publicKey = try _RSA.Signing.PublicKey(pemRepresentation: config.clientPublicKeyPEM)
        } catch {
            throw .invalidPublicKey(reason: "\(error)")
        }
        self.config = config
        directory = AccountDirectory(accounts: config.accounts)
        routes = Dictionary(uniqueKeysWithValues: SNAPService.allCases.map { (config.path(of: $0), $0) })
        let seed = config.seed ?? UInt64.random(in: .min ... .max)
        state = Mutex(BankState(openingBalance: config.sourceBalance, faults: config.faults, seed: seed))
    }

    /// The answer to `request`.
    func handle(_ request: SimulatorRequest) -> SimulatorAnswer {
        if request.path == "/admin" || request.path.hasPrefix("/admin/") { return handleAdmin(request) }
        guard let service = routes[request.path] else {
            return .respond(.json(status: 404, [
                "responseCode": "4040002",
                "responseMessage": .string("\(SNAPStatus.invalidRouting.message): no service at \(request.path)"),
            ]))
        }
        state.withLock { $0.stats.requests[service, default: 0] += 1 }
        guard request.method == .POST else { return answer(.functionNotSupported, for: service) }
        if config.strict {
            if let refusal = StrictSchema.refusal(request, service: service) { return answer(refusal, for: service) }
            let undefined = StrictSchema.undefinedFields(request, service: service)
            if !undefined.isEmpty { fieldsOutsideTheStandard.withLock { $0[service, default: []].formUnion(undefined) } }
        }
        do throws(Refusal) {
            switch service {
            case .accessToken:
                return try issueToken(request)
            case .transferIntrabank, .transferInterbank, .transferRTGS, .transferSKN:
                return try transfer(request, service: service)
            case .transferStatus:
                return try transferStatus(request)
            case .accountInquiryInternal:
                return try accountInquiry(request)
            case .accountInquiryExternal:
                return try externalAccountInquiry(request)
            case .balanceInquiry:
                return try balanceInquiry(request)
            }
        } catch {
            return answer(error.status, for: service)
        }
    }

    /// A SNAP JSON answer: `responseCode` and `responseMessage`, then `fields`. Counts the code.
    func answer(
        _ status: SNAPStatus, for service: SNAPService, _ fields: [JSONMember] = [],
        headers: [(name: String, value: String)] = []
    ) -> SimulatorAnswer {
        let code = status.responseCode(for: service)
        state.withLock { $0.stats.responses[code, default: 0] += 1 }
        let body = JSONValue.object(
            [JSONMember("responseCode", .string(code)), JSONMember("responseMessage", .string(status.message))] + fields)
        return .respond(.json(status: status.httpStatus, body, headers: headers))
    }

    /// The SNAP wire form of an amount.
    static func amountJSON(_ amount: Rupiah) -> JSONValue {
        ["value": .string(amount.snapValue), "currency": "IDR"]
    }
}
