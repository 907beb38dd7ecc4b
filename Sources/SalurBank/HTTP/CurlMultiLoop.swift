import CCurl
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one curl multi handle and the one thread that drives it. Callers hand sends over through
/// `shared` and wake the thread with `curl_multi_wakeup`; the thread starts at most `maxInFlight`
/// transfers, runs them with `curl_multi_perform`/`curl_multi_poll`, and resumes each caller's continuation.
final class CurlMultiLoop: @unchecked Sendable {
    // @unchecked: `multi` and `inFlight` belong to the curl thread (bar the thread-safe curl_multi_wakeup); the rest is in Mutexes.

    private struct Shared {
        var queue = CurlSendQueue()
        var isShutDown = false
        var stats = CurlClient.Stats()
    }

    private let options: CurlClient.Options
    private let multi: UnsafeMutableRawPointer
    private let shared = Mutex(Shared())
    private let lastID = Atomic<UInt64>(0)
    /// The curl thread until someone has joined it.
    private let thread = Mutex<pthread_t?>(nil)
    /// Transfers added to `multi`, by easy handle. Curl thread only.
    private var inFlight: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    init(options: CurlClient.Options) throws(CurlClient.InitError) {
        guard CurlGlobal.initCode == CURLE_OK.rawValue else {
            throw .curlUnavailable(step: "curl_global_init", code: Int(CurlGlobal.initCode))
        }
        guard let multi = curl_multi_init() else {
            throw .curlUnavailable(step: "curl_multi_init", code: 0)
        }
        self.options = options
        self.multi = multi
        // The cache keeps idle keep-alive connections; one connection per transfer in flight at most.
        let limits: [(CURLMoption, Int)] = [
            (CURLMOPT_MAX_TOTAL_CONNECTIONS, options.maxInFlight),
            (CURLMOPT_MAX_HOST_CONNECTIONS, options.maxInFlight),
            (CURLMOPT_MAXCONNECTS, options.maxInFlight),
            (CURLMOPT_PIPELINING, Int(CURLPIPE_NOTHING)),
        ]
        for (option, value) in limits {
            let code = ccurl_multi_setopt_long(multi, option, value)
            guard code == CURLM_OK else {
                throw .curlUnavailable(step: "curl_multi_setopt(\(option.rawValue))", code: Int(code.rawValue))
            }
        }
        try startThread()
    }

    deinit {
        // Reached only after the thread has returned (it holds a reference while it runs).
        curl_multi_cleanup(multi)
    }

    private func startThread() throws(CurlClient.InitError) {
        let context = Unmanaged.passRetained(self).toOpaque()
        var handle = pthread_t()
        let code = pthread_create(&handle, nil, { context in
            let loop = Unmanaged<CurlMultiLoop>.fromOpaque(context!).takeRetainedValue()
            loop.run()
            return nil
        }, context)
        guard code == 0 else {
            Unmanaged<CurlMultiLoop>.fromOpaque(context).release()
            throw .curlUnavailable(step: "pthread_create", code: Int(code))
        }
        thread.withLock { $0 = handle }
    }

    // MARK: - Callers' side (any thread)

    /// A fresh id for a send, so that cancellation can find it in the queue.
    func makeSendID() -> UInt64 {
        lastID.wrappingAdd(1, ordering: .relaxed).newValue
    }

    /// Queues `send` for the curl thread, or fails it at once if the client is shut down or the calling
    /// task is already cancelled.
    func enqueue(_ send: CurlPendingSend) {
        let rejection: HTTPClientError? = shared.withLock { shared in
            if shared.isShutDown {
                shared.stats.requestsFailed += 1
                return .notSent(reason: "the HTTP client is shut down")
            }
            if Task.isCancelled {
                shared.stats.requestsFailed += 1
                return .notSent(reason: "the calling task was cancelled before the request was sent")
            }
            shared.queue.append(send)
            shared.stats.queued = shared.queue.count
            // Under the lock: the thread cannot have seen isShutDown and freed `multi` meanwhile.
            _ = curl_multi_wakeup(multi)
            return nil
        }
        if let rejection {
            send.continuation.resume(returning: .failure(rejection))
        }
    }

    /// Fails the send with `id` as `.notSent` if it is still waiting; a started one is left to finish.
    func cancelIfWaiting(id: UInt64) {
        let send: CurlPendingSend? = shared.withLock { shared in
            guard let send = shared.queue.remove(id: id) else { return nil }
            shared.stats.queued = shared.queue.count
            shared.stats.requestsFailed += 1
            return send
        }
        send?.continuation.resume(returning: .failure(.notSent(reason: "the calling task was cancelled before the request was sent")))
    }

    var stats: CurlClient.Stats {
        shared.withLock { $0.stats }
    }

    /// Fails waiting sends (`.notSent`), has the thread abort transfers in flight, and joins it. Idempotent;
    /// a second caller returns once the thread is gone.
    func shutdown() {
        let waiting: [CurlPendingSend] = shared.withLock { shared in
            guard !shared.isShutDown else { return [] }
            shared.isShutDown = true
            let waiting = shared.queue.removeAll()
            shared.stats.queued = 0
            shared.stats.requestsFailed += waiting.count
            _ = curl_multi_wakeup(multi)
            return waiting
        }
        for send in waiting {
            send.continuation.resume(returning: .failure(.notSent(reason: "the HTTP client was shut down before the request was sent")))
        }
        thread.withLock { handle in
            guard let joinable = handle else { return }
            handle = nil
            if pthread_equal(joinable, pthread_self()) != 0 {
                pthread_detach(joinable)   // cannot join oneself; the loop ends after this call returns
            } else {
                pthread_join(joinable, nil)
            }
        }
    }

    // MARK: - The curl thread

    private func run() {
        while startWaiting() {
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            if finishDone() > 0 {
                continue   // slots came free: start waiting sends before sleeping
            }
            // Returns on socket activity, curl's own timers, or curl_multi_wakeup from a caller.
            _ = curl_multi_poll(multi, nil, 0, 1_000, nil)
        }
        _ = finishDone()
        abortInFlight()
    }

    /// Starts waiting sends while there are free slots; false once the client is shut down.
    private func startWaiting() -> Bool {
        while true {
            let free = options.maxInFlight - inFlight.count
            let (next, isOpen): (CurlPendingSend?, Bool) = shared.withLock { shared in
                if shared.isShutDown { return (nil, false) }
                guard free > 0, let send = shared.queue.popFirst() else { return (nil, true) }
                shared.stats.queued = shared.queue.count
                shared.stats.inFlight += 1
                return (send, true)
            }
            guard isOpen else { return false }
            guard let next else { return true }
            start(next)
        }
    }

    private func start(_ send: CurlPendingSend) {
        // Fence at departure, first gate: a send that waited in the queue past its deadline is not started.
        if let sendBy = send.request.sendBy, ContinuousClock.now >= sendBy {
            complete(send.continuation, with: .failure(.sendDeadlinePassed("while it waited for a connection")), connectionsOpened: 0)
            return
        }
        let transfer: CurlTransfer
        do {
            // X-TIMESTAMP and its signature are made now, as the request leaves the queue.
            let leaving = CurlPendingSend(id: send.id, request: send.request.departing(), continuation: send.continuation)
            transfer = try CurlTransfer(leaving, options: options)
        } catch {
            complete(send.continuation, with: .failure(error), connectionsOpened: 0)
            return
        }
        // Checked once more right before the handle joins the multi (building it took time too).
        if let sendBy = send.request.sendBy, ContinuousClock.now >= sendBy {
            complete(send.continuation, with: .failure(.sendDeadlinePassed("before its transfer started")), connectionsOpened: 0)
            return
        }
        let code = curl_multi_add_handle(multi, transfer.easy)
        guard code == CURLM_OK else {
            let reason = "curl_multi_add_handle failed: \(String(cString: curl_multi_strerror(code)))"
            complete(send.continuation, with: .failure(.notSent(reason: reason)), connectionsOpened: 0)
            return
        }
        inFlight[transfer.easy] = transfer
    }

    /// Hands out the results of transfers curl reports done; returns how many.
    private func finishDone() -> Int {
        var finished = 0
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = ccurl_msg_result(message)   // read before remove_handle frees the message
            guard let transfer = inFlight.removeValue(forKey: easy) else { continue }
            _ = curl_multi_remove_handle(multi, easy)
            complete(transfer.continuation, with: transfer.result(for: code), connectionsOpened: transfer.connectionsOpened)
            finished += 1
        }
        return finished
    }

    private func abortInFlight() {
        for (easy, transfer) in inFlight {
            _ = curl_multi_remove_handle(multi, easy)
            complete(transfer.continuation, with: transfer.resultAtShutdown(), connectionsOpened: transfer.connectionsOpened)
        }
        inFlight.removeAll()
    }

    private func complete(_ continuation: CurlSendContinuation, with result: Result<HTTPResponse, HTTPClientError>, connectionsOpened: Int) {
        shared.withLock { shared in
            shared.stats.inFlight -= 1
            shared.stats.connectionsOpened += connectionsOpened
            switch result {
            case .success: shared.stats.requestsCompleted += 1
            case .failure: shared.stats.requestsFailed += 1
            }
        }
        continuation.resume(returning: result)
    }
}
