// CCurl only for visibility: in a module that also imports it, curl.h's <sys/socket.h> owns SOCK_STREAM.
import CCurl
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A request as `CurlTestServer` read it.
struct CurlTestRequest: Sendable {
    var method: String
    var path: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    /// Which accepted connection it came on, from 1.
    var connection: Int

    /// The first value of header `name`, compared case-insensitively.
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// A tiny HTTP/1.1 server on 127.0.0.1 for CurlClient's tests, on plain POSIX sockets with a thread per
/// connection. Connections stay open between requests. What it does depends on the path:
/// - `/echo`: 200 with body `METHOD PATH\n`, one `name: value\n` per header, `\n`, then the request body;
/// - `/delay/<ms>`: the same after `<ms>` milliseconds;
/// - `/hold`: the same once `release()` is called;
/// - `/drop`: reads the request and closes the connection without answering;
/// - `/big/<n>`: 200 with an `n`-byte body;
/// - `/partial`: announces 100 body bytes, sends 10, closes.
/// Bytes that are not an HTTP request (a TLS ClientHello, say) get a 400 and a close.
/// Every wait ends when the client goes away or the server stops, so `stop()` always returns promptly.
final class CurlTestServer: Sendable {
    private struct State {
        var accepted = 0
        var requests: [CurlTestRequest] = []
        var inFlight = 0
        var maxInFlight = 0
        var openSockets: Set<Int32> = []
        var connectionThreads: [pthread_t] = []
        var stopped = false
    }

    /// The port it listens on, on 127.0.0.1.
    let port: Int
    private let listener: Int32
    /// A pipe whose read end becomes readable, for good, on `release()`.
    private let gateRead: Int32
    private let gateWrite: Int32
    private let state = Mutex(State())
    private let acceptThread = Mutex<pthread_t?>(nil)

    init() throws {
        let socket = try Self.listeningSocket(backlog: 64)
        listener = socket.fd
        port = socket.port
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw CurlTestServerError.posix("pipe", errno) }
        gateRead = fds[0]
        gateWrite = fds[1]
        let handle = curlTestSpawnThread { [self] in acceptLoop() }
        acceptThread.withLock { $0 = handle }
    }

    /// `http://127.0.0.1:<port><path>`.
    func url(_ path: String) -> String {
        "http://127.0.0.1:\(port)\(path)"
    }

    /// Connections accepted so far.
    var acceptedConnections: Int { state.withLock { $0.accepted } }
    /// Requests read so far, in order.
    var requests: [CurlTestRequest] { state.withLock { $0.requests } }
    /// Requests read but not yet answered, at most, over the server's life.
    var maxRequestsInFlight: Int { state.withLock { $0.maxInFlight } }

    /// Lets every `/hold` request, now and later, be answered.
    func release() {
        _ = write(gateWrite, "x", 1)
    }

    /// Closes the listener and every connection, and joins all threads. Idempotent.
    func stop() {
        let alreadyStopped = state.withLock { state in
            let was = state.stopped
            if !was {
                state.stopped = true
                _ = shutdown(listener, Int32(SHUT_RDWR))
                for fd in state.openSockets { _ = shutdown(fd, Int32(SHUT_RDWR)) }
            }
            return was
        }
        guard !alreadyStopped else { return }
        if let handle = acceptThread.withLock({ $0 }) { pthread_join(handle, nil) }
        for handle in state.withLock({ $0.connectionThreads }) { pthread_join(handle, nil) }
        close(listener)
        close(gateRead)
        close(gateWrite)
    }

    // MARK: - Serving

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            let accepted = state.withLock { state -> Int? in
                guard !state.stopped else { return nil }
                state.accepted += 1
                state.openSockets.insert(fd)
                let connection = state.accepted
                state.connectionThreads.append(curlTestSpawnThread { [self] in serve(fd, connection: connection) })
                return connection
            }
            if accepted == nil {
                close(fd)
                return
            }
        }
    }

    private func serve(_ fd: Int32, connection: Int) {
        defer {
            state.withLock { state in
                state.openSockets.remove(fd)
                close(fd)   // under the lock, so stop() never shuts down a reused descriptor
            }
        }
        var reader = Reader(fd: fd)
        while true {
            let parsed = reader.nextRequest(connection: connection)
            guard case .request(let request) = parsed else {
                if case .notHTTP = parsed {
                    _ = Self.sendAll(fd, Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
                }
                return
            }
            state.withLock { state in
                state.requests.append(request)
                state.inFlight += 1
                state.maxInFlight = max(state.maxInFlight, state.inFlight)
            }
            let keepGoing = answer(request, on: fd)
            state.withLock { $0.inFlight -= 1 }
            guard keepGoing, request.header("connection")?.lowercased() != "close" else { return }
        }
    }

    /// Answers one request; false when the connection must close.
    private func answer(_ request: CurlTestRequest, on fd: Int32) -> Bool {
        let parts = request.path.split(separator: "?")[0].split(separator: "/").map(String.init)
        switch parts.first {
        case "echo":
            return Self.respond(fd, status: 200, body: Self.echo(request))
        case "delay":
            let ms = Int32(parts.count > 1 ? parts[1] : "0") ?? 0
            guard waitWithoutClientGoingAway(fd, gate: false, timeoutMs: ms) else { return false }
            return Self.respond(fd, status: 200, body: Self.echo(request))
        case "hold":
            guard waitWithoutClientGoingAway(fd, gate: true, timeoutMs: 30_000) else { return false }
            return Self.respond(fd, status: 200, body: Self.echo(request))
        case "drop":
            return false
        case "big":
            let count = Int(parts.count > 1 ? parts[1] : "0") ?? 0
            return Self.respond(fd, status: 200, body: (0..<count).map { UInt8(truncatingIfNeeded: $0) })
        case "partial":
            let head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nContent-Type: text/plain\r\n\r\n"
            _ = Self.sendAll(fd, Array(head.utf8) + Array(repeating: UInt8(ascii: "p"), count: 10))
            return false
        default:
            return Self.respond(fd, status: 404, body: Array("no such test path\n".utf8))
        }
    }

    /// Waits `timeoutMs`, or until `release()` when `gate`; false if the client closed or the server stopped first.
    private func waitWithoutClientGoingAway(_ fd: Int32, gate: Bool, timeoutMs: Int32) -> Bool {
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        if gate { fds.append(pollfd(fd: gateRead, events: Int16(POLLIN), revents: 0)) }
        let ready = poll(&fds, nfds_t(fds.count), timeoutMs)
        if ready == 0 { return !gate }   // the delay passed; a held request never released gives up
        if ready < 0 { return false }
        if fds[0].revents != 0 { return false }   // the client went away (or the server is stopping)
        return state.withLock { !$0.stopped }
    }

    private static func echo(_ request: CurlTestRequest) -> [UInt8] {
        var text = "\(request.method) \(request.path)\n"
        for (name, value) in request.headers { text += "\(name): \(value)\n" }
        text += "\n"
        return Array(text.utf8) + request.body
    }

    private static func respond(_ fd: Int32, status: Int, body: [UInt8]) -> Bool {
        let head = "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Not Found")\r\nContent-Type: text/plain\r\n"
            + "X-Test-Server: curl\r\nContent-Length: \(body.count)\r\n\r\n"
        return sendAll(fd, Array(head.utf8) + body)
    }

    private static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0, errno == EINTR { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    // MARK: - Sockets

    /// A TCP socket listening on 127.0.0.1 on a port the kernel picks.
    static func listeningSocket(backlog: Int32) throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CurlTestServerError.posix("socket", errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, backlog) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            let code = errno
            close(fd)
            throw CurlTestServerError.posix("bind/listen", code)
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Reads HTTP/1.1 requests (Content-Length bodies only) off one connection.
    private struct Reader {
        enum Parsed { case request(CurlTestRequest), closed, notHTTP }

        let fd: Int32
        var buffer: [UInt8] = []

        mutating func nextRequest(connection: Int) -> Parsed {
            var headEnd: Int?
            while true {
                if let first = buffer.first, !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) {
                    return .notHTTP
                }
                headEnd = Self.find([13, 10, 13, 10], in: buffer)
                if headEnd != nil { break }
                guard readMore() else { return .closed }
            }
            guard let headEnd else { return .closed }
            let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
            var lines = head.split(separator: "\r\n" as Character, omittingEmptySubsequences: false)
            let requestLine = lines.removeFirst().split(separator: " ").map(String.init)
            guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else { return .notHTTP }
            var headers: [(name: String, value: String)] = []
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { return .notHTTP }
                let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
                headers.append((String(line[..<colon]), String(value)))
            }
            let length = Int(headers.first { $0.name.lowercased() == "content-length" }?.value ?? "0") ?? 0
            let bodyStart = headEnd + 4
            while buffer.count < bodyStart + length {
                guard readMore() else { return .closed }
            }
            let body = Array(buffer[bodyStart..<(bodyStart + length)])
            buffer.removeFirst(bodyStart + length)
            return .request(CurlTestRequest(method: requestLine[0], path: requestLine[1], headers: headers, body: body, connection: connection))
        }

        /// Reads what is there; false on end of stream, error, or two minutes of silence. (Long: a test's
        /// next request on a kept-alive connection may come seconds later on a loaded machine, and an idle
        /// connection the server closed would be replaced by a new one; `stop()` ends the wait at once.)
        private mutating func readMore() -> Bool {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 120_000) > 0 else { return false }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return false }
            buffer.append(contentsOf: chunk[..<count])
            return true
        }

        private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
            guard haystack.count >= needle.count else { return nil }
            for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
                return start
            }
            return nil
        }
    }
}

/// A socket call in the test server failed.
enum CurlTestServerError: Error {
    case posix(String, Int32)
}
