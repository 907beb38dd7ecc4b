/// SalurBank's HTTP client over libcurl: one `curl_multi` handle driven by one dedicated thread, with
/// keep-alive connections, TLS as the SNAP standard asks (1.3, or 1.2 with its suites when allowed;
/// verification on for every non-loopback host, and everywhere once a CA file is given; no proxy but
/// the configured one — see `CurlConnectionSettings`), and failures split into `.notSent` (safe to
/// resend) and `.outcomeUnknown` (ask the bank first).
///
/// A request's `sendBy` deadline (fence at departure) is checked when it leaves the queue, again right
/// before its transfer is added to the multi handle, and last by libcurl's pre-request callback just
/// before the first byte is written; past it the request is withheld and fails `.notSent`.
///
/// Cancelling the calling task fails a send that is still waiting for a slot with `.notSent`; a send
/// that has started is left to finish and its real outcome is returned, because aborting a money
/// request half-way would only turn a known answer into an unknown one.
package final class CurlClient: HTTPTransport {
    /// How the client talks to the bank.
    package struct Options: Sendable {
        /// Requests in flight at once (and so connections open at once); further sends wait, oldest first,
        /// without holding a thread.
        package var maxInFlight: Int = 16
        /// Limit on connecting (TCP and TLS handshake), in milliseconds.
        package var connectTimeoutMs: Int = 5_000
        /// Limit on a whole request once started, connecting included, in milliseconds. Time spent
        /// waiting for a slot does not count.
        package var requestTimeoutMs: Int = 30_000
        /// PEM file of CA certificates to trust instead of the system's: with it set, the system's
        /// bundle and CA folder are not consulted, and the peer is verified even on loopback.
        package var caFile: String? = nil
        /// Whether TLS 1.2 may be negotiated (with the SNAP standard's four GCM suites only) when the
        /// bank cannot do TLS 1.3. Off by default: TLS 1.3 or no connection.
        package var allowTLS12: Bool = false
        /// `http://host:port` of the one proxy to go through (HTTPS requests tunnel with CONNECT, so
        /// the bank's certificate is still verified end to end). Nil: straight to the bank, whatever
        /// `http_proxy`, `https_proxy`, `all_proxy` or `no_proxy` say in the environment.
        package var proxy: String? = nil
        /// PEM client certificate, for banks that require mutual TLS.
        package var clientCertFile: String? = nil
        /// PEM private key of `clientCertFile`.
        package var clientKeyFile: String? = nil
        /// Largest response body accepted; a larger one aborts the transfer with `.responseTooLarge`.
        package var maxResponseBytes: Int = 1 << 20
        /// The `User-Agent` header, unless a request sets its own.
        package var userAgent: String = "salur"

        /// The defaults above.
        package init() {}
    }

    /// Counters since the client started, e.g. for a benchmark to show that keep-alive works
    /// (`connectionsOpened` ≪ `requestsCompleted`).
    package struct Stats: Sendable, Equatable {
        /// New connections opened (CURLINFO_NUM_CONNECTS summed over transfers).
        package var connectionsOpened = 0
        /// Sends that returned a complete response, whatever its status.
        package var requestsCompleted = 0
        /// Sends that threw.
        package var requestsFailed = 0
        /// Sends now waiting for a slot.
        package var queued = 0
        /// Sends now started on the curl thread.
        package var inFlight = 0

        /// All zero.
        package init() {}
    }

    /// Why a client could not be made.
    package enum InitError: Error, Sendable, Equatable, CustomStringConvertible {
        /// An option is out of range.
        case invalidOption(name: String, reason: String)
        /// libcurl or the thread could not be set up; `code` is what `step` returned.
        case curlUnavailable(step: String, code: Int)

        /// A one-line message for logs and operators.
        package var description: String {
            switch self {
            case .invalidOption(let name, let reason):
                "invalid HTTP client option \(name): \(reason)"
            case .curlUnavailable(let step, let code):
                "cannot start the HTTP client: \(step) failed with code \(code); check that libcurl is installed and memory is available"
            }
        }
    }

    private let loop: CurlMultiLoop

    /// Starts the curl thread. Throws `InitError` if an option is out of range or curl cannot be initialised.
    package init(options: Options = .init()) throws {
        let positive: [(String, Int)] = [
            ("maxInFlight", options.maxInFlight),
            ("connectTimeoutMs", options.connectTimeoutMs),
            ("requestTimeoutMs", options.requestTimeoutMs),
        ]
        for (name, value) in positive where value < 1 {
            throw InitError.invalidOption(name: name, reason: "must be at least 1, got \(value)")
        }
        guard options.maxResponseBytes >= 0 else {
            throw InitError.invalidOption(name: "maxResponseBytes", reason: "must not be negative, got \(options.maxResponseBytes)")
        }
        loop = try CurlMultiLoop(options: options)
    }

    deinit {
        loop.shutdown()
    }

    /// Sends `request` and suspends until the curl thread has the complete response or a failure.
    /// See the type's documentation for cancellation.
    package func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        let loop = self.loop
        let id = loop.makeSendID()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                loop.enqueue(CurlPendingSend(id: id, request: request, continuation: continuation))
            }
        } onCancel: {
            loop.cancelIfWaiting(id: id)
        }
        return try result.get()
    }

    /// Stops the client: sends still waiting fail with `.notSent`, sends in flight are aborted and fail
    /// with `.outcomeUnknown` (or `.notSent` if curl had not begun sending), and the curl thread is joined.
    /// Idempotent. Blocks the calling thread until the curl thread has exited (milliseconds).
    package func shutdown() {
        loop.shutdown()
    }

    /// A snapshot of the counters.
    package var stats: Stats {
        loop.stats
    }
}
