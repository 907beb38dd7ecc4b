import SalurBank
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private final class CurlTestThreadBody {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// Starts a joinable POSIX thread running `body`.
func curlTestSpawnThread(_ body: @escaping @Sendable () -> Void) -> pthread_t {
    let context = Unmanaged.passRetained(CurlTestThreadBody(body)).toOpaque()
    var handle = pthread_t()
    let code = pthread_create(&handle, nil, { context in
        Unmanaged<CurlTestThreadBody>.fromOpaque(context!).takeRetainedValue().run()
        return nil
    }, context)
    precondition(code == 0, "pthread_create failed: \(code)")
    return handle
}

/// Polls `condition` every few milliseconds until it holds or `timeout` passes; returns whether it held.
func curlEventually(timeout: Duration = .seconds(60), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return condition()
}

/// Sends `request` and returns its outcome either way, for assertions on both sides.
func curlOutcome(_ client: CurlClient, _ request: HTTPRequest) async -> Result<HTTPResponse, HTTPClientError> {
    do {
        return .success(try await client.send(request))
    } catch {
        return .failure(error)
    }
}

extension Result {
    /// The error, if this is a failure.
    var curlError: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}

extension HTTPClientError {
    /// The case's name, for `#expect` without caring about the reason text.
    var curlKind: String {
        switch self {
        case .notSent: "notSent"
        case .outcomeUnknown: "outcomeUnknown"
        case .responseTooLarge: "responseTooLarge"
        }
    }

    /// The reason text (empty for `.responseTooLarge`).
    var curlReason: String {
        switch self {
        case .notSent(let reason), .outcomeUnknown(let reason): reason
        case .responseTooLarge: ""
        }
    }
}
