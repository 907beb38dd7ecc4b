// salur-banksim: a SNAP-BI bank simulator with fault injection, for the demo and the tests.
// Wiring only: flags → BankSimulatorConfig → serve until SIGINT or SIGTERM.
import ArgumentParser
import BankSimulator
import Dispatch
import Foundation
import SalurCore

@main
struct SalurBankSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "salur-banksim",
        abstract: "A SNAP-BI bank (token, transfers, status, inquiries) with fault injection, on loopback.",
        discussion: """
            Prints "listening on HOST:PORT" as its first line, then serves until SIGINT or SIGTERM.
            Admin endpoints (no auth): GET /admin/ledger, GET /admin/stats, POST /admin/reset, \
            POST /admin/expire-tokens, and GET /admin/statement?format=mt940|camt053[&date=YYYY-MM-DD]: the source \
            account's statement from the ledger (one day in WIB, or everything), for salurctl reconcile.
            """)

    @Option(help: "The account inquiry's beneficiaryAccountStatus for an active account, e.g. \"Rekening aktif\" (the standard's sample).")
    var activeStatusText = "active"

    @Option(help: "The account inquiry's beneficiaryAccountStatus for an inactive account, e.g. \"Rekening tidak aktif\".")
    var inactiveStatusText = "inactive"

    @Option(help: "Address to listen on (loopback only unless --allow-non-loopback).")
    var host = "127.0.0.1"

    @Flag(help: "Allow a --host that is not a loopback address.")
    var allowNonLoopback = false

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port = 0

    @Option(help: "Prefix before every SNAP path, e.g. /snap (admin paths stay at /admin).")
    var pathPrefix = ""

    @Option(help: "The client's X-CLIENT-KEY.")
    var clientKey: String

    @Option(help: "PEM file with the client's RSA public key (verifies the access-token signature).")
    var publicKey: String

    @Option(help: "File holding the client secret (HMAC-SHA512 key of transactional signatures).")
    var clientSecretFile: String

    @Option(help: "The X-PARTNER-ID required; any is accepted when left out.")
    var partnerId: String?

    @Option(help: "Access token lifetime in seconds.")
    var tokenTtlSeconds = 900

    @Option(help: "The client's source account number.")
    var sourceAccount = "1234567890"

    @Option(help: "Opening balance of the source account, whole rupiah.")
    var balance: Int64 = 1_000_000_000_000

    @Option(help: "Per-transfer limit, whole rupiah (403xx02 above it); none when left out.")
    var maxAmount: Int64?

    @Option(help: "Limit of service 18 (BI-FAST) per transfer, whole rupiah (403xx02 above it); none when left out.")
    var interbankMaxAmount: Int64?

    @Option(help: "What the source account may send in one day, whole rupiah (403xx23 past it, until the next day); none when left out.")
    var dailyLimit: Int64?

    @Option(help: "CSV of accounts (account_no,name,status); without it every 6–20 digit number is active.")
    var accounts: String?

    @Option(help: "Milliseconds added to every answer.")
    var latencyMs = 0

    @Option(help: "Seed of the fault choices; random when left out.")
    var seed: UInt64?

    @Option(help: "% of transfers answered 500xx00, nothing booked.")
    var failBeforeRate = 0
    @Option(help: "% of transfers whose connection is closed unanswered, nothing booked.")
    var dropBeforeRate = 0
    @Option(help: "% of transfers booked, then answered 504xx00.")
    var timeoutAfterRate = 0
    @Option(help: "% of transfers booked, then the connection closed unanswered.")
    var dropAfterRate = 0
    @Option(help: "% of transfers answered 429xx00 with Retry-After, nothing booked.")
    var throttleRate = 0
    @Option(help: "% of transfers booked pending and answered 202xx00; they settle after --settle-after-ms.")
    var pendingRate = 0
    @Option(help: "% of transfers booked, then answered 200 with malformed JSON.")
    var garbageRate = 0
    @Option(help: "% of transfers booked, then answered 200 text/html.")
    var wrongContentTypeRate = 0
    @Option(help: "% of transfers booked, then answered 200 with a 10 MiB body.")
    var hugeBodyRate = 0
    @Option(help: "% of transfers answered 401xx00 as if the signature were wrong, nothing booked.")
    var badSignatureRate = 0

    @Option(help: "Retry-After of a throttled answer, seconds.")
    var retryAfterSeconds = 1

    @Option(help: "Milliseconds a pending transfer stays pending.")
    var settleAfterMs = 200

    @Flag(help: "Refuse a repeated partnerReferenceNo with 409xx01 (by default it is booked again).")
    var dedupeRef = false

    @Flag(help: "Answer 404xx18 to a repeated partnerReferenceNo with another service, amount or beneficiary.")
    var inconsistentRef = false

    @Flag(help: "Check every request against the SNAP standard's field tables (mandatory fields, type, length, format) and refuse one that departs from them with the standard's code (400xx02 missing mandatory field, 400xx01 invalid field format).")
    var strict = false

    func run() async throws {
        var config = BankSimulatorConfig(
            clientKey: clientKey,
            clientPublicKeyPEM: try SimulatorFile.text(at: publicKey),
            clientSecret: try SimulatorFile.secret(at: clientSecretFile))
        config.host = host
        config.allowNonLoopback = allowNonLoopback
        config.port = port
        config.pathPrefix = pathPrefix
        config.partnerID = partnerId
        config.tokenTTLSeconds = tokenTtlSeconds
        config.sourceAccountNo = sourceAccount
        config.sourceBalance = Rupiah(balance)
        config.maxAmount = maxAmount.map(Rupiah.init)
        config.interbankMaxAmount = interbankMaxAmount.map(Rupiah.init)
        config.dailyLimit = dailyLimit.map(Rupiah.init)
        if let accounts {
            config.accounts = try AccountsCSV.parse(try SimulatorFile.text(at: accounts), file: accounts)
        }
        config.latencyMilliseconds = latencyMs
        config.seed = seed
        config.faults = FaultRates(
            failBefore: failBeforeRate, dropBefore: dropBeforeRate, timeoutAfter: timeoutAfterRate,
            dropAfter: dropAfterRate, throttle: throttleRate, pending: pendingRate, garbage: garbageRate,
            wrongContentType: wrongContentTypeRate, hugeBody: hugeBodyRate, badSignature: badSignatureRate)
        config.retryAfterSeconds = retryAfterSeconds
        config.settleAfterMilliseconds = settleAfterMs
        config.dedupePartnerReference = dedupeRef
        config.activeStatusText = activeStatusText
        config.inactiveStatusText = inactiveStatusText
        config.refuseInconsistentReference = inconsistentRef
        config.strict = strict
        config.eventLoopThreads = max(1, ProcessInfo.processInfo.activeProcessorCount)

        let simulator = try await BankSimulator.start(config)
        FileHandle.standardOutput.write(Data("listening on \(simulator.host):\(simulator.port)\n".utf8))
        let signal = await Self.firstTerminationSignal()
        FileHandle.standardError.write(Data("salur-banksim: signal \(signal), shutting down\n".utf8))
        try await simulator.shutdown()
    }

    /// Waits for SIGINT or SIGTERM, which no longer end the process by themselves.
    private static func firstTerminationSignal() async -> Int32 {
        let (signals, continuation) = AsyncStream<Int32>.makeStream()
        let queue = DispatchQueue(label: "salur-banksim.signals")
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        var received: Int32 = SIGTERM
        for await number in signals {
            received = number
            break
        }
        sources.forEach { $0.cancel() }
        return received
    }
}
